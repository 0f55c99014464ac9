import { AppError, CERTIFICATE_LEVELS, EDUCATION_LEVELS } from '@shegong/shared';
import * as z from 'zod';
import type { TCompiledExpr } from '../expr/compile.ts';
import { roundNumber } from '../expr/compile.ts';
import type { TWorkerInput } from '../inputs.ts';
import type { TRuleEntry } from '../registry/pack-node.ts';
import { ZNonNegInt, ZRatio, ZYuan } from '../schema/common.ts';
import {
  ZBool,
  ZBumpCombine,
  ZMissingAssessment,
  ZWeakYear,
  ZYearsRounding,
} from '../schema/pack-schema.ts';
import { serviceYearsDetail, type TServicePeriod } from '../service-years.ts';
import type { TGradeValue } from '../types.ts';
import { addMonths } from '../util/dates.ts';
import {
  formatFen,
  formatRatio,
  mulRatio,
  mulRatios,
  ratio,
  type TRatio,
  type TRounding,
} from '../util/decimal.ts';
import {
  inputError,
  resolvePost,
  single,
  type TCompileCtx,
  type TPostRef,
  type TRuleEntryOf,
} from './context.ts';
import { step, type TTraceSink } from './trace.ts';

// ---- compiled descriptors (shared by the trace evaluator and the batch kernels) ---------------

export type TYearsBand = { grade: number; from: number; to: number | null; text: string };

export type TLadder =
  | { kind: 'years'; entry: TRuleEntry; bands: TYearsBand[]; span: [number, number] }
  | {
      kind: 'promotion';
      entry: TRuleEntryOf<'grade-by-promotion'>;
      entryGrade: number | 'input';
      every: number;
      passing: ReadonlySet<string>;
      onWeak: 'delay' | 'block';
      missing: 'pass' | 'fail';
      span: [number, number];
    }
  | { kind: 'expr'; entry: TRuleEntry; expr: TCompiledExpr; span: [number, number] };

export type TBump = {
  entry: TRuleEntryOf<'grade-bump'>;
  by: 'education' | 'certificate' | 'expr';
  levels: ReadonlyMap<string, number>;
  expr: TCompiledExpr | null;
  recognisedOnly: boolean;
  heldOnDate: boolean;
  withinSpan: boolean;
  applies: (post: TPostRef) => boolean;
};

export type TProbation = {
  entry: TRuleEntryOf<'probation'>;
  months: number;
  applies: (post: TPostRef) => boolean;
  pay:
    | { kind: 'coefficient'; coefficient: TRatio }
    | { kind: 'percent'; percent: TRatio }
    | { kind: 'full' };
  performance: boolean;
  allowances: boolean;
};

export type TPayBase =
  | { kind: 'amount'; entry: TRuleEntry; amountFen: number; rounding: TRounding }
  | {
      kind: 'statistic';
      entry: TRuleEntry;
      statistic: string;
      factor: TRatio;
      multiplier: TRatio;
      share: TRatio | null;
      annual: boolean;
      packValueFen: number | undefined;
      rounding: TRounding;
    }
  | {
      kind: 'components';
      entry: TRuleEntryOf<'pay-base'>;
      components: {
        name: string;
        by: string;
        table: Map<string, number>;
        bands: { from: number; fen: number }[];
        fen: number;
      }[];
    }
  | { kind: 'given'; entry: TRuleEntry }
  | { kind: 'expr'; entry: TRuleEntry; expr: TCompiledExpr; rounding: TRounding };

export type TGradeProgram = {
  ctx: TCompileCtx;
  years: {
    entry: TRuleEntryOf<'service-years'> | undefined;
    rounding: 'floor' | 'ceil';
    exclude: ReadonlySet<string>;
    accumulate: boolean;
  };
  ladders: (TLadder | undefined)[];
  tableMax: number;
  bumps: TBump[];
  limits: {
    entry: TRuleEntry | undefined;
    combine: 'stack' | 'highest';
    maxTotal: (number | undefined)[];
  };
  coefficients: { entry: TRuleEntry; table: Map<number, TRatio>; decimals: number } | undefined;
  probation: TProbation[];
  payBase: { entry: TRuleEntryOf<'pay-base'>; base: TPayBase; applies: (p: TPostRef) => boolean }[];
};

/** Names an expression of the grade and pay stages may read. */
export const WORKER_EXPR_NAMES = [
  'years',
  'grade',
  'coefficient',
  'category',
  'title',
  'education',
  'certificate',
  'stars',
  'probation',
  'assessment',
  'district',
  'age',
  'certificateApproved',
  'localResident',
  '持证',
] as const;

const BAND_PATTERNS: { re: RegExp; make: (m: RegExpExecArray) => [number, number | null] }[] = [
  { re: /^(\d+)\s*年?\s*(?:及以上|以上|\+)$/, make: (m) => [Number(m[1]), null] },
  { re: /^(?:≥|>=)\s*(\d+)\s*年?$/, make: (m) => [Number(m[1]), null] },
  { re: /^(\d+)\s*年?\s*(?:及以下|以下)$/, make: (m) => [0, Number(m[1])] },
  { re: /^(?:≤|<=)\s*(\d+)\s*年?$/, make: (m) => [0, Number(m[1])] },
  { re: /^(\d+)\s*(?:-|–|—|~|至)\s*(\d+)\s*年?$/, make: (m) => [Number(m[1]), Number(m[2])] },
  { re: /^(\d+)\s*年?$/, make: (m) => [Number(m[1]), Number(m[1])] },
];

