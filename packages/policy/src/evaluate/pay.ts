import type { TCompiledExpr } from '../expr/compile.ts';
import { roundNumber } from '../expr/compile.ts';
import type { TWorkerInput } from '../inputs.ts';
import type { TRuleEntry } from '../registry/pack-node.ts';
import { ZRatio, ZYuan } from '../schema/common.ts';
import {
  ZAllowanceMode,
  ZJoinMonth,
  ZLeaveMonth,
  ZPeriod,
  ZRecordChange,
  ZVersionChange,
} from '../schema/pack-schema.ts';
import type { TAllowanceValue, TPayValue } from '../types.ts';
import { dateParts, dayNumber, daysInMonth, monthEnd, monthStart } from '../util/dates.ts';
import {
  divRound,
  formatFen,
  formatShare,
  mulRatio,
  ratio,
  subRatios,
  type TRatio,
  type TRounding,
} from '../util/decimal.ts';
import {
  inputError,
  single,
  type TCompileCtx,
  type TPostRef,
  type TRuleEntryOf,
} from './context.ts';
import {
  evaluateGrade,
  exprInputs,
  statisticFen,
  type TGradeProgram,
  WORKER_EXPR_NAMES,
  workerEnv,
} from './grade.ts';
import { step, type TTraceSink } from './trace.ts';

export const PAY_EXPR_NAMES = [...WORKER_EXPR_NAMES, 'basePay'] as const;

export type TPerformance = {
  entry: TRuleEntry;
  applies: (p: TPostRef) => boolean;
  rounding: TRounding;
} & (
  | {
      kind: 'stars';
      amounts: (number | undefined)[];
      period: 'month' | 'year';
      byAssessment: Map<string, TRatio>;
    }
  | { kind: 'share-of-total' | 'share-of-base'; share: TRatio; period: 'month' }
  | { kind: 'fixed'; amountFen: number; period: 'month' | 'year' }
  | { kind: 'expr'; expr: TCompiledExpr; period: 'month' | 'year' }
);

export type TAllowance = {
  entry: TRuleEntryOf<'pay-allowance'>;
  name: string;
  applies: (p: TPostRef) => boolean;
  when: TCompiledExpr | null;
  by: string;
  amounts: Map<string, number>;
  amountFen: number;
  expr: TCompiledExpr | null;
  mode: 'table' | 'cap-of-input';
  period: 'month' | 'year';
  rounding: TRounding;
};

export type TFloor = {
  entry: TRuleEntryOf<'pay-floor'>;
  applies: (p: TPostRef) => boolean;
  statistic: string;
  packValueFen: number | undefined;
  annual: boolean;
  share: TRatio | undefined;
  byDistrict: Map<string, TRatio>;
  rounding: TRounding;
};

export type TPayProgram = {
  grade: TGradeProgram;
  performance: TPerformance[];
  allowances: TAllowance[];
  floors: TFloor[];
  proration:
    | {
        entry: TRuleEntry;
        join: 'full-month' | 'by-days' | 'none';
        leave: 'by-days' | 'full-month';
        change: 'by-days' | 'month-start';
        recordChange: 'next-month' | 'by-days';
        rounding: TRounding;
      }
    | undefined;
  protection: { entry: TRuleEntryOf<'pay-protection'>; applies: (p: TPostRef) => boolean }[];
};

const one = <T extends { applies: (p: TPostRef) => boolean; entry: TRuleEntry }>(
  list: T[],
  post: TPostRef,
  what: string,
): T | undefined => {
  const hits = list.filter((x) => x.applies(post));
  if (hits.length > 1) {
    throw inputError(
      'post',
      `岗位「${post.category}」同时适用规则「${hits[0]?.entry.rule.id}」和「${hits[1]?.entry.rule.id}」，${what}只能有一条（请在规则 who 中区分）`,
    );
  }
  return hits[0];
};

