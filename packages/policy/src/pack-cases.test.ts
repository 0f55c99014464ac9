import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readPackCases, runPackCase } from './cases/run-cases.ts';
import { loadPolicyRegistry } from './load.ts';

// Every case of every pack (`policies/*/tests/*.yaml`) becomes one test here, run through the
// trace evaluator and, for grade, pay and community quota, through the batch kernels as well.

const dir = fileURLToPath(new URL('../../../policies', import.meta.url));
const registry = await loadPolicyRegistry(dir);
const cases = readPackCases(registry.testFiles());
const packs = [...new Set(cases.map((c) => c.pack))].sort();

describe('policy pack cases', () => {
  it('finds cases for every pack', () => {
    expect(packs).toEqual(
      registry
        .list()
        .map((p) => p.id)
        .sort(),
    );
  });
  for (const pack of packs) {
    describe(pack, () => {
      for (const c of cases.filter((x) => x.pack === pack)) {
        it(`${c.case.name} [${c.file.split('/').pop()}:${c.line}, ${c.case.source}]`, () => {
          const r = runPackCase(registry, c);
          expect(r.failures).toEqual([]);
        });
      }
    });
  }
});

// Whole-month cases (`month:`, optionally `records:`) run the registry's payMonth and, without
// records, the batch's batchPayMonth for the same row, part by part.
describe('whole-month pay cases', () => {
  const file = (body: string) => [
    { path: 'policies/changchun-xinqu-2020/tests/month.yaml', text: body },
  ];

  it('run through payMonth and agree with the batch for the 长春新区 first month (000 三(一))', () => {
    const month = cases.filter((c) => c.case.month);
    expect(month.map((c) => c.pack)).toContain('changchun-xinqu-2020');
    expect(month.map((c) => c.pack)).toContain('yinchuan-2018');
    for (const c of month) {
      const r = runPackCase(registry, c);
      expect(r.failures, c.case.name).toEqual([]);
      if (!c.case.records && !c.case.expectError) expect(r.batch, c.case.name).toBe('agree');
    }
    // The first month's own figures, as the pack's case states them: 3000元 × 29/30 = 2900.00元.
    const first = month.find((c) => c.case.month === '2020-11' && !c.case.input.leftOn);
    expect((runPackCase(registry, first!).value as { payableFen: number }).payableFen).toBe(290000);
  });

  it('fail on a wrong part, naming it', () => {
    const [c] = readPackCases(
      file(`
cases:
  - name: 错误的天数
    source: 000 三(一)
    eval: pay
    month: 2020-11
    input: { post: 委员, basePayFen: 210000 }
    expect: { parts: [{ paidDays: 1 }, { paidDays: 29 }] }
`),
    );
    expect(runPackCase(registry, c!).failures).toEqual(['parts[0].paidDays：期望 1，实际 0']);
  });

  it('are refused for an evaluation other than pay, with file, line and key', () => {
    expect(() =>
      readPackCases(
        file(`
cases:
  - name: 按月求等级
    source: 000 二(四)
    eval: grade
    month: 2020-11
    input: { post: 委员 }
`),
      ),
    ).toThrow(
      expect.objectContaining({
        message: expect.stringContaining('按月用例'),
        where: {
          file: 'policies/changchun-xinqu-2020/tests/month.yaml',
          line: 3,
          key: 'cases[0].month',
        },
      }),
    );
  });
});