/** Parses a years band as the documents write it: `34年及以上`, `31-33年`, `3年及以下`. */
export const parseYearsBand = (text: string): [number, number | null] | undefined => {
  const t = text.trim();
  for (const p of BAND_PATTERNS) {
    const m = p.re.exec(t);
    if (m) return p.make(m);
  }
  return undefined;
};

const compileYearsLadders = (
  ctx: TCompileCtx,
  entry: TRuleEntryOf<'grade-by-years'>,
  ladders: (TLadder | undefined)[],
): void => {
  const perCat = new Map<string, TYearsBand[]>();
  for (const [g, row] of Object.entries(entry.rule.table)) {
    for (const [cat, text] of Object.entries(row)) {
      ctx.category(entry, ['table', g, cat], cat);
      const band = parseYearsBand(text);
      if (!band)
        throw ctx.fail(
          entry,
          ['table', g, cat],
          `无法识别的年限「${text}」（可写 34年及以上、31-33年、3年及以下）`,
        );
      perCat.set(cat, [
        ...(perCat.get(cat) ?? []),
        { grade: Number(g), from: band[0], to: band[1], text },
      ]);
    }
  }
  for (const [cat, bands] of perCat) {
    bands.sort((a, b) => a.from - b.from);
    let expect = 0;
    for (const [i, b] of bands.entries()) {
      const key = ['table', String(b.grade), cat];
      if (b.from !== expect) {
        throw ctx.fail(
          entry,
          key,
          `岗位「${cat}」的年限段不连续：应从 ${expect} 年开始，实际「${b.text}」`,
        );
      }
      if (i > 0 && b.grade <= (bands[i - 1] as TYearsBand).grade)
        throw ctx.fail(entry, key, `岗位「${cat}」的等级应随年限递增`);
      if (b.to === null && i !== bands.length - 1)
        throw ctx.fail(entry, key, `岗位「${cat}」只有最高一段可以是“及以上”`);
      if (b.to !== null && i === bands.length - 1)
        throw ctx.fail(entry, key, `岗位「${cat}」的最高一段应为“N年及以上”`);
      expect = (b.to ?? 0) + 1;
    }
    const idx = ctx.category(entry, ['table'], cat);
    if (ladders[idx])
      throw ctx.fail(
        entry,
        ['table'],
        `岗位「${cat}」已由规则「${ladders[idx]?.entry.rule.id}」定级`,
      );
    const grades = bands.map((b) => b.grade);
    ladders[idx] = {
      kind: 'years',
      entry,
      bands,
      span: [Math.min(...grades), Math.max(...grades)],
    };
  }
};

const spanOf = (
  ctx: TCompileCtx,
  entry: TRuleEntry,
  span: Record<string, [number, number]>,
  ladders: (TLadder | undefined)[],
  make: (s: [number, number]) => TLadder,
): void => {
  for (const [cat, s] of Object.entries(span)) {
    const idx = ctx.category(entry, ['span', cat], cat);
    if (s[0] > s[1]) throw ctx.fail(entry, ['span', cat], '等级范围下限大于上限');
    if (ladders[idx])
      throw ctx.fail(
        entry,
        ['span', cat],
        `岗位「${cat}」已由规则「${ladders[idx]?.entry.rule.id}」定级`,
      );
    ladders[idx] = make(s);
  }
};

const levelMap = (ctx: TCompileCtx, entry: TRuleEntryOf<'grade-bump'>): Map<string, number> => {
  const allowed: readonly string[] =
    entry.rule.by === 'education' ? EDUCATION_LEVELS : CERTIFICATE_LEVELS;
  const m = new Map<string, number>();
  for (const [k, v] of Object.entries(entry.rule.levels ?? {})) {
    if (!allowed.includes(k))
      throw ctx.fail(
        entry,
        ['levels', k],
        `「${k}」不是${entry.rule.by === 'education' ? '学历' : '证书'}等级（${allowed.join('、')}）`,
      );
    m.set(k, ctx.ref(entry, ['levels', k], v, ZNonNegInt, 'number'));
  }
  return m;
};