/** Compiles the pay stage on top of the grade stage. */
export const compilePay = (ctx: TCompileCtx, grade: TGradeProgram): TPayProgram => {
  const compilePerformance = (e: TRuleEntryOf<'pay-performance'>): TPerformance => {
    const r = e.rule;
    const common = { entry: e, applies: ctx.who(e, r.who), rounding: r.rounding };
    switch (r.method) {
      case 'by-stars': {
        const amounts: (number | undefined)[] = [0, 1, 2, 3, 4, 5].map((s) => {
          const v = r.amounts[String(s)];
          return v === undefined
            ? undefined
            : ctx.ref(e, ['amounts', String(s)], v, ZYuan, 'money');
        });
        const byAssessment = new Map<string, TRatio>();
        for (const [k, v] of Object.entries(r.byAssessment ?? {}))
          byAssessment.set(k, ctx.ref(e, ['byAssessment', k], v, ZRatio, 'ratio'));
        return {
          ...common,
          kind: 'stars',
          amounts,
          period: ctx.ref(e, ['period'], r.period, ZPeriod, null),
          byAssessment,
        };
      }
      case 'share-of-total':
      case 'share-of-base': {
        const share = ctx.ref(e, ['share'], r.share, ZRatio, 'ratio');
        if (r.method === 'share-of-total' && share.num >= share.den)
          throw ctx.fail(e, ['share'], '绩效占比应小于100%');
        return { ...common, kind: r.method, share, period: 'month' };
      }
      case 'fixed':
        return {
          ...common,
          kind: 'fixed',
          amountFen: ctx.ref(e, ['amount'], r.amount, ZYuan, 'money'),
          period: ctx.ref(e, ['period'], r.period, ZPeriod, null),
        };
      case 'expr':
        return {
          ...common,
          kind: 'expr',
          expr: ctx.expr(e, ['expr'], r.expr, PAY_EXPR_NAMES),
          period: ctx.ref(e, ['period'], r.period, ZPeriod, null),
        };
    }
  };
  const performance = ctx.rules('pay-performance').map(compilePerformance);
  const allowances: TAllowance[] = ctx.rules('pay-allowance').map((e) => {
    const r = e.rule;
    const amounts = new Map<string, number>();
    for (const [k, v] of Object.entries(r.amounts ?? {})) {
      if (r.by === 'category') ctx.category(e, ['amounts', k], k);
      amounts.set(k, ctx.ref(e, ['amounts', k], v, ZYuan, 'money'));
    }
    if (['certificate', 'education', 'category', 'grade'].includes(r.by) && !r.amounts)
      throw ctx.fail(e, ['amounts'], `按${r.by}发放的津贴需要 amounts`);
    if (r.by === 'fixed' && r.amount === undefined)
      throw ctx.fail(e, ['amount'], '固定津贴需要 amount');
    if (r.by === 'expr' && !r.expr) throw ctx.fail(e, ['expr'], '按表达式发放的津贴需要 expr');
    return {
      entry: e,
      name: r.name,
      applies: ctx.who(e, r.who),
      when: r.when ? ctx.expr(e, ['when'], r.when, PAY_EXPR_NAMES) : null,
      by: r.by,
      amounts,
      amountFen: r.amount === undefined ? 0 : ctx.ref(e, ['amount'], r.amount, ZYuan, 'money'),
      expr: r.expr ? ctx.expr(e, ['expr'], r.expr, PAY_EXPR_NAMES) : null,
      mode: ctx.ref(e, ['mode'], r.mode, ZAllowanceMode, null),
      period: ctx.ref(e, ['period'], r.period, ZPeriod, null),
      rounding: r.rounding,
    };
  });
  const floors: TFloor[] = ctx.rules('pay-floor').map((e) => {
    const r = e.rule;
    const stat = ctx.pack.params.get(r.statistic);
    if (stat?.entry.section !== 'statistics')
      throw ctx.fail(e, ['statistic'], `统计数据「${r.statistic}」未在 statistics 中声明`);
    const byDistrict = new Map<string, TRatio>();
    for (const [k, v] of Object.entries(r.byDistrict ?? {})) {
      if (ctx.pack.districts.length && !ctx.pack.districts.includes(k))
        throw ctx.fail(e, ['byDistrict', k], `「${k}」不在本包的 districts 中`);
      byDistrict.set(k, ctx.ref(e, ['byDistrict', k], v, ZRatio, 'ratio'));
    }
    if (!r.share && byDistrict.size === 0) throw ctx.fail(e, ['share'], '需要 share 或 byDistrict');
    const v = stat.version?.value;
    return {
      entry: e,
      applies: ctx.who(e, r.who),
      statistic: r.statistic,
      packValueFen: v?.kind === 'money' ? v.fen : undefined,
      annual: r.statisticPeriod === 'year',
      share: r.share === undefined ? undefined : ctx.ref(e, ['share'], r.share, ZRatio, 'ratio'),
      byDistrict,
      rounding: r.rounding,
    };
  });
  const pr = single(ctx, ctx.rules('pay-proration'), '当月折算');
  const proration = pr
    ? {
        entry: pr,
        join: ctx.ref(pr, ['join'], pr.rule.join, ZJoinMonth, null),
        leave: ctx.ref(pr, ['leave'], pr.rule.leave, ZLeaveMonth, null),
        change:
          pr.rule.change === undefined
            ? ('by-days' as const)
            : ctx.ref(pr, ['change'], pr.rule.change, ZVersionChange, null),
        recordChange:
          pr.rule.recordChange === undefined
            ? ('next-month' as const)
            : ctx.ref(pr, ['recordChange'], pr.rule.recordChange, ZRecordChange, null),
        rounding: pr.rule.rounding,
      }
    : undefined;
  const protection = ctx
    .rules('pay-protection')
    .map((e) => ({ entry: e, applies: ctx.who(e, e.rule.who) }));
  return { grade, performance, allowances, floors, proration, protection };
};

