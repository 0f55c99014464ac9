import { describe, expect, it } from 'vitest';
import { readPolicyFiles } from '../__fixtures__/read-files.ts';
import { createPolicyRegistry } from '../registry/registry.ts';
import { divRound } from '../util/decimal.ts';
import { splitPayable } from './pay-month.ts';

// A month in which a version of the pack starts (the fictional 示例县丙, demo-midmonth: base
// 3000元 → 3300元 from 2025-03-16, coefficients 1.20 → 1.25 from 2025-06-11) is paid per version
// for the calendar days each governs, and the parts add up to the month to the fen.

const registry = createPolicyRegistry(
  readPolicyFiles('packages/policy/src/__fixtures__/packs/demo-midmonth'),
);
const worker = { post: '网格员', years: 4 };

describe('a month split by the versions of its pack', () => {
  it('pays 1–15 March at 4100元 and 16–31 March at 4460元 (DEMO-M2 第1条)', () => {
    const { value, trace, evalOn } = registry.payMonth('demo-midmonth', '2025-03', worker);
    expect(evalOn).toBe('2025-03-01');
    // 4100 × 15/31 = 1983.870…元 → 1983.87; running sum (4100×15 + 4460×16)/31 = 4285.806…元 →
    // 4285.81, so the second part is 4285.81 − 1983.87 = 2301.94 (4460 × 16/31 = 2301.935…).
    expect(
      value.parts?.map((p) => [p.from, p.to, p.monthlyTotalFen, p.paidDays, p.payableFen]),
    ).toEqual([
      ['2025-03-01', '2025-03-15', 410000, 15, 198387],
      ['2025-03-16', '2025-03-31', 446000, 16, 230194],
    ]);
    expect(value.payableFen).toBe(428581);
    expect(value.paidDays).toBe(31);
    // The month's other figures are the first part's (the version of the evaluation date).
    expect(value.monthlyTotalFen).toBe(410000);
    const second = value.parts?.[1];
    expect(second?.version).toEqual({ from: '2025-03-16', to: '2025-06-10' });
    expect(second?.changes).toEqual([
      {
        kind: 'parameter',
        name: 'basePay',
        description: '基本工资基数',
        before: '3,000.00元',
        after: '3,300.00元',
        source: 'DEMO-M2 第1条',
      },
    ]);
    // The trace shows each part with its dates, version and clause, then the split.
    const parts = trace.filter((s) => s.rule === 'version-part');
    expect(parts.map((s) => s.source)).toEqual(['DEMO-M2 第1条', 'DEMO-M2 第1条']);
    expect(parts[0]?.note).toContain('第1段 2025-03-01至2025-03-15');
    expect(parts[1]?.note).toContain('自2025-03-16起的版本（基本工资基数3,000.00元→3,300.00元）');
    const split = trace[trace.length - 1];
    expect(split?.rule).toBe('dm-proration');
    expect(split?.result).toBe(428581);
    expect(split?.note).toContain('1,983.87元 + 2,301.94元 = 4,285.81元');
    // Each part's own computation is in the trace, once per part.
    expect(trace.filter((s) => s.rule === 'dm-base-pay').map((s) => s.result)).toEqual([
      360000, 396000,
    ]);
  });

  it('splits June at the new coefficient table of 11 June (DEMO-M3 第1条)', () => {
    const { value } = registry.payMonth('demo-midmonth', '2025-06', worker);
    // 3300×1.20+500 = 4460元 for 10 days, 3300×1.25+500 = 4625元 for 20 days of 30:
    // running sums 1486.666… → 1486.67 and 4570.00, so 1486.67 + 3083.33.
    expect(value.parts?.map((p) => [p.coefficient, p.paidDays, p.payableFen])).toEqual([
      ['1.20', 10, 148667],
      ['1.25', 20, 308333],
    ]);
    expect(value.payableFen).toBe(457000);
    expect(value.parts?.[1]?.changes.map((c) => [c.kind, c.name, c.source])).toEqual([
      ['rule', 'dm-coefficients-2025', 'DEMO-M3 第1条'],
      ['rule', 'dm-coefficients', 'DEMO-M 第3条'],
    ]);
  });

  it('does not split a month whose new version changes nothing that is paid', () => {
    // trainingDays changes on 2025-08-20; pay reads only basePay and the coefficients.
    const month = registry.payMonth('demo-midmonth', '2025-08', worker);
    const plain = registry.at('demo-midmonth', '2025-08-01').pay(worker);
    expect(month.value.parts).toBeUndefined();
    expect(month.value).toEqual(plain.value);
    expect(month.trace).toEqual(plain.trace);
    expect(month.value.payableFen).toBe(462500);
  });

  it('pays a worker joining on 10 March 6 days old, 16 days new (both days included)', () => {
    const { value, evalOn } = registry.payMonth('demo-midmonth', '2025-03', {
      post: '网格员',
      years: 0,
      hiredOn: '2025-03-10',
    });
    expect(evalOn).toBe('2025-03-10');
    // 3500 × 6/31 = 677.419… → 677.42; (3500×6 + 3800×16)/31 = 2638.709… → 2638.71.
    expect(value.parts?.map((p) => [p.from, p.paidDays, p.payableFen])).toEqual([
      ['2025-03-01', 6, 67742],
      ['2025-03-16', 16, 196129],
    ]);
    expect([value.paidDays, value.payableFen]).toEqual([22, 263871]);
  });

  it('pays a worker joining after the change under the new version only', () => {
    const { value } = registry.payMonth('demo-midmonth', '2025-03', {
      post: '网格员',
      years: 0,
      hiredOn: '2025-03-20',
    });
    // 3800 × 12/31 = 1470.967… → 1470.97
    expect(value.parts).toBeUndefined();
    expect([value.monthlyTotalFen, value.paidDays, value.payableFen]).toEqual([380000, 12, 147097]);
  });

  it('pays a worker leaving before the change under the old version only', () => {
    const { value } = registry.payMonth('demo-midmonth', '2025-03', {
      ...worker,
      leftOn: '2025-03-10',
    });
    // 4100 × 10/31 = 1322.580… → 1322.58
    expect(value.parts).toBeUndefined();
    expect([value.paidDays, value.payableFen]).toEqual([10, 132258]);
  });

  it('pays the whole month at the first day’s figures under the reading month-start', () => {
    const draft = registry.draft('demo-midmonth', {
      options: { versionChange: { chosen: 'month-start' } },
    });
    const { value } = draft.payMonth('demo-midmonth-draft', '2025-03', worker);
    expect(value.parts).toBeUndefined();
    expect(value.payableFen).toBe(410000);
  });

  it('splits a month where the worker takes another post, and at the new version too', () => {
    // From 20 March the 网格员 (4年, 2级 1.20) is 正职 (4年: 1级 1.00): 3300 + 500 = 3800元.
    // 1–15 at 4100元, 16–19 at 4460元, 20–31 at 3800元; running sums 1983.870… → 1983.87,
    // 2559.354… → 2559.35, 4030.322… → 4030.32.
    const { value, trace } = registry.payMonth('demo-midmonth', '2025-03', worker, [
      { on: '2025-03-20', input: { post: '正职', years: 4 } },
    ]);
    expect(
      value.parts?.map((p) => [p.from, p.to, p.monthlyTotalFen, p.paidDays, p.payableFen]),
    ).toEqual([
      ['2025-03-01', '2025-03-15', 410000, 15, 198387],
      ['2025-03-16', '2025-03-19', 446000, 4, 57548],
      ['2025-03-20', '2025-03-31', 380000, 12, 147097],
    ]);
    expect(value.payableFen).toBe(403032);
    expect(value.parts?.[2]?.changes).toEqual([
      {
        kind: 'record',
        name: 'post',
        description: '职务',
        before: '网格员',
        after: '正职',
        source: '人事档案',
      },
    ]);
    expect(trace.filter((t) => t.rule === 'version-part')[2]?.note).toContain('职务网格员→正职');
  });

  it('pays a post change the same way when the pack does not change in the month', () => {
    // April 2025 (30 days): 1–15 网格员 4460元, 16–30 正职 3800元: 2230.00 + 1900.00.
    const { value } = registry.payMonth('demo-midmonth', '2025-04', worker, [
      { on: '2025-04-16', input: { post: '正职', years: 4 } },
    ]);
    expect(value.parts?.map((p) => [p.version?.from, p.payableFen])).toEqual([
      ['2025-03-16', 223000],
      ['2025-03-16', 190000],
    ]);
    // A record change that does not change the pay is not a part.
    const same = registry.payMonth('demo-midmonth', '2025-04', worker, [
      { on: '2025-04-16', input: { post: '委员', years: 4 } },
    ]);
    expect(same.value.parts).toBeUndefined();
    expect(same.value.payableFen).toBe(446000);
  });

  it('gives the figures of the batch kernels for the same rows', () => {
    const inputs = [
      worker,
      { post: '网格员', years: 0, hiredOn: '2025-03-10' },
      { post: '网格员', years: 0, hiredOn: '2025-03-20' },
      { ...worker, leftOn: '2025-03-10' },
      { ...worker, leftOn: '2025-03-20' },
      { post: '正职', years: 7 },
    ];
    const { out } = registry.batchPayMonth('demo-midmonth', '2025-03', inputs);
    inputs.forEach((input, i) => {
      const v = registry.payMonth('demo-midmonth', '2025-03', input).value;
      expect([out.paidDays[i], out.payableFen[i], out.parts[i]]).toEqual([
        v.paidDays,
        v.payableFen,
        v.parts?.length ?? 1,
      ]);
    });
    // 4100×15/31 + 4460×5/31 for a worker leaving on the 20th: (61500 + 22300)/31 = 2703.2258…元
    expect(out.payableFen[4]).toBe(270323);
  });
});