/** Compiles the grade stage and the base pay that follows from a grade. */
export const compileGrade = (ctx: TCompileCtx): TGradeProgram => {
  const sy = single(ctx, ctx.rules('service-years'), '工作年限的计算');
  const years: TGradeProgram['years'] = {
    entry: sy,
    rounding: sy ? ctx.ref(sy, ['rounding'], sy.rule.rounding, ZYearsRounding, null) : 'floor',
    exclude: new Set(sy?.rule.excludeAssessments ?? []),
    accumulate: sy?.rule.accumulate ?? true,
  };
  const ladders: (TLadder | undefined)[] = ctx.categories.map(() => undefined);
  for (const e of ctx.rules('grade-by-years')) compileYearsLadders(ctx, e, ladders);
  for (const e of ctx.rules('grade-by-promotion')) {
    const r = e.rule;
    const every = ctx.ref(e, ['everyYears'], r.everyYears, z.number().int().positive(), 'number');
    const onWeak = ctx.ref(e, ['onWeakYear'], r.onWeakYear, ZWeakYear, null);
    const missing = ctx.ref(
      e,
      ['missingAssessment'],
      r.missingAssessment,
      ZMissingAssessment,
      null,
    );
    spanOf(ctx, e, r.span, ladders, (span) => ({
      kind: 'promotion',
      entry: e,
      entryGrade: 'input',
      every,
      passing: new Set(r.passing),
      onWeak,
      missing,
      span,
    }));
    if (r.entry !== 'input') {
      for (const [cat, g] of Object.entries(r.entry)) {
        const idx = ctx.category(e, ['entry', cat], cat);
        const l = ladders[idx];
        if (!l || l.entry !== e)
          throw ctx.fail(e, ['entry', cat], `岗位「${cat}」不在本规则的 span 中`);
        (l as { entryGrade: number | 'input' }).entryGrade = ctx.ref(
          e,
          ['entry', cat],
          g,
          ZNonNegInt,
          'number',
        );
      }
    }
  }
  for (const e of ctx.rules('grade-by-expr')) {
    const expr = ctx.expr(e, ['expr'], e.rule.expr, WORKER_EXPR_NAMES);
    spanOf(ctx, e, e.rule.span, ladders, (span) => ({ kind: 'expr', entry: e, expr, span }));
  }
  const tableMax = Math.max(0, ...ladders.map((l) => l?.span[1] ?? 0));

  const bumps: TBump[] = ctx.rules('grade-bump').map((e) => {
    if (e.rule.by !== 'expr' && !e.rule.levels)
      throw ctx.fail(e, ['levels'], '缺少 levels（各等级提高的级数）');
    if (e.rule.by === 'expr' && !e.rule.expr) throw ctx.fail(e, ['expr'], '缺少 expr');
    return {
      entry: e,
      by: e.rule.by,
      levels: e.rule.by === 'expr' ? new Map() : levelMap(ctx, e),
      expr:
        e.rule.by === 'expr'
          ? ctx.expr(e, ['expr'], e.rule.expr as string, WORKER_EXPR_NAMES)
          : null,
      recognisedOnly: e.rule.recognisedOnly,
      heldOnDate: e.rule.heldOnDate,
      withinSpan: ctx.ref(e, ['withinSpan'], e.rule.withinSpan, ZBool, 'boolean'),
      applies: ctx.who(e, e.rule.who),
    };
  });
  const lim = single(ctx, ctx.rules('grade-bump-limits'), '提级的合并与上限');
  const maxTotal: (number | undefined)[] = ctx.categories.map(() => undefined);
  for (const [cat, v] of Object.entries(lim?.rule.maxTotal ?? {})) {
    const l = lim as TRuleEntryOf<'grade-bump-limits'>;
    maxTotal[ctx.category(l, ['maxTotal', cat], cat)] = ctx.ref(
      l,
      ['maxTotal', cat],
      v,
      ZNonNegInt,
      'number',
    );
  }
  const limits = {
    entry: lim,
    combine: lim
      ? ctx.ref(lim, ['combine'], lim.rule.combine, ZBumpCombine, null)
      : ('stack' as const),
    maxTotal,
  };

  const ce = single(ctx, ctx.rules('grade-coefficients'), '等级系数表');
  let coefficients: TGradeProgram['coefficients'];
  if (ce) {
    const table = new Map<number, TRatio>();
    for (const [g, v] of Object.entries(ce.rule.table))
      table.set(Number(g), ctx.ref(ce, ['table', g], v, ZRatio, 'ratio'));
    coefficients = { entry: ce, table, decimals: ce.rule.decimals };
    for (const l of ladders) {
      if (!l) continue;
      for (let g = l.span[0]; g <= tableMax; g++) {
        if (!table.has(g))
          throw ctx.fail(
            ce,
            ['table'],
            `缺少第${g}级的系数（规则「${l.entry.rule.id}」可达到该等级）`,
          );
      }
    }
  }

  const probation: TProbation[] = ctx.rules('probation').map((e) => {
    const p = e.rule.pay;
    const pay: TProbation['pay'] =
      'coefficient' in p
        ? {
            kind: 'coefficient',
            coefficient: ctx.ref(e, ['pay', 'coefficient'], p.coefficient, ZRatio, 'ratio'),
          }
        : 'percentOfEntry' in p
          ? {
              kind: 'percent',
              percent: ctx.ref(e, ['pay', 'percentOfEntry'], p.percentOfEntry, ZRatio, 'ratio'),
            }
          : { kind: 'full' };
    return {
      entry: e,
      months: ctx.ref(e, ['months'], e.rule.months, z.number().int().positive(), 'number'),
      applies: ctx.who(e, e.rule.who),
      pay,
      performance: e.rule.performance,
      allowances: e.rule.allowances,
    };
  });

  const payBase = ctx.rules('pay-base').map((e) => ({
    entry: e,
    base: compilePayBase(ctx, e, coefficients !== undefined),
    applies: ctx.who(e, e.rule.who),
  }));
  return { ctx, years, ladders, tableMax, bumps, limits, coefficients, probation, payBase };
};

