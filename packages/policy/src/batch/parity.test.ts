import {
  ASSESSMENT_GRADES,
  CERTIFICATE_LEVELS,
  COMMUNITY_KINDS,
  EDUCATION_LEVELS,
} from '@shegong/shared';
import { describe, expect, it } from 'vitest';
import { readPolicyFiles } from '../__fixtures__/read-files.ts';
import {
  createPolicyRegistry,
  type TCompiledPack,
  type TPolicyRegistry,
} from '../registry/registry.ts';
import type { TPayValue } from '../types.ts';
import { addDays, monthStart } from '../util/dates.ts';
import { compileGradeKernel } from './grade-kernel.ts';

// The trace evaluator and the batch kernels are two implementations of the same packs. Over
// 100,000 random workers (and 50,000 random communities) they must give the same figures and
// fail on the same rows. Seeded, so a failure can be replayed.

const registry = createPolicyRegistry([
  ...readPolicyFiles('policies'),
  ...readPolicyFiles('packages/policy/src/__fixtures__/packs'),
]);

const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const randomWorker = (pack: TCompiledPack, r: () => number): Record<string, unknown> => {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const post = pick(pack.posts);
  const w: Record<string, unknown> = {
    post: r() < 0.5 ? post.category : pick(post.titles.length ? post.titles : [post.category]),
  };
  if (r() < 0.8) w.years = Math.floor(r() * 46);
  else if (r() < 0.9) w.serviceStart = addDays(pack.date, -Math.floor(r() * 40 * 365));
  if (r() < 0.9) w.education = pick(EDUCATION_LEVELS);
  if (r() < 0.1) w.educationRecognised = false;
  if (r() < 0.8) w.certificate = pick(CERTIFICATE_LEVELS);
  if (r() < 0.1) w.certificateOn = addDays(pack.date, Math.floor(r() * 200) - 100);
  // An upgrade: the certificate held before certificateOn.
  if (w.certificateOn && r() < 0.5) w.certificateBefore = pick(CERTIFICATE_LEVELS);
  if (r() < 0.15) w.hiredOn = addDays(pack.date, -Math.floor(r() * 300));
  // Joining or leaving around the month of the date: pro-rating by the pack's rule.
  else if (r() < 0.1) w.hiredOn = addDays(monthStart(pack.date), Math.floor(r() * 33) - 1);
  if (r() < 0.1) w.leftOn = addDays(monthStart(pack.date), Math.floor(r() * 33) - 1);
  if (r() < 0.05) w.probation = r() < 0.5;
  if (r() < 0.05) w.grade = 1 + Math.floor(r() * 20);
  if (r() < 0.95) w.stars = Math.floor(r() * 6);
  if (r() < 0.5) w.assessment = pick(ASSESSMENT_GRADES);
  if (pack.districts.length && r() < 0.9) w.district = pick(pack.districts);
  if (r() < 0.9) w.basePayFen = 150000 + Math.floor(r() * 300000);
  if (r() < 0.2) w.previousPayFen = 200000 + Math.floor(r() * 300000);
  if (r() < 0.1) w.pensionFen = Math.floor(r() * 400000);
  if (r() < 0.5) w.certificateApproved = r() < 0.7;
  if (r() < 0.9) w.entryGrade = 1 + Math.floor(r() * 10);
  if (r() < 0.95 && pack.id.startsWith('wenzhou')) {
    w.statistics = {
      城镇常住居民人均可支配收入: 5000000 + Math.floor(r() * 3000000),
      上年度专职社区工作者年平均工资: 6000000 + Math.floor(r() * 2000000),
    };
  }
  return w;
};