describe('the seed packs', () => {
  const seeds = createPolicyRegistry(readPolicyFiles('policies'));
  it('do not split 银川 March 2024, whose national version of 28 March changes no pay', () => {
    // national-2024 from 2024-03-28 brings quota and reminder rules to 银川, not pay: the month
    // stays one part, 004 附件 其他人员 5年 本科 助理社会工作师 4级 1.30, 2600元.
    const input = {
      post: '其他人员',
      years: 5,
      education: '本科',
      certificate: '助理社会工作师',
      stars: 3,
    };
    const month = seeds.payMonth('yinchuan-2018', '2024-03', input);
    expect(seeds.list().find((p) => p.id === 'yinchuan-2018')?.versions).toContainEqual(
      expect.objectContaining({ from: '2024-03-28' }),
    );
    expect(month.value.parts).toBeUndefined();
    expect(month.value).toEqual(seeds.at('yinchuan-2018', '2024-03-01').pay(input).value);
    expect(month.value.payableFen).toBe(260000);
    const { out } = seeds.batchPayMonth('yinchuan-2018', '2024-03', [input]);
    expect([out.payableFen[0], out.parts[0]]).toEqual([260000, 1]);
  });
});

describe('splitPayable: parts rounded on their running sum', () => {
  it('adds up to the month rounded once, each part within a fen of its exact share', () => {
    let seed = 7;
    const r = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let n = 0; n < 2000; n++) {
      const monthDays = 28 + Math.floor(r() * 4);
      const k = 2 + Math.floor(r() * 3);
      let left = monthDays;
      const parts = Array.from({ length: k }, (_, i) => {
        const days = i === k - 1 ? left : Math.floor(r() * left);
        left -= days;
        return { monthlyFen: 100000 + Math.floor(r() * 900000), days };
      });
      for (const rounding of ['half-up', 'floor', 'half-even'] as const) {
        const fen = splitPayable(parts, monthDays, rounding);
        const exactSum = parts.reduce((s, p) => s + p.monthlyFen * p.days, 0);
        expect(fen.reduce((a, b) => a + b, 0)).toBe(divRound(exactSum, monthDays, rounding));
        fen.forEach((f, i) => {
          const p = parts[i] as { monthlyFen: number; days: number };
          expect(Math.abs(f * monthDays - p.monthlyFen * p.days)).toBeLessThanOrEqual(monthDays);
        });
      }
    }
  });

  it('gives a full month of one figure exactly, however it is cut', () => {
    expect(
      splitPayable(
        [
          { monthlyFen: 333333, days: 10 },
          { monthlyFen: 333333, days: 21 },
        ],
        31,
        'half-up',
      ),
    ).toEqual([107527, 225806]);
  });
});