const compilePayBase = (
  ctx: TCompileCtx,
  e: TRuleEntryOf<'pay-base'>,
  hasCoefficients: boolean,
): TPayBase => {
  const r = e.rule;
  const needCoef = (): void => {
    if (!hasCoefficients)
      throw ctx.fail(
        e,
        ['method'],
        '按系数计算基本工资，但本包没有等级系数表（grade-coefficients）',
      );
  };
  switch (r.method) {
    case 'coefficient-times-amount':
      needCoef();
      return {
        kind: 'amount',
        entry: e,
        amountFen: ctx.ref(e, ['amount'], r.amount, ZYuan, 'money'),
        rounding: r.rounding,
      };
    case 'coefficient-times-statistic': {
      const stat = ctx.pack.params.get(r.statistic);
      if (stat?.entry.section !== 'statistics')
        throw ctx.fail(e, ['statistic'], `统计数据「${r.statistic}」未在 statistics 中声明`);
      if (stat.entry.kind !== 'money')
        throw ctx.fail(e, ['statistic'], `统计数据「${r.statistic}」应以元为单位`);
      const multiplier = ctx.ref(e, ['multiplier'], r.multiplier, ZRatio, 'ratio');
      const share = r.share === undefined ? null : ctx.ref(e, ['share'], r.share, ZRatio, 'ratio');
      const annual = r.statisticPeriod === 'year';
      let factor = mulRatios(multiplier, share ?? ratio(1));
      if (annual) factor = mulRatios(factor, ratio(1, 12));
      const v = stat.version?.value;
      return {
        kind: 'statistic',
        entry: e,
        statistic: r.statistic,
        factor,
        multiplier,
        share,
        annual,
        packValueFen: v?.kind === 'money' ? v.fen : undefined,
        rounding: r.rounding,
      };
    }
    case 'components':
      return {
        kind: 'components',
        entry: e,
        components: r.components.map((c, i) => {
          const key = ['components', i];
          const table = new Map<string, number>();
          for (const [k, v] of Object.entries(c.table ?? {})) {
            if (c.by === 'category') ctx.category(e, [...key, 'table', k], k);
            table.set(k, ctx.ref(e, [...key, 'table', k], v, ZYuan, 'money'));
          }
          const bands = (c.bands ?? []).map((b, j) => ({
            from: b.from,
            fen: ctx.ref(e, [...key, 'bands', j, 'amount'], b.amount, ZYuan, 'money'),
          }));
          bands.sort((a, b) => a.from - b.from);
          if (c.by === 'years' && bands.length === 0)
            throw ctx.fail(e, [...key, 'bands'], '按年限的组成部分需要 bands');
          if (c.by === 'fixed' && c.amount === undefined)
            throw ctx.fail(e, [...key, 'amount'], '固定组成部分需要 amount');
          if (!['years', 'fixed'].includes(c.by) && !c.table)
            throw ctx.fail(e, [...key, 'table'], `按${c.by}的组成部分需要 table`);
          const fen =
            c.amount === undefined ? 0 : ctx.ref(e, [...key, 'amount'], c.amount, ZYuan, 'money');
          return { name: c.name, by: c.by, table, bands, fen };
        }),
      };
    case 'given':
      return { kind: 'given', entry: e };
    case 'expr':
      return {
        kind: 'expr',
        entry: e,
        expr: ctx.expr(e, ['expr'], r.expr, WORKER_EXPR_NAMES),
        rounding: r.rounding,
      };
  }
};

// ---- the trace evaluator ----------------------------------------------------------------------

/** What the grade stage passes on to pay. */
export type TGradeCore = TGradeValue & {
  postRef: TPostRef;
  coefficientRatio: TRatio | null;
  probationRule: TProbation | undefined;
};

const ENGINE = { id: 'input', source: '输入' };

/**
 * The public part of a grade result. Written out field by field: object rest on the internal
 * result was measured at tens of microseconds per call under tsx.
 */
export const gradeValueOf = (g: TGradeCore): TGradeValue => ({
  post: g.post,
  title: g.title,
  years: g.years,
  probation: g.probation,
  grade: g.grade,
  baseGrade: g.baseGrade,
  bumps: g.bumps,
  coefficient: g.coefficient,
  basePayFen: g.basePayFen,
});

/** The values an expression read, for the trace. */
export const exprInputs = (
  e: TCompiledExpr,
  env: Record<string, unknown>,
): Record<string, unknown> => ({
  expr: e.src,
  ...Object.fromEntries(e.names.map((n) => [n, env[n] ?? null])),
});

/** Environment for worker expressions. */
export const workerEnv = (
  prog: TGradeProgram,
  input: TWorkerInput,
  post: TPostRef,
  extra: {
    years?: number;
    grade?: number | null;
    coefficient?: TRatio | null;
    probation?: boolean;
  },
): TWorkerEnv => {
  // Built field by field (no object spread: measured slow in V8 for this shape).
  const env: TWorkerEnv = {
    years: extra.years ?? input.years ?? null,
    grade: extra.grade ?? null,
    coefficient: extra.coefficient ? extra.coefficient.num / extra.coefficient.den : null,
    category: post.category,
    title: post.title,
    education: input.education ?? null,
    certificate: input.certificate ?? '无',
    stars: input.stars ?? null,
    probation: extra.probation ?? false,
    assessment: input.assessment ?? null,
    district: input.district ?? null,
    age: null,
    certificateApproved: input.certificateApproved ?? false,
    localResident: input.localResident ?? false,
    持证: (input.certificate ?? '无') !== '无',
  };
  addStatistics(prog.ctx, env, input.statistics);
  return env;
};

export type TWorkerEnv = Record<string, number | string | boolean | null>;

