import { describe, expect, it } from 'vitest';
import { fastWorkerCheck, ZWorkerInput } from './inputs.ts';

// The fast input check may only accept what the zod schema accepts (it never decides errors).

const rng = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};

const VALUES: Record<string, unknown[]> = {
  post: ['正职', '', 3, '网格员'],
  years: [0, 5, -1, 2.5, '5'],
  serviceStart: ['2015-03-01', '2015-02-30', '2015-3-1', 20150301],
  education: ['本科', '大学', null],
  educationRecognised: [true, 'yes'],
  certificate: ['无', '社会工作师', '社工师'],
  stars: [0, 5, 6, -1, 1.5],
  assessments: [{ '2020': '合格' }, { '20x0': '合格' }, { '2020': '良好' }, []],
  statistics: [{ 收入: 100 }, { 收入: 1.5 }, { 收入: '100' }],
  trainings: [
    [{ on: '2020-01-01', days: 3 }],
    [{ on: '2020-01-01', days: -1 }],
    [{ on: '2020-01-01', extra: 1 }],
    [{}],
  ],
  secondments: [
    [{ from: '2020-01-01', to: null, approved: false }],
    [{ from: '2020-01-01', to: 'x' }],
  ],
  events: [{ 疗休养: ['2020-01-01'] }, { 疗休养: ['2020-13-01'] }, { 疗休养: '2020-01-01' }],
  flags: [['退役军人'], [1]],
  basePayFen: [100, -5, 1.5],
  unknownKey: [1],
};

describe('fast worker input check', () => {
  it('accepts only inputs the schema accepts, over 20,000 random inputs', () => {
    const r = rng(7);
    const keys = Object.keys(VALUES);
    let fast = 0;
    for (let i = 0; i < 20_000; i++) {
      const input: Record<string, unknown> = {};
      for (const k of keys) {
        if (r() < (k === 'post' ? 0.95 : 0.3)) {
          const vs = VALUES[k] as unknown[];
          input[k] = vs[Math.floor(r() * vs.length)];
        }
      }
      const ok = fastWorkerCheck(input);
      if (ok) {
        fast++;
        expect(ZWorkerInput.safeParse(input).success, JSON.stringify(input)).toBe(true);
      }
    }
    expect(fast).toBeGreaterThan(100);
  });
  it('takes the fast path for ordinary inputs', () => {
    expect(
      fastWorkerCheck({
        post: '其他人员',
        years: 5,
        education: '本科',
        certificate: '助理社会工作师',
      }),
    ).toBe(true);
    expect(fastWorkerCheck({ post: '其他人员', yeers: 5 })).toBe(false);
  });
});