// 长春新区 (000, 长新党政办发〔2020〕30号) is dated 2 November 2020 and names no other day of entry
// into force (effective_basis: 000 三(一)): November 2020 is paid under it from the 2nd, and the
// 1st is a part of its own, 无适用政策, paid nothing here. Pay is the pack's own: 基础报酬 (given,
// 附件3 unpublished) 70% + 绩效 30% (000 二(四)); 2100元 + 900元 = 3000元 a month.
describe('a month in which the pack starts (长春新区, 2 November 2020)', () => {
  const seeds = createPolicyRegistry(readPolicyFiles('policies'));
  const member = { post: '委员', basePayFen: 210000 };

  it('pays 2–30 November at 3000元 and names 1 November as 无适用政策 with the clause', () => {
    expect(seeds.monthRange('changchun-xinqu-2020', '2020-11')).toEqual({
      from: '2020-11-02',
      to: '2020-11-30',
    });
    const { value, trace, evalOn } = seeds.payMonth('changchun-xinqu-2020', '2020-11', member);
    expect(evalOn).toBe('2020-11-02');
    // 3000 × 29/30 = 2900.00元.
    expect(value).toMatchObject({ monthlyTotalFen: 300000, paidDays: 29, monthDays: 30 });
    expect(value.payableFen).toBe(290000);
    expect(value.parts).toEqual([
      {
        from: '2020-11-01',
        to: '2020-11-01',
        version: null,
        changes: [],
        grade: null,
        coefficient: null,
        basePayFen: null,
        monthlyTotalFen: 0,
        paidDays: 0,
        payableFen: 0,
        noPolicy: {
          days: 1,
          source: '000 三(一)',
          reason: expect.stringContaining(
            '自2020-11-02起施行（意见落款2020年11月2日、未另定施行日期',
          ),
        },
      },
      {
        from: '2020-11-02',
        to: '2020-11-30',
        version: { from: '2020-11-02', to: '2020-12-31' },
        changes: [],
        grade: null,
        coefficient: null,
        basePayFen: 210000,
        monthlyTotalFen: 300000,
        paidDays: 29,
        payableFen: 290000,
      },
    ]);
    // The 政策 page shows the same basis with the pack's first day.
    expect(seeds.describe('changchun-xinqu-2020', '2020-11-02')).toMatchObject({
      effectiveFrom: '2020-11-02',
      effectiveBasis: { source: '000 三(一)' },
    });
    const gap = trace.find((s) => s.rule === 'no-policy');
    expect(gap?.source).toBe('000 三(一)');
    expect(gap?.result).toBe(0);
    expect(gap?.note).toContain('第1段 2020-11-01至2020-11-01：无适用政策（1天）');
    expect(gap?.note).toContain('不在本表计发');
    const split = trace[trace.length - 1];
    expect(split?.rule).toBe('cc-proration');
    expect(split?.note).toContain('2020-11-01至2020-11-01无适用政策、不计发');
    expect(split?.note).toContain('3,000.00元×29/30天，四舍五入到分 = 2,900.00元（在岗29/30天）');
    // The pack's own steps (base 70%, performance 30%) are in the trace once.
    expect(trace.filter((s) => s.rule === 'cc-performance').map((s) => s.result)).toEqual([90000]);
  });

  it('pro-rates leaving by the pack rule on the days it governs', () => {
    // Leaving on 20 November: 2–20 November, 19 days: 3000 × 19/30 = 1900.00元.
    const { value } = seeds.payMonth('changchun-xinqu-2020', '2020-11', {
      ...member,
      leftOn: '2020-11-20',
    });
    expect(value.parts?.map((p) => [p.from, p.to, p.paidDays, p.payableFen])).toEqual([
      ['2020-11-01', '2020-11-01', 0, 0],
      ['2020-11-02', '2020-11-30', 19, 190000],
    ]);
    expect(value.payableFen).toBe(190000);
    // Leaving on 1 November: no day under the pack.
    const gone = seeds.payMonth('changchun-xinqu-2020', '2020-11', {
      ...member,
      leftOn: '2020-11-01',
    }).value;
    expect([gone.paidDays, gone.payableFen, gone.parts?.length]).toEqual([0, 0, 1]);
  });

  it('is the ordinary month of joining when the worker joins after the pack starts', () => {
    // 任职 10 November: 10–30 November, 21 days (joinMonth by-days): 2100.00元, no part.
    const { value, evalOn } = seeds.payMonth('changchun-xinqu-2020', '2020-11', {
      ...member,
      hiredOn: '2020-11-10',
    });
    expect(evalOn).toBe('2020-11-10');
    expect([value.paidDays, value.payableFen, value.parts]).toEqual([21, 210000, undefined]);
    // Another reading (joinMonth full-month): paid from the 1st, but the 1st has no pack.
    const full = seeds
      .draft('changchun-xinqu-2020', { options: { joinMonth: { chosen: 'full-month' } } })
      .payMonth('changchun-xinqu-2020-draft', '2020-11', { ...member, hiredOn: '2020-11-10' });
    expect([full.value.paidDays, full.value.payableFen]).toEqual([29, 290000]);
  });

  it('leaves the months before and after alone', () => {
    expect(() => seeds.payMonth('changchun-xinqu-2020', '2020-10', member)).toThrow(
      /自 2020-11-02 起施行，2020-10-01 尚未生效/,
    );
    expect(seeds.monthRange('changchun-xinqu-2020', '2020-10')).toBeNull();
    const dec = seeds.payMonth('changchun-xinqu-2020', '2020-12', member).value;
    expect([dec.paidDays, dec.payableFen, dec.parts]).toEqual([31, 300000, undefined]);
  });

  it('refuses the month when the pack says a new version applies from the next month', () => {
    const draft = seeds.draft('changchun-xinqu-2020', {
      rules: [
        {
          id: 'cc-proration',
          shape: 'pay-proration',
          description: '测试：新版本次月起适用',
          source: '000 二(四)',
          join: 'by-days',
          leave: 'by-days',
          change: 'month-start',
        },
      ],
    });
    expect(() => draft.payMonth('changchun-xinqu-2020-draft', '2020-11', member)).toThrow(
      /change: month-start）：2020-11无适用政策/,
    );
    expect(() => draft.batchPayMonth('changchun-xinqu-2020-draft', '2020-11', [member])).toThrow(
      /month-start/,
    );
  });

  it('pays a month in which the pack ends for the days up to its last (a test edit)', () => {
    // 长春新区 given an effective_to of 15 June 2021 (June: 30 days): 1–15 June at 3000元 is
    // 1500.00元; 16–30 June 无适用政策. The batch kernel gives the same parts.
    const files = readPolicyFiles('policies').map((f) =>
      f.path === 'policies/changchun-xinqu-2020/pack.yaml'
        ? {
            ...f,
            text: f.text.replace(/^effective_from: 2020-11-02$/m, '$&\neffective_to: 2021-06-15'),
          }
        : f,
    );
    const ended = createPolicyRegistry(files);
    const { value } = ended.payMonth('changchun-xinqu-2020', '2021-06', member);
    expect(
      value.parts?.map((p) => [p.from, p.to, p.version?.from ?? null, p.paidDays, p.payableFen]),
    ).toEqual([
      ['2021-06-01', '2021-06-15', '2021-01-01', 15, 150000],
      ['2021-06-16', '2021-06-30', null, 0, 0],
    ]);
    expect(value.parts?.[1]?.noPolicy?.reason).toContain('于2021-06-15后不再施行');
    expect(value.payableFen).toBe(150000);
    const { out } = ended.batchPayMonth('changchun-xinqu-2020', '2021-06', [member]);
    expect([out.payableFen[0], out.paidDays[0], out.partList[0]]).toEqual([
      150000,
      15,
      value.parts,
    ]);
  });

  it('吉林 (002, 14 May 2020): May is evaluated from the 14th and the pack sets no pay', () => {
    // 002 sets no pay figures (二(三): standards are set locally, 三(三): in force by September),
    // so the month is refused for that reason now, not because the pack had not started.
    expect(seeds.monthRange('jilin-2020', '2020-05')).toEqual({
      from: '2020-05-14',
      to: '2020-05-31',
    });
    expect(() => seeds.payMonth('jilin-2020', '2020-05', { post: '委员', years: 3 })).toThrow(
      /在 2020-05-14 没有规定岗位「两委专职成员」的基本工资/,
    );
  });
});