/** Statistics into an expression environment, in 元: the input's value, else the pack's. */
export const addStatistics = (
  ctx: TCompileCtx,
  env: TWorkerEnv,
  given: Record<string, number> | undefined,
): void => {
  for (const n of ctx.statNames) {
    const v = given?.[n];
    env[n] = v !== undefined ? v / 100 : (ctx.statDefaults[n] ?? null);
  }
};

/** Years of community work for the grade, by the pack's `service-years` rule. */
export const yearsFor = (
  prog: TGradeProgram,
  input: TWorkerInput,
  date: string,
  t: TTraceSink,
): number => {
  const y = prog.years;
  const cite = y.entry ?? { id: 'service-years', source: '本包未规定，按满年计（serviceYears）' };
  if (input.years !== undefined) {
    step(t, cite, { years: input.years }, input.years, `社区工作年限按输入为${input.years}年`);
    return input.years;
  }
  let periods: TServicePeriod[] | undefined =
    input.servicePeriods ?? (input.serviceStart ? [{ from: input.serviceStart }] : undefined);
  if (!periods || periods.length === 0)
    throw inputError('years', '缺少社区工作年限：请提供 years、serviceStart 或 servicePeriods');
  if (!y.accumulate && periods.length > 1)
    periods = [...periods].sort((a, b) => (a.from < b.from ? -1 : 1)).slice(-1);
  const d = serviceYearsDetail(periods, date);
  let years = d.years;
  const partial = d.months % 12 > 0 || d.days > 0;
  if (y.rounding === 'ceil' && partial) years += 1;
  const startYear = Number((periods.map((p) => p.from).sort()[0] as string).slice(0, 4));
  const dateYear = Number(date.slice(0, 4));
  const excluded = Object.entries(input.assessments ?? {})
    .filter(([yr, g]) => y.exclude.has(g) && Number(yr) >= startYear && Number(yr) < dateYear)
    .map(([yr]) => yr)
    .sort();
  const net = Math.max(0, years - excluded.length);
  const rounding = y.rounding === 'ceil' ? '不满一年按一年计' : '按满年计';
  step(
    t,
    cite,
    { periods, date, months: d.months, days: d.days, excludedYears: excluded },
    net,
    `社区工作${Math.floor(d.months / 12)}年${d.months % 12}个月${d.days}天，${rounding}为${years}年` +
      (excluded.length
        ? `；${excluded.join('、')}年度考核为${[...y.exclude].join('/')}，不计入，实计${net}年`
        : ''),
  );
  return net;
};

const ladderGrade = (
  prog: TGradeProgram,
  l: TLadder,
  input: TWorkerInput,
  post: TPostRef,
  years: number,
  date: string,
  t: TTraceSink,
): number => {
  if (l.kind === 'years') {
    const band = l.bands.find(
      (b) => years >= b.from && (b.to === null || years <= b.to),
    ) as TYearsBand;
    step(
      t,
      l.entry,
      { post: post.category, years },
      band.grade,
      `${post.category}，社区工作${years}年，属“${band.text}”，定为${band.grade}级`,
    );
    return band.grade;
  }
  if (l.kind === 'expr') {
    const v = l.expr.run(workerEnv(prog, input, post, { years }));
    if (typeof v !== 'number')
      throw inputError('post', `规则「${l.entry.rule.id}」的表达式未得出等级`);
    const g = Math.min(l.span[1], Math.max(l.span[0], roundNumber(v, 'floor')));
    step(
      t,
      l.entry,
      { post: post.category, years },
      g,
      `按表达式 ${l.expr.src} 定为${g}级（本岗位${l.span[0]}–${l.span[1]}级）`,
    );
    return g;
  }
  // Promotion every N years, from an entry grade, subject to the assessment of each year.
  const entry = l.entryGrade === 'input' ? input.entryGrade : l.entryGrade;
  if (entry === undefined)
    throw inputError(
      'entryGrade',
      `规则「${l.entry.rule.id}」需要起始等级 entryGrade（政策未规定各岗位起始等级）`,
    );
  const startDate = input.servicePeriods?.map((p) => p.from).sort()[0] ?? input.serviceStart;
  const startYear = startDate ? Number(startDate.slice(0, 4)) : Number(date.slice(0, 4)) - years;
  let grade = Math.min(Math.max(entry, l.span[0]), l.span[1]);
  let inGrade = 0;
  let windowOk = true;
  const events: string[] = [];
  for (let k = 1; k <= years; k++) {
    const yr = String(startYear + k - 1);
    const result = input.assessments?.[yr];
    const pass = result ? l.passing.has(result) : l.missing === 'pass';
    if (l.onWeak === 'delay') {
      if (!pass) {
        events.push(`${yr}年度${result ?? '无考核结果'}，该年不计入晋级年限`);
        continue;
      }
      inGrade++;
    } else {
      inGrade++;
      if (!pass) windowOk = false;
    }
    if (inGrade === l.every) {
      if (windowOk && grade < l.span[1]) {
        grade++;
        events.push(`第${k}年晋升至${grade}级`);
      } else if (!windowOk) events.push(`第${k}年因考核不达标未晋级`);
      inGrade = 0;
      windowOk = true;
    }
  }
  step(
    t,
    l.entry,
    {
      post: post.category,
      entryGrade: entry,
      years,
      everyYears: l.every,
      assessments: input.assessments ?? {},
    },
    grade,
    `起始${entry}级，每满${l.every}年且年度考核为${[...l.passing].join('或')}晋升一级${events.length ? `：${events.join('；')}` : ''}，现为${grade}级`,
  );
  return grade;
};