const comparePay = (pack: TCompiledPack, inputs: Record<string, unknown>[]): string[] => {
  const cols = pack.batch.workerColumns(inputs);
  const out = pack.batch.pay(cols);
  const bad: string[] = [];
  inputs.forEach((input, i) => {
    let v: TPayValue | undefined;
    try {
      v = pack.pay(input).value;
    } catch {
      v = undefined;
    }
    const same = v
      ? out.error[i] === 0 &&
        out.grade[i] === (v.grade ?? -1) &&
        out.coefficientScaled[i] ===
          (v.coefficient === null
            ? -1
            : Math.round(Number(v.coefficient) * 10 ** out.coefficientDecimals)) &&
        out.basePayFen[i] === v.basePayFen &&
        out.performanceFen[i] === v.performanceFen &&
        out.monthlyTotalFen[i] === v.monthlyTotalFen &&
        out.annualLumpSumFen[i] === v.annualLumpSumFen &&
        out.paidDays[i] === v.paidDays &&
        out.monthDays === v.monthDays &&
        out.payableFen[i] === v.payableFen
      : out.error[i] !== 0;
    const want = v ?? '报错';
    const got = {
      error: out.error[i],
      grade: out.grade[i],
      basePayFen: out.basePayFen[i],
      monthlyTotalFen: out.monthlyTotalFen[i],
      paidDays: out.paidDays[i],
      payableFen: out.payableFen[i],
    };
    if (!same && bad.length < 5)
      bad.push(
        `${JSON.stringify(input)} → 逐条 ${JSON.stringify(want)} 批量 ${JSON.stringify(got)}`,
      );
  });
  return bad;
};

const compareQuota = (pack: TCompiledPack, inputs: Record<string, unknown>[]): string[] => {
  const out = pack.batch.quota(pack.batch.communityColumns(inputs));
  const bad: string[] = [];
  inputs.forEach((input, i) => {
    let want: { min: number; max: number } | null;
    try {
      const v = pack.quota({ scope: 'community', ...input }).value;
      want = { min: v.min, max: v.max ?? -1 };
    } catch {
      want = null;
    }
    const got = out.error[i] ? null : { min: out.min[i] as number, max: out.max[i] as number };
    if (JSON.stringify(want) !== JSON.stringify(got) && bad.length < 5)
      bad.push(
        `${JSON.stringify(input)} → 逐条 ${JSON.stringify(want)} 批量 ${JSON.stringify(got)}`,
      );
  });
  return bad;
};

const WORKERS: [string, string, number][] = [
  ['yinchuan-2018', '2020-06-15', 50_000],
  ['yinchuan-2018', '2025-06-15', 10_000],
  ['demo-five-posts', '2023-06-15', 15_000],
  ['demo-components', '2025-06-15', 10_000],
  ['wenzhou-draft', '2023-06-15', 5_000],
  ['wenzhou-county-example', '2023-06-15', 5_000],
  ['changchun-xinqu-2020', '2022-06-15', 5_000],
];

describe('the grade kernel is compiled once per pack version', () => {
  it('gives the same read-only tables for every date of a version, and new ones for the next', () => {
    const a = registry.at('yinchuan-2018', '2020-01-01').programs;
    const b = registry.at('yinchuan-2018', '2023-12-31').programs;
    const c = registry.at('yinchuan-2018', '2024-03-28').programs;
    const k = compileGradeKernel(a.grade, a.pay);
    expect(compileGradeKernel(b.grade, b.pay)).toBe(k);
    expect(compileGradeKernel(c.grade, c.pay)).not.toBe(k);
  });
});

describe('batch kernels agree with the trace evaluator on random workers', () => {
  it('covers at least 100,000 workers in all', () => {
    expect(WORKERS.reduce((s, [, , n]) => s + n, 0)).toBeGreaterThanOrEqual(100_000);
  });
  for (const [id, date, n] of WORKERS) {
    it(`${id} on ${date}: ${n} workers, grade and pay`, () => {
      const pack = registry.at(id, date);
      const r = rng(n + id.length);
      const inputs = Array.from({ length: n }, () => randomWorker(pack, r));
      expect(comparePay(pack, inputs)).toEqual([]);
    }, 60_000);
  }
  for (const [id, date] of [
    ['yinchuan-2018', '2020-06-01'],
    ['jilin-2020', '2021-06-01'],
    ['changchun-xinqu-2020', '2021-06-01'],
    ['wenzhou-draft', '2023-06-01'],
    ['demo-five-posts', '2023-06-01'],
  ] as const) {
    it(`${id}: 10,000 communities, quota`, () => {
      const pack = registry.at(id, date);
      const r = rng(id.length);
      const inputs = Array.from({ length: 10_000 }, () => {
        const c: Record<string, unknown> = {};
        const big = r() < 0.1;
        if (r() < 0.97) c.households = Math.floor(r() * (big ? 60000 : 8000));
        if (r() < 0.8) c.residents = Math.floor(r() * 30000);
        if (r() < 0.5) c.kind = COMMUNITY_KINDS[Math.floor(r() * COMMUNITY_KINDS.length)];
        // Exact boundaries of the formulas appear often.
        if (r() < 0.2)
          c.households = [2000, 2001, 2999, 3000, 3001, 3300, 3500, 5000, 5001][
            Math.floor(r() * 9)
          ];
        return c;
      });
      expect(compareQuota(pack, inputs)).toEqual([]);
    }, 60_000);
  }
});