// A certificate obtained inside the month: the documents do not say from when the grade bump
// (004 职业化 (十七)) is paid, so 银川 names the reading (option certificateMonth, chosen
// next-month: the month is the record of its first day). The other reading splits the month.
describe('a certificate obtained inside the month (银川 certificateMonth)', () => {
  const seeds = createPolicyRegistry(readPolicyFiles('policies'));
  // 其他人员 5年 大专 → 2级 1.20, 2400元; 助理社会工作师 +1 → 3级 1.25, 2500元 (004 附件 套改表).
  const gridWorker = {
    post: '网格员',
    years: 5,
    education: '大专',
    stars: 3,
    certificate: '助理社会工作师',
    certificateOn: '2025-03-16',
  };

  it('counts it from the next month by default', () => {
    const march = seeds.payMonth('yinchuan-2018', '2025-03', gridWorker).value;
    expect([march.grade, march.payableFen, march.parts]).toEqual([2, 240000, undefined]);
    const april = seeds.payMonth('yinchuan-2018', '2025-04', gridWorker).value;
    expect([april.grade, april.payableFen]).toEqual([3, 250000]);
  });

  it('splits the month at the day it was obtained under the other reading', () => {
    const draft = seeds.draft('yinchuan-2018', {
      options: { certificateMonth: { chosen: 'by-days' } },
    });
    const { value, trace } = draft.payMonth('yinchuan-2018-draft', '2025-03', gridWorker);
    // 2400 × 15/31 = 1161.290… → 1161.29; (2400×15 + 2500×16)/31 = 2451.612… → 2451.61, so the
    // second part is 1290.32.
    expect(value.parts?.map((p) => [p.from, p.to, p.grade, p.paidDays, p.payableFen])).toEqual([
      ['2025-03-01', '2025-03-15', 2, 15, 116129],
      ['2025-03-16', '2025-03-31', 3, 16, 129032],
    ]);
    expect(value.payableFen).toBe(245161);
    expect(value.parts?.[1]?.changes).toEqual([
      {
        kind: 'record',
        name: 'certificate',
        description: '证书',
        before: '未取得',
        after: '助理社会工作师（2025-03-16取得）',
        source: '人事档案；004 职业化 (十六)',
      },
    ]);
    const parts = trace.filter((s) => s.rule === 'version-part');
    expect(parts[1]?.note).toContain('按2025-03-16的档案计算');
    // A certificate obtained on the 1st, or before the month, is the whole month's.
    const held = draft.payMonth('yinchuan-2018-draft', '2025-03', {
      ...gridWorker,
      certificateOn: '2025-03-01',
    }).value;
    expect([held.grade, held.payableFen, held.parts]).toEqual([3, 250000, undefined]);
    // The batch gives the same month.
    const { out } = draft.batchPayMonth('yinchuan-2018-draft', '2025-03', [gridWorker]);
    expect([out.payableFen[0], out.partList[0]]).toEqual([245161, value.parts]);
  });
});