/** The probation rule that applies to a worker on the date, if the worker is on probation. */
const probationFor = (
  prog: TGradeProgram,
  input: TWorkerInput,
  post: TPostRef,
  date: string,
  t: TTraceSink,
): TProbation | undefined => {
  const rule = prog.probation.find((p) => p.applies(post));
  if (input.probation === false) return undefined;
  if (input.probation === true) {
    if (!rule) {
      step(
        t,
        ENGINE,
        { probation: true },
        false,
        `本政策包对${post.category}未规定试用期待遇，按正式人员计算`,
      );
      return undefined;
    }
    step(
      t,
      rule.entry,
      { probation: true },
      true,
      `按输入处于试用期（${rule.entry.rule.description}）`,
    );
    return rule;
  }
  if (!rule || !input.hiredOn) return undefined;
  const ends = addMonths(input.hiredOn, rule.months);
  if (date >= input.hiredOn && date < ends) {
    step(
      t,
      rule.entry,
      { hiredOn: input.hiredOn, months: rule.months },
      true,
      `${input.hiredOn}聘用，试用期${rule.months}个月至${ends}前，当日处于试用期`,
    );
    return rule;
  }
  return undefined;
};

/** Applies education and certificate bumps with the pack's caps. */
const applyBumps = (
  prog: TGradeProgram,
  input: TWorkerInput,
  post: TPostRef,
  base: number,
  span: [number, number],
  years: number,
  date: string,
  t: TTraceSink,
): number => {
  const found: { bump: TBump; v: number }[] = [];
  for (const b of prog.bumps) {
    if (!b.applies(post)) continue;
    let v = 0;
    if (b.by === 'education') {
      const edu = input.education;
      v = edu ? (b.levels.get(edu) ?? 0) : 0;
      if (v > 0 && b.recognisedOnly && input.educationRecognised === false) {
        step(
          t,
          b.entry,
          { education: edu, educationRecognised: false },
          0,
          `${edu}学历未经国家认可，不提级`,
        );
        continue;
      }
      if (v > 0)
        step(
          t,
          b.entry,
          { education: edu },
          v,
          `${edu}学历提高${v}级${b.withinSpan ? '（在本岗位等级范围内）' : ''}`,
        );
    } else if (b.by === 'certificate') {
      const cert = input.certificate ?? '无';
      v = b.levels.get(cert) ?? 0;
      if (b.heldOnDate && input.certificateOn && input.certificateOn > date) {
        // Not yet held on the date: the certificate held before it, if any.
        const before = input.certificateBefore;
        const w = before ? (b.levels.get(before) ?? 0) : 0;
        if (v === 0 && w === 0) continue;
        step(
          t,
          b.entry,
          { certificate: cert, certificateOn: input.certificateOn, before },
          w,
          w > 0
            ? `${cert}证书于${input.certificateOn}取得，当日持${before}证书，提高${w}级${b.withinSpan ? '（在本岗位等级范围内）' : '（不受本岗位等级范围限制）'}`
            : `${cert}证书于${input.certificateOn}取得，当日尚未持有，不提级`,
        );
        if (w > 0) found.push({ bump: b, v: w });
        continue;
      }
      if (v > 0)
        step(
          t,
          b.entry,
          { certificate: cert },
          v,
          `持${cert}证书提高${v}级${b.withinSpan ? '（在本岗位等级范围内）' : '（不受本岗位等级范围限制）'}`,
        );
    } else {
      const r = (b.expr as TCompiledExpr).run(workerEnv(prog, input, post, { years, grade: base }));
      v = typeof r === 'number' ? Math.max(0, roundNumber(r, 'floor')) : 0;
      if (v > 0) step(t, b.entry, { expr: b.expr?.src }, v, `按表达式提高${v}级`);
    }
    if (v > 0) found.push({ bump: b, v });
  }
  if (found.length === 0) return base;
  let capped = 0;
  let uncapped = 0;
  const lim = prog.limits;
  if (lim.combine === 'highest') {
    const best = found.reduce((a, b) =>
      b.v > a.v || (b.v === a.v && b.bump.withinSpan && !a.bump.withinSpan) ? b : a,
    );
    if (best.bump.withinSpan) capped = best.v;
    else uncapped = best.v;
    if (found.length > 1 && lim.entry) {
      step(
        t,
        lim.entry,
        { bumps: found.map((f) => ({ rule: f.bump.entry.rule.id, levels: f.v })) },
        best.v,
        `就高不叠加：取最高的提级${best.v}级（规则「${best.bump.entry.rule.id}」）`,
      );
    }
  } else {
    for (const f of found) {
      if (f.bump.withinSpan) capped += f.v;
      else uncapped += f.v;
    }
  }
  const max = lim.maxTotal[post.index];
  if (max !== undefined && capped + uncapped > max && lim.entry) {
    const before = capped + uncapped;
    capped = Math.min(capped, max);
    uncapped = Math.min(uncapped, max - capped);
    step(
      t,
      lim.entry,
      { post: post.category, bumps: before, maxTotal: max },
      max,
      `${post.category}提级合计不超过${max}级（原为${before}级）`,
    );
  }
  const withinSpan = Math.min(base + capped, span[1]);
  if (base + capped > span[1]) {
    step(
      t,
      found.find((f) => f.bump.withinSpan)?.bump.entry ?? ENGINE,
      { grade: base + capped, spanMax: span[1] },
      span[1],
      `${base}级加提级后为${base + capped}级，超过本岗位最高${span[1]}级，按${span[1]}级计`,
    );
  }
  const final = Math.min(withinSpan + uncapped, prog.tableMax);
  if (withinSpan + uncapped > prog.tableMax) {
    step(
      t,
      found.find((f) => !f.bump.withinSpan)?.bump.entry ?? ENGINE,
      { grade: withinSpan + uncapped, tableMax: prog.tableMax },
      prog.tableMax,
      `超过等级表最高${prog.tableMax}级，按${prog.tableMax}级计`,
    );
  }
  return final;
};