describe('pro-rating of a part month: batch kernel = trace evaluator, to the fen', () => {
  // 银川 is silent on part months; its options joinMonth / leaveMonth choose calendar days
  // (both days included, half-up to the fen). Every joining and leaving day of a 29-, 30- and
  // 31-day month, under each reading, through both implementations.
  const readings: [string, Record<string, { chosen: string }>][] = [
    ['by-days', {}],
    ['full-month', { joinMonth: { chosen: 'full-month' }, leaveMonth: { chosen: 'full-month' } }],
    ['none / by-days', { joinMonth: { chosen: 'none' } }],
  ];
  for (const [label, options] of readings) {
    for (const month of ['2024-02', '2020-06', '2020-07']) {
      it(`yinchuan-2018 ${month}, ${label}`, () => {
        const reg = registry.draft('yinchuan-2018', { options });
        const first = `${month}-01`;
        const pack = reg.at('yinchuan-2018-draft', first);
        const inputs: Record<string, unknown>[] = [];
        for (let d = -1; d <= 31; d++) {
          const day = addDays(first, d);
          // 网格员 joining on probation (2000元), 其他人员 4级 leaving (2600元), and both.
          inputs.push({ post: '网格员', years: 0, hiredOn: day, stars: 3 });
          inputs.push({
            post: '其他人员',
            years: 5,
            education: '本科',
            certificate: '助理社会工作师',
            stars: 3,
            leftOn: day,
          });
          inputs.push({ post: '正职', years: 20, stars: 1, hiredOn: first, leftOn: day });
        }
        expect(comparePay(pack, inputs)).toEqual([]);
        const out = pack.batch.pay(pack.batch.workerColumns(inputs));
        expect(out.payableFen.some((f, i) => f !== out.monthlyTotalFen[i])).toBe(true);
      });
    }
  }
});

/**
 * A month through both implementations: the rows where `batchPayMonth` and `payMonth` differ
 * (figures, paid days, payable amount, parts), at most five, and how many rows `payMonth` splits
 * (`parts`) or starts with days no pack governs (`gapped`).
 */
const monthParity = (
  reg: Pick<TPolicyRegistry, 'batchPayMonth' | 'payMonth'>,
  packId: string,
  month: string,
  inputs: readonly Record<string, unknown>[],
): { bad: string[]; split: number; gapped: number } => {
  const { out } = reg.batchPayMonth(packId, month, inputs);
  const bad: string[] = [];
  let split = 0;
  let gapped = 0;
  inputs.forEach((input, i) => {
    let v: TPayValue | undefined;
    try {
      v = reg.payMonth(packId, month, input).value;
    } catch {
      v = undefined;
    }
    const same = v
      ? out.error[i] === 0 &&
        out.grade[i] === (v.grade ?? -1) &&
        out.basePayFen[i] === (v.basePayFen ?? -1) &&
        out.monthlyTotalFen[i] === v.monthlyTotalFen &&
        out.annualLumpSumFen[i] === v.annualLumpSumFen &&
        out.paidDays[i] === v.paidDays &&
        out.payableFen[i] === v.payableFen &&
        out.parts[i] === (v.parts?.length ?? 1) &&
        JSON.stringify(out.partList[i]) === JSON.stringify(v.parts)
      : out.error[i] !== 0;
    if (v?.parts) split++;
    if (v?.parts?.[0]?.noPolicy) gapped++;
    if (!same && bad.length < 5)
      bad.push(
        `${JSON.stringify(input)} → 逐条 ${JSON.stringify(v ?? '报错')} 批量 ${JSON.stringify({
          error: out.error[i],
          monthlyTotalFen: out.monthlyTotalFen[i],
          paidDays: out.paidDays[i],
          payableFen: out.payableFen[i],
          parts: out.partList[i],
        })}`,
      );
  });
  return { bad, split, gapped };
};