type TEnv = Record<string, number | string | boolean | null>;

// Module-level on purpose: a closure created per evaluation costs a microsecond or more under
// tsx (esbuild keepNames wraps it) and the engine evaluates millions of rows.
const payEnv = (
  prog: TPayProgram,
  input: TWorkerInput,
  g: ReturnType<typeof evaluateGrade>,
): TEnv => ({
  ...workerEnv(prog.grade, input, g.postRef, {
    years: g.years,
    grade: g.grade,
    coefficient: g.coefficientRatio,
    probation: g.probation,
  }),
  basePay: (g.basePayFen as number) / 100,
});

const periodText = (p: 'month' | 'year'): string => (p === 'month' ? '月' : '年');

/**
 * Monthly base pay, performance, allowances, floor, protection and the month's payable amount.
 * `inPart`: the value is one part of a month split by pack versions (evaluatePayMonth), whose
 * pro-rating step that function writes; this one leaves its own out of the trace.
 */
export const evaluatePay = (
  prog: TPayProgram,
  input: TWorkerInput,
  date: string,
  t: TTraceSink,
  inPart = false,
): TPayValue => {
  const ctx = prog.grade.ctx;
  const g = evaluateGrade(prog.grade, input, date, t, false);
  const post = g.postRef;
  if (g.basePayFen === null) {
    throw inputError(
      'post',
      `政策包「${ctx.pack.id}」在 ${date} 没有规定岗位「${post.category}」的基本工资（缺少 pay-base 规则）`,
    );
  }
  const probation = g.probationRule;
  let envCache: TEnv | null = null;

  // Pension offset first: it changes the base actually paid (004 (十七) 返聘离退休人员).
  let base = g.basePayFen;
  let pensionOffsetFen = 0;
  const retiree = prog.protection.find(
    (p) => p.entry.rule.method === 'retiree-offset' && p.applies(post),
  );
  if (retiree && input.pensionFen !== undefined) {
    pensionOffsetFen = Math.min(input.pensionFen, base);
    base -= pensionOffsetFen;
    step(
      t,
      retiree.entry,
      { pensionFen: input.pensionFen, basePayFen: g.basePayFen },
      base,
      input.pensionFen < g.basePayFen
        ? `退休金${formatFen(input.pensionFen)}低于基本薪酬${formatFen(g.basePayFen)}，补齐差额${formatFen(base)}，另享受绩效薪酬`
        : `退休金${formatFen(input.pensionFen)}不低于基本薪酬${formatFen(g.basePayFen)}，不发基本薪酬，只享受绩效薪酬`,
    );
  }

  let performanceFen = 0;
  let performancePeriod: 'month' | 'year' | null = null;
  const perf = one(prog.performance, post, '绩效工资');
  if (perf && probation && !probation.performance) {
    step(t, probation.entry, { probation: true }, 0, '试用期只享受基础薪酬，不发绩效');
  } else if (perf) {
    performancePeriod = perf.period;
    switch (perf.kind) {
      case 'stars': {
        if (input.stars === undefined)
          throw inputError(
            'stars',
            `规则「${perf.entry.rule.id}」按社区党组织星级发放绩效，请提供 stars（0–5）`,
          );
        const amount = perf.amounts[input.stars];
        if (amount === undefined)
          throw inputError('stars', `规则「${perf.entry.rule.id}」没有${input.stars}星的绩效标准`);
        performanceFen = amount;
        let note = `社区党组织${input.stars}星，绩效${formatFen(amount)}/${periodText(perf.period)}`;
        const f = input.assessment ? perf.byAssessment.get(input.assessment) : undefined;
        if (f) {
          performanceFen = mulRatio(amount, f, perf.rounding);
          note += `；年度考核${input.assessment}按${formatShare(f)}计为${formatFen(performanceFen)}`;
        }
        step(
          t,
          perf.entry,
          { stars: input.stars, assessment: input.assessment ?? null },
          performanceFen,
          note,
        );
        break;
      }
      case 'share-of-total': {
        // base : performance = (1 − share) : share, so performance = base × share / (1 − share).
        const rest = subRatios(ratio(1), perf.share);
        performanceFen = divRound(
          g.basePayFen * perf.share.num * rest.den,
          perf.share.den * rest.num,
          perf.rounding,
        );
        step(
          t,
          perf.entry,
          { basePayFen: g.basePayFen, share: formatShare(perf.share) },
          performanceFen,
          `绩效占薪酬${formatShare(perf.share)}、基础占${formatShare(rest)}：绩效标准 = ${formatFen(g.basePayFen)} × ${formatShare(perf.share)} ÷ ${formatShare(rest)} = ${formatFen(performanceFen)}/月（按考核分配）`,
        );
        break;
      }
      case 'share-of-base':
        performanceFen = mulRatio(g.basePayFen, perf.share, perf.rounding);
        step(
          t,
          perf.entry,
          { basePayFen: g.basePayFen, share: formatShare(perf.share) },
          performanceFen,
          `绩效 = 基本工资 × ${formatShare(perf.share)} = ${formatFen(performanceFen)}/月`,
        );
        break;
      case 'fixed':
        performanceFen = perf.amountFen;
        step(
          t,
          perf.entry,
          {},
          performanceFen,
          `绩效${formatFen(performanceFen)}/${periodText(perf.period)}`,
        );
        break;
      case 'expr': {
        envCache ??= payEnv(prog, input, g);
        const e = envCache;
        const v = perf.expr.run(e);
        if (typeof v !== 'number')
          throw inputError('post', `规则「${perf.entry.rule.id}」的表达式未得出金额`);
        performanceFen = roundNumber(v * 100, perf.rounding);
        step(
          t,
          perf.entry,
          exprInputs(perf.expr, e),
          performanceFen,
          `绩效按表达式 ${perf.expr.src} = ${formatFen(performanceFen)}/${periodText(perf.period)}`,
        );
        break;
      }
    }
  }

  const allowances: TAllowanceValue[] = [];
  for (const a of prog.allowances) {
    if (!a.applies(post)) continue;
    if (probation && !probation.allowances) continue;
    if (a.when) {
      envCache ??= payEnv(prog, input, g);
      const ok = a.when.run(envCache);
      if (ok !== true) {
        step(t, a.entry, { when: a.when.src }, 0, `${a.name}：条件「${a.when.src}」不满足，不发放`);
        continue;
      }
    }
    let fen = 0;
    let note = '';
    if (a.by === 'fixed') fen = a.amountFen;
    else if (a.by === 'expr') {
      envCache ??= payEnv(prog, input, g);
      const v = (a.expr as TCompiledExpr).run(envCache);
      fen = typeof v === 'number' ? roundNumber(v * 100, a.rounding) : 0;
    } else {
      const key =
        a.by === 'certificate'
          ? (input.certificate ?? '无')
          : a.by === 'education'
            ? (input.education ?? '')
            : a.by === 'category'
              ? post.category
              : String(g.grade);
      fen = a.amounts.get(key) ?? 0;
      note = key;
    }
    if (a.mode === 'cap-of-input') {
      const asked = input.allowances?.[a.name];
      const cap = fen;
      fen = asked === undefined ? 0 : Math.min(asked, cap);
      step(
        t,
        a.entry,
        { [a.by]: note, requestedFen: asked ?? null, capFen: cap },
        fen,
        `${a.name}：${note}上限${formatFen(cap)}/${periodText(a.period)}，核定${formatFen(fen)}`,
      );
    } else if (fen > 0) {
      step(
        t,
        a.entry,
        { [a.by]: note },
        fen,
        `${a.name}：${note ? `${note} ` : ''}${formatFen(fen)}/${periodText(a.period)}`,
      );
    }
    if (fen > 0)
      allowances.push({ rule: a.entry.rule.id, name: a.name, amountFen: fen, period: a.period });
  }

  const monthlyAllowances = allowances
    .filter((a) => a.period === 'month')
    .reduce((s, a) => s + a.amountFen, 0);
  let monthly = base + (performancePeriod === 'month' ? performanceFen : 0) + monthlyAllowances;

  let floorTopUpFen = 0;
  const floor = one(prog.floors, post, '薪酬保底');
  if (floor) {
    const stat = statisticFen(ctx, floor.statistic, input, floor.packValueFen);
    const share =
      (input.district ? floor.byDistrict.get(input.district) : undefined) ?? floor.share;
    if (!share)
      throw inputError(
        'district',
        `规则「${floor.entry.rule.id}」按区县规定保底比例，请提供 district（${[...floor.byDistrict.keys()].join('、')}）`,
      );
    const floorFen = floor.annual
      ? divRound(stat * share.num, share.den * 12, floor.rounding)
      : mulRatio(stat, share, floor.rounding);
    floorTopUpFen = Math.max(0, floorFen - monthly);
    step(
      t,
      floor.entry,
      {
        statistic: stat,
        share: formatShare(share),
        district: input.district ?? null,
        monthlyFen: monthly,
      },
      floorTopUpFen,
      `保底 = ${floor.statistic}${formatFen(stat)} × ${formatShare(share)}${floor.annual ? ' ÷ 12' : ''} = ${formatFen(floorFen)}/月；${floorTopUpFen > 0 ? `补足${formatFen(floorTopUpFen)}` : '已不低于保底'}`,
    );
    monthly += floorTopUpFen;
  }

  let protectedFen = 0;
  const keep = prog.protection.find(
    (p) => p.entry.rule.method === 'keep-previous' && p.applies(post),
  );
  if (keep && input.previousPayFen !== undefined) {
    protectedFen = Math.max(0, input.previousPayFen - monthly);
    step(
      t,
      keep.entry,
      { previousPayFen: input.previousPayFen, monthlyFen: monthly },
      protectedFen,
      protectedFen > 0
        ? `原工资${formatFen(input.previousPayFen)}高于新标准${formatFen(monthly)}，保持不降，保留差额${formatFen(protectedFen)}`
        : `新标准不低于原工资${formatFen(input.previousPayFen)}`,
    );
    monthly += protectedFen;
  }

  const annualLumpSumFen =
    (performancePeriod === 'year' ? performanceFen : 0) +
    allowances.filter((a) => a.period === 'year').reduce((s, a) => s + a.amountFen, 0);

  // The month of the evaluation date: pro-rate when joining or leaving inside it.
  const { y, m } = dateParts(date);
  const monthDays = daysInMonth(y, m);
  const first = monthStart(date);
  const last = monthEnd(date);
  let from = first;
  let to = last;
  const notes: string[] = [];
  const pr = prog.proration;
  if (input.hiredOn && input.hiredOn > first && input.hiredOn <= last) {
    const join = pr?.join ?? 'full-month';
    if (join === 'by-days') from = input.hiredOn;
    else if (join === 'none') to = '0000-00-00';
    notes.push(
      join === 'by-days'
        ? `${input.hiredOn}任职，按天折算`
        : join === 'none'
          ? `${input.hiredOn}任职，次月起发放`
          : `${input.hiredOn}任职，从任职当月起发放全月`,
    );
  }
  if (input.leftOn && input.leftOn >= first && input.leftOn < last) {
    const leave = pr?.leave ?? 'full-month';
    if (leave === 'by-days') to = input.leftOn;
    notes.push(
      leave === 'by-days'
        ? `${input.leftOn}离职，按离职日期折算当月`
        : `${input.leftOn}离职，当月全额发放`,
    );
  }
  if ((input.hiredOn && input.hiredOn > last) || (input.leftOn && input.leftOn < first))
    to = '0000-00-00';
  const paidDays = to < from ? 0 : dayNumber(to) - dayNumber(from) + 1;
  const payableFen =
    paidDays === monthDays
      ? monthly
      : divRound(monthly * paidDays, monthDays, pr?.rounding ?? 'half-up');
  if (!inPart && (notes.length || paidDays !== monthDays)) {
    step(
      t,
      pr?.entry ?? { id: 'month', source: '输入' },
      { hiredOn: input.hiredOn ?? null, leftOn: input.leftOn ?? null, monthDays },
      payableFen,
      `${notes.join('；') || '当月未在岗'}：${paidDays}/${monthDays}天，应发${formatFen(payableFen)}`,
    );
  }
  step(
    t,
    { id: 'total', source: ctx.pack.node.file.name },
    {
      basePayFen: base,
      performanceFen,
      monthlyAllowancesFen: monthlyAllowances,
      floorTopUpFen,
      protectedFen,
    },
    monthly,
    `月度合计${formatFen(monthly)}${annualLumpSumFen ? `；另按年一次性发放${formatFen(annualLumpSumFen)}` : ''}`,
  );

  return {
    post: g.post,
    title: g.title,
    years: g.years,
    probation: g.probation,
    grade: g.grade,
    baseGrade: g.baseGrade,
    bumps: g.bumps,
    coefficient: g.coefficient,
    basePayFen: g.basePayFen,
    performanceFen,
    performancePeriod,
    allowances,
    floorTopUpFen,
    protectedFen,
    pensionOffsetFen,
    monthlyTotalFen: monthly,
    annualLumpSumFen,
    month: date.slice(0, 7),
    paidDays,
    monthDays,
    payableFen,
  };
};