/** Statistic value in fen on the date: the input's, else the pack's. */
export const statisticFen = (
  ctx: TCompileCtx,
  name: string,
  input: { statistics?: Record<string, number> | undefined },
  packValue: number | undefined,
): number => {
  const v = input.statistics?.[name] ?? packValue;
  if (v === undefined) {
    throw inputError(
      `statistics.${name}`,
      `缺少统计数据「${name}」（${ctx.pack.params.get(name)?.entry.def.description ?? ''}）：请在输入 statistics 中提供（单位：分），或在政策包中录入`,
    );
  }
  return v;
};

/** Base pay of a grade and coefficient (before probation percentages). */
export const basePayFen = (
  prog: TGradeProgram,
  pb: TPayBase,
  input: TWorkerInput,
  post: TPostRef,
  g: { years: number; grade: number | null; coefficient: TRatio | null; probation: boolean },
  t: TTraceSink,
): number => {
  switch (pb.kind) {
    case 'amount': {
      const fen = mulRatio(pb.amountFen, g.coefficient as TRatio, pb.rounding);
      step(
        t,
        pb.entry,
        {
          coefficient: formatRatio(g.coefficient as TRatio, prog.coefficients?.decimals ?? 2),
          amount: formatFen(pb.amountFen),
        },
        fen,
        `基本工资 = ${formatFen(pb.amountFen)} × ${formatRatio(g.coefficient as TRatio, prog.coefficients?.decimals ?? 2)} = ${formatFen(fen)}/月`,
      );
      return fen;
    }
    case 'statistic': {
      const stat = statisticFen(prog.ctx, pb.statistic, input, pb.packValueFen);
      const coef = g.coefficient ?? ratio(1);
      const fen = mulRatio(stat, mulRatios(pb.factor, coef), pb.rounding);
      const parts = [`${pb.statistic}${formatFen(stat)}`, `× ${formatRatio(pb.multiplier, 2)}倍`];
      if (pb.share) parts.push(`× ${(pb.share.num * 100) / pb.share.den}%`);
      if (g.coefficient)
        parts.push(`× 系数${formatRatio(g.coefficient, prog.coefficients?.decimals ?? 2)}`);
      if (pb.annual) parts.push('÷ 12个月');
      step(
        t,
        pb.entry,
        {
          statistic: stat,
          multiplier: formatRatio(pb.multiplier, 2),
          share: pb.share && formatRatio(pb.share, 2),
          coefficient: g.coefficient && formatRatio(g.coefficient, 2),
        },
        fen,
        `基本工资 = ${parts.join(' ')} = ${formatFen(fen)}/月`,
      );
      return fen;
    }
    case 'components': {
      let total = 0;
      const lines: string[] = [];
      for (const c of pb.components) {
        let fen = 0;
        if (c.by === 'fixed') fen = c.fen;
        else if (c.by === 'years')
          fen = [...c.bands].reverse().find((b) => g.years >= b.from)?.fen ?? 0;
        else {
          const key =
            c.by === 'category'
              ? post.category
              : c.by === 'grade'
                ? String(g.grade)
                : c.by === 'education'
                  ? (input.education ?? '')
                  : (input.certificate ?? '无');
          fen = c.table.get(key) ?? 0;
        }
        total += fen;
        lines.push(`${c.name}${formatFen(fen)}`);
      }
      step(
        t,
        pb.entry,
        { post: post.category, grade: g.grade, years: g.years },
        total,
        `基本工资 = ${lines.join(' + ')} = ${formatFen(total)}/月`,
      );
      return total;
    }
    case 'given': {
      if (input.basePayFen === undefined)
        throw inputError(
          'basePayFen',
          `规则「${pb.entry.rule.id}」：基础报酬按本人岗位等级由所在地确定，请在输入中提供 basePayFen（分/月）`,
        );
      step(
        t,
        pb.entry,
        { basePayFen: input.basePayFen },
        input.basePayFen,
        `基础报酬按输入为${formatFen(input.basePayFen)}/月（${pb.entry.rule.description}）`,
      );
      return input.basePayFen;
    }
    case 'expr': {
      const env = workerEnv(prog, input, post, g);
      for (const n of pb.expr.names) {
        const p = prog.ctx.pack.params.get(n);
        if (p?.entry.section === 'statistics' && (env[n] === null || env[n] === undefined))
          statisticFen(prog.ctx, n, input, undefined);
      }
      const v = pb.expr.run(env);
      if (typeof v !== 'number')
        throw inputError('post', `规则「${pb.entry.rule.id}」的表达式未得出金额`);
      const fen = roundNumber(v * 100, pb.rounding);
      step(
        t,
        pb.entry,
        exprInputs(pb.expr, env),
        fen,
        `基本工资按表达式 ${pb.expr.src} = ${formatFen(fen)}/月`,
      );
      return fen;
    }
  }
};