describe('a month split by pack versions: batchPayMonth = payMonth, to the fen', () => {
  // demo-midmonth: base 3000元 → 3300元 from 2025-03-16, coefficients from 2025-06-11, a
  // parameter pay does not read from 2025-08-20. Random workers, and every joining and leaving
  // day of the month, through both implementations.
  for (const month of ['2025-03', '2025-06', '2025-08']) {
    it(`demo-midmonth ${month}: 5,000 random workers and every joining and leaving day`, () => {
      const first = `${month}-01`;
      const pack = registry.at('demo-midmonth', first);
      const r = rng(month.length * 31 + Number(month.slice(5)));
      const inputs: Record<string, unknown>[] = Array.from({ length: 5_000 }, () =>
        randomWorker(pack, r),
      );
      for (let d = -1; d <= 31; d++) {
        const day = addDays(first, d);
        inputs.push({ post: '网格员', years: 0, hiredOn: day });
        inputs.push({ post: '委员', years: 5, leftOn: day });
        inputs.push({ post: '正职', years: 20, hiredOn: first, leftOn: day });
      }
      const { bad, split } = monthParity(registry, 'demo-midmonth', month, inputs);
      expect(bad).toEqual([]);
      // March and June are split for most rows; August's change is not paid, so never.
      if (month === '2025-08') expect(split).toBe(0);
      else expect(split).toBeGreaterThan(1000);
    }, 60_000);
  }
});

describe('a month in which the pack starts: batchPayMonth = payMonth, parts included', () => {
  // 长春新区 starts on 2 November 2020 (effective_basis 000 三(一)): 1 November is 无适用政策.
  // Random base pay and protected pay, and every joining and leaving day of the month.
  it('changchun-xinqu-2020 2020-11: 3,000 random workers and every joining and leaving day', () => {
    const first = '2020-11-01';
    const pack = registry.at('changchun-xinqu-2020', '2020-11-02');
    const r = rng(2020_11);
    const inputs: Record<string, unknown>[] = Array.from({ length: 3_000 }, () => {
      const w = randomWorker(pack, r);
      w.basePayFen = 150000 + Math.floor(r() * 300000);
      if (r() < 0.2) w.previousPayFen = 200000 + Math.floor(r() * 400000);
      return w;
    });
    for (let d = -1; d <= 30; d++) {
      const day = addDays(first, d);
      inputs.push({ post: '网格员', basePayFen: 210000, hiredOn: day });
      inputs.push({ post: '委员', basePayFen: 250000, leftOn: day });
      inputs.push({ post: '党组织书记', basePayFen: 280000, hiredOn: first, leftOn: day });
    }
    const { bad, gapped } = monthParity(registry, 'changchun-xinqu-2020', '2020-11', inputs);
    expect(bad).toEqual([]);
    // Every worker in post on 1 November has a 无适用政策 part (joiners after it do not).
    expect(gapped).toBeGreaterThan(2_500);
  }, 60_000);
});

describe('a certificate obtained inside the month, counted from that day: batch = trace', () => {
  // 银川 with certificateMonth by-days (a draft): the month is split at the certificate's day.
  it('yinchuan-2018 draft 2025-03: 5,000 random workers, certificates on every day', () => {
    const draft = registry.draft('yinchuan-2018', {
      options: { certificateMonth: { chosen: 'by-days' } },
    });
    const month = '2025-03';
    const first = `${month}-01`;
    const pack = draft.at('yinchuan-2018-draft', first);
    const r = rng(2025_03);
    const inputs: Record<string, unknown>[] = Array.from({ length: 5_000 }, () => {
      const w = randomWorker(pack, r);
      if (r() < 0.7) {
        w.certificate = CERTIFICATE_LEVELS[1 + Math.floor(r() * 3)];
        w.certificateOn = addDays(first, Math.floor(r() * 40) - 5);
        if (r() < 0.5) w.certificateBefore = CERTIFICATE_LEVELS[Math.floor(r() * 2)];
      }
      return w;
    });
    const { bad, split } = monthParity(draft, 'yinchuan-2018-draft', month, inputs);
    expect(bad).toEqual([]);
    expect(split).toBeGreaterThan(500);
  }, 60_000);
});