/**
 * Grade of a worker on the compiled date, with its trace.
 * Steps: post category → years → probation → ladder → bumps and caps → coefficient → base pay.
 */
export const evaluateGrade = (
  prog: TGradeProgram,
  input: TWorkerInput,
  date: string,
  t: TTraceSink,
  requireGrade = true,
): TGradeCore => {
  const ctx = prog.ctx;
  const post = resolvePost(ctx.pack, input.post);
  const mapping = ctx.pack.posts[post.index];
  if (post.title && mapping) {
    step(
      t,
      { id: 'posts', source: mapping.source },
      { post: input.post },
      post.category,
      `职务「${post.title}」属于岗位类别「${post.category}」（${mapping.description}）`,
    );
  }
  const ladder = prog.ladders[post.index];
  const probationRule = probationFor(prog, input, post, date, t);
  let years = 0;
  let grade: number | null;
  let baseGrade: number | null = null;
  let bumps = 0;
  if (input.grade !== undefined) {
    years = input.years ?? 0;
    grade = input.grade;
    step(t, ENGINE, { grade: input.grade }, grade, `岗位等级按输入为${grade}级`);
  } else if (probationRule?.pay.kind === 'coefficient') {
    const known =
      input.years !== undefined ||
      input.serviceStart !== undefined ||
      input.servicePeriods !== undefined;
    years = known ? yearsFor(prog, input, date, t) : 0;
    grade = null;
  } else if (!ladder) {
    // No grade ladder (e.g. 长春新区: the pay annex is not public): pay can still follow from a
    // given base, but a grade cannot be computed.
    if (requireGrade) {
      throw inputError(
        'post',
        `政策包「${ctx.pack.id}」在 ${date} 没有规定岗位「${post.category}」的等级（缺少定级规则）`,
      );
    }
    const known =
      input.years !== undefined ||
      input.serviceStart !== undefined ||
      input.servicePeriods !== undefined;
    years = known ? yearsFor(prog, input, date, t) : 0;
    grade = null;
  } else {
    years = yearsFor(prog, input, date, t);
    baseGrade = ladderGrade(prog, ladder, input, post, years, date, t);
    grade = applyBumps(prog, input, post, baseGrade, ladder.span, years, date, t);
    bumps = grade - baseGrade;
  }
  let coefficientRatio: TRatio | null = null;
  const decimals = prog.coefficients?.decimals ?? 2;
  if (probationRule?.pay.kind === 'coefficient') {
    coefficientRatio = probationRule.pay.coefficient;
    step(
      t,
      probationRule.entry,
      { probation: true },
      formatRatio(coefficientRatio, decimals),
      `试用期工资系数${formatRatio(coefficientRatio, decimals)}（${probationRule.entry.rule.description}）`,
    );
  } else if (prog.coefficients && grade !== null) {
    const c = prog.coefficients.table.get(grade);
    if (!c) throw inputError('grade', `等级${grade}不在系数表中`);
    coefficientRatio = c;
    step(
      t,
      prog.coefficients.entry,
      { grade },
      formatRatio(c, decimals),
      `${grade}级工资系数${formatRatio(c, decimals)}`,
    );
  }
  const pb = prog.payBase.find((p) => p.applies(post));
  let basePay: number | null = null;
  if (
    pb &&
    (pb.base.kind === 'components' ||
      pb.base.kind === 'given' ||
      pb.base.kind === 'expr' ||
      coefficientRatio ||
      pb.base.kind === 'statistic')
  ) {
    if (
      probationRule?.pay.kind === 'coefficient' &&
      pb.base.kind !== 'amount' &&
      pb.base.kind !== 'statistic'
    ) {
      throw inputError(
        'probation',
        `规则「${probationRule.entry.rule.id}」按系数计试用期工资，但基本工资规则「${pb.entry.rule.id}」不按系数计算`,
      );
    }
    try {
      basePay = basePayFen(
        prog,
        pb.base,
        input,
        post,
        { years, grade, coefficient: coefficientRatio, probation: !!probationRule },
        t,
      );
    } catch (e) {
      // The grade question does not depend on pay inputs (a statistic, a given base): answer it
      // and say why the base pay is missing. The pay evaluation still requires them.
      if (!requireGrade || !(e instanceof AppError) || e.code !== 'VALIDATION_FAILED') throw e;
      step(t, pb.entry, {}, null, `未计算基本工资：${e.message}`);
    }
    if (basePay !== null && probationRule?.pay.kind === 'percent') {
      const p = probationRule.pay.percent;
      const full = basePay;
      basePay = mulRatio(full, p, 'half-up');
      step(
        t,
        probationRule.entry,
        { basePayFen: full, percent: `${(p.num * 100) / p.den}%` },
        basePay,
        `试用期按定级工资的${(p.num * 100) / p.den}%发放：${formatFen(basePay)}/月`,
      );
    }
  }
  return {
    post: post.category,
    title: post.title,
    years,
    probation: !!probationRule,
    grade,
    baseGrade,
    bumps,
    coefficient: coefficientRatio ? formatRatio(coefficientRatio, decimals) : null,
    basePayFen: basePay,
    postRef: post,
    coefficientRatio,
    probationRule,
  };
};
