import type { TCompiledExpr } from '../expr/compile.ts';
import { roundNumber } from '../expr/compile.ts';
import type { TCommunityInput, TQuotaInput } from '../inputs.ts';
import { ZNonNegInt, ZRatio, ZRounding } from '../schema/common.ts';
import { ZBoundary, ZRoundPair, ZStepSizes } from '../schema/pack-schema.ts';
import type { TQuotaLineValue, TQuotaValue } from '../types.ts';
import { divRound, type TRatio, type TRounding } from '../util/decimal.ts';
import { inputError, type TCompileCtx, type TRuleEntryOf } from './context.ts';
import { step, type TTraceSink } from './trace.ts';

type TRange = { min: number; max: number | null };

export type TQuotaMethod =
  | {
      kind: 'bands';
      by: 'households' | 'residents';
      bands: { upTo: number | null; min: number; max: number | null }[];
      inclusive: boolean;
    }
  | {
      kind: 'steps';
      by: 'households' | 'residents';
      base: TRange;
      threshold: number;
      step: { min: number; max: number };
      rounding: TRounding;
    }
  | {
      kind: 'per-10k';
      by: 'households' | 'residents';
      ratio: TRatio;
      rounding: TRounding;
      minimum: number;
    }
  | {
      kind: 'per-unit';
      by: 'households' | 'residents';
      size: { min: number; max: number };
      rounding: { min: TRounding; max: TRounding };
      atLeast: number;
    }
  | { kind: 'fixed'; range: TRange }
  | { kind: 'allocation'; table: Map<string, number> }
  | { kind: 'sum'; line: string | null }
  | { kind: 'expr'; min: TCompiledExpr; max: TCompiledExpr; rounding: TRounding };

export type TQuotaLine = {
  entry: TRuleEntryOf<'quota-line'>;
  name: string;
  scope: 'community' | 'street';
  kinds: ReadonlySet<string> | null;
  within: string | null;
  inTotal: boolean;
  reserved: boolean;
  cap: number | undefined;
  method: TQuotaMethod;
};

export type TQuotaProgram = { ctx: TCompileCtx; community: TQuotaLine[]; street: TQuotaLine[] };

const BASE_NAMES = ['households', 'residents', 'kind', 'district'];

/** Compiles quota lines of communities and streets. */
export const compileQuota = (ctx: TCompileCtx): TQuotaProgram => {
  const entries = ctx.rules('quota-line');
  const lines: TQuotaLine[] = [];
  for (const e of entries) {
    const r = e.rule;
    const earlier = lines.filter((l) => l.scope === r.scope).map((l) => l.name);
    let method: TQuotaMethod;
    switch (r.method) {
      case 'bands': {
        const bands = r.bands.map((b) => ({ upTo: b.upTo ?? null, min: b.min, max: b.max }));
        bands.forEach((b, i) => {
          if (b.upTo === null && i !== bands.length - 1)
            throw ctx.fail(e, ['bands', i, 'upTo'], '只有最后一档可以不写 upTo');
          const prev = bands[i - 1];
          if (prev && b.upTo !== null && prev.upTo !== null && b.upTo <= prev.upTo)
            throw ctx.fail(e, ['bands', i, 'upTo'], 'upTo 应逐档递增');
          if (b.max !== null && b.max < b.min)
            throw ctx.fail(e, ['bands', i, 'max'], 'max 小于 min');
        });
        const boundary = ctx.ref(e, ['boundary'], r.boundary, ZBoundary, null);
        method = { kind: 'bands', by: r.by, bands, inclusive: boundary === 'upper-inclusive' };
        break;
      }
      case 'base-plus-steps':
        method = {
          kind: 'steps',
          by: r.by,
          base: r.base,
          threshold: ctx.ref(e, ['threshold'], r.threshold, ZNonNegInt, 'number'),
          step: ctx.ref(e, ['step'], r.step, ZStepSizes, null),
          rounding: ctx.ref(e, ['rounding'], r.rounding, ZRounding, null),
        };
        break;
      case 'per-10k':
        method = {
          kind: 'per-10k',
          by: r.by,
          ratio: ctx.ref(e, ['ratio'], r.ratio, ZRatio, 'ratio'),
          rounding: ctx.ref(e, ['rounding'], r.rounding, ZRounding, null),
          minimum: r.minimum ?? 0,
        };
        break;
      case 'per-unit':
        method = {
          kind: 'per-unit',
          by: r.by,
          size: ctx.ref(e, ['size'], r.size, ZStepSizes, null),
          rounding: ctx.ref(e, ['rounding'], r.rounding, ZRoundPair, null),
          atLeast: r.atLeast,
        };
        break;
      case 'fixed':
        if (r.max !== null && r.max < r.min) throw ctx.fail(e, ['max'], 'max 小于 min');
        method = { kind: 'fixed', range: { min: r.min, max: r.max } };
        break;
      case 'allocation': {
        const table = new Map(Object.entries(r.table));
        for (const k of table.keys()) {
          if (ctx.pack.districts.length && !ctx.pack.districts.includes(k))
            throw ctx.fail(e, ['table', k], `「${k}」不在本包的 districts 中`);
        }
        const sum = [...table.values()].reduce((a, b) => a + b, 0);
        if (r.total !== undefined && sum !== r.total)
          throw ctx.fail(e, ['total'], `各项合计${sum}与总数${r.total}不一致`);
        if (r.scope !== 'street')
          throw ctx.fail(e, ['scope'], 'allocation 只用于街道/区县（scope: street）');
        method = { kind: 'allocation', table };
        break;
      }
      case 'sum-of-communities':
        if (r.scope !== 'street')
          throw ctx.fail(e, ['scope'], 'sum-of-communities 只用于街道/区县（scope: street）');
        method = { kind: 'sum', line: r.line ?? null };
        break;
      case 'expr': {
        const names = [...BASE_NAMES, ...earlier];
        const both = r.expr ? ctx.expr(e, ['expr'], r.expr, names) : null;
        const min = r.min ? ctx.expr(e, ['min'], r.min, names) : both;
        const max = r.max ? ctx.expr(e, ['max'], r.max, names) : both;
        if (!min || !max) throw ctx.fail(e, ['expr'], '需要 expr，或同时写 min 与 max');
        method = { kind: 'expr', min, max, rounding: r.rounding };
        break;
      }
    }
    lines.push({
      entry: e,
      name: r.name,
      scope: r.scope,
      kinds: r.kinds ? new Set(r.kinds) : null,
      within: r.within ?? null,
      inTotal: r.inTotal && !r.within,
      reserved: r.reserved,
      cap: r.cap === undefined ? undefined : ctx.ref(e, ['cap'], r.cap, ZNonNegInt, 'number'),
      method,
    });
  }
  for (const l of lines) {
    if (l.within && !lines.some((o) => o.scope === l.scope && o.name === l.within && o !== l)) {
      throw ctx.fail(l.entry, ['within'], `所属的职数项「${l.within}」不存在`);
    }
  }
  for (const l of lines.filter((x) => x.method.kind === 'sum')) {
    const target = (l.method as { line: string | null }).line;
    if (target && !lines.some((o) => o.scope === 'community' && o.name === target)) {
      throw ctx.fail(l.entry, ['line'], `社区职数项「${target}」不存在`);
    }
  }
  return {
    ctx,
    community: lines.filter((l) => l.scope === 'community'),
    street: lines.filter((l) => l.scope === 'street'),
  };
};

const byValue = (l: TQuotaLine, by: 'households' | 'residents', input: TCommunityInput): number => {
  const v = input[by];
  if (v === undefined) {
    throw inputError(
      by,
      `职数项「${l.name}」（规则「${l.entry.rule.id}」）按${by === 'households' ? '户数 households' : '常住人口 residents'}计算，请提供该数`,
    );
  }
  return v;
};

const BY_TEXT = { households: '户', residents: '人' };

/** One line for one community or street, with its trace step. */
export const evaluateLine = (
  l: TQuotaLine,
  input: TCommunityInput,
  prev: ReadonlyMap<string, TRange>,
  t: TTraceSink,
  communities?: readonly TQuotaValue[],
): TRange => {
  const m = l.method;
  let r: TRange;
  let note: string;
  let inputs: Record<string, unknown>;
  switch (m.kind) {
    case 'bands': {
      const v = byValue(l, m.by, input);
      const band =
        m.bands.find((b) => b.upTo === null || (m.inclusive ? v <= b.upTo : v < b.upTo)) ??
        (m.bands[m.bands.length - 1] as (typeof m.bands)[number]);
      r = { min: band.min, max: band.max };
      const i = m.bands.indexOf(band);
      const lower = m.bands[i - 1]?.upTo;
      const range =
        band.upTo === null
          ? `${lower ?? 0}${BY_TEXT[m.by]}${m.inclusive ? '以上（不含本数）' : '及以上'}`
          : `${lower === undefined || lower === null ? '' : `${lower}${m.inclusive ? '（不含）' : ''}–`}${band.upTo}${BY_TEXT[m.by]}${m.inclusive ? '（含本数）' : '（不含本数）'}${lower === undefined ? '以下' : ''}`;
      inputs = { [m.by]: v };
      note = `${v}${BY_TEXT[m.by]}属于“${range}”一档：${fmt(r)}名`;
      break;
    }
    case 'steps': {
      const v = byValue(l, m.by, input);
      const extra = Math.max(0, v - m.threshold);
      const addMin = divRound(extra, m.step.min, m.rounding);
      const addMax = divRound(extra, m.step.max, m.rounding);
      r = { min: m.base.min + addMin, max: m.base.max === null ? null : m.base.max + addMax };
      inputs = { [m.by]: v, threshold: m.threshold, step: m.step, rounding: m.rounding };
      note =
        extra === 0
          ? `${v}${BY_TEXT[m.by]}未超过${m.threshold}${BY_TEXT[m.by]}：${fmt(m.base)}名`
          : `超过${m.threshold}${BY_TEXT[m.by]}的部分为${extra}${BY_TEXT[m.by]}；下限按每${m.step.min}${BY_TEXT[m.by]}增1名（${ROUND_TEXT[m.rounding]}）增${addMin}名，` +
            (m.base.max === null
              ? '无上限'
              : `上限按每${m.step.max}${BY_TEXT[m.by]}增1名增${addMax}名`) +
            `：${fmt(m.base)} → ${fmt(r)}名`;
      break;
    }
    case 'per-10k': {
      const v = byValue(l, m.by, input);
      const n = Math.max(m.minimum, divRound(v * m.ratio.num, 10000 * m.ratio.den, m.rounding));
      r = { min: n, max: n };
      inputs = { [m.by]: v, ratio: `${m.ratio.num / m.ratio.den}`, rounding: m.rounding };
      note = `${v}${BY_TEXT[m.by]} × 每万${BY_TEXT[m.by]}${m.ratio.num / m.ratio.den}名（${ROUND_TEXT[m.rounding]}）= ${n}名${m.minimum ? `（不少于${m.minimum}名）` : ''}`;
      break;
    }
    case 'per-unit': {
      const v = byValue(l, m.by, input);
      const lo = Math.max(m.atLeast, divRound(v, m.size.min, m.rounding.min));
      const hi = Math.max(lo, divRound(v, m.size.max, m.rounding.max));
      r = { min: lo, max: hi };
      inputs = { [m.by]: v, size: m.size };
      note = `${v}${BY_TEXT[m.by]}按每${m.size.max}–${m.size.min}${BY_TEXT[m.by]}一个：${fmt(r)}个`;
      break;
    }
    case 'fixed':
      r = m.range;
      inputs = {};
      note = `${fmt(r)}名`;
      break;
    case 'allocation': {
      const d = input.district;
      const n = d === undefined ? undefined : m.table.get(d);
      if (n === undefined)
        throw inputError(
          'district',
          `职数项「${l.name}」按区域核定，请提供 district（${[...m.table.keys()].join('、')}）`,
        );
      r = { min: n, max: n };
      inputs = { district: d };
      note = `${d}核定${n}名`;
      break;
    }
    case 'sum': {
      if (!communities)
        throw inputError('communities', `职数项「${l.name}」为所辖社区之和，请提供 communities`);
      let min = 0;
      let max: number | null = 0;
      for (const c of communities) {
        const part = m.line
          ? c.lines.filter((x) => x.name === m.line)
          : [{ min: c.min, max: c.max }];
        for (const p of part) {
          min += p.min;
          max = max === null || p.max === null ? null : max + p.max;
        }
      }
      r = { min, max };
      inputs = { communities: communities.length, line: m.line ?? '合计' };
      note = `所辖${communities.length}个社区的${m.line ?? '职数'}之和：${fmt(r)}`;
      break;
    }
    case 'expr': {
      const env = (bound: 'min' | 'max'): Record<string, number | string | null> => {
        const out: Record<string, number | string | null> = {
          households: input.households ?? null,
          residents: input.residents ?? null,
          kind: input.kind ?? '城市社区',
          district: input.district ?? null,
        };
        for (const [name, v] of prev) out[name] = bound === 'min' ? v.min : v.max;
        return out;
      };
      const run = (f: TCompiledExpr, bound: 'min' | 'max'): number | null => {
        const e = env(bound);
        if (f.names.some((n) => e[n] === null)) return bound === 'max' ? null : 0;
        const v = f.run(e);
        if (typeof v !== 'number')
          throw inputError('households', `职数项「${l.name}」的表达式未得出数值`);
        return Math.max(0, roundNumber(v, m.rounding));
      };
      r = { min: run(m.min, 'min') ?? 0, max: run(m.max, 'max') };
      inputs = Object.fromEntries(
        [...new Set([...m.min.names, ...m.max.names])].map((n) => [n, env('min')[n]]),
      );
      note = `${m.min.src === m.max.src ? m.min.src : `下限 ${m.min.src}，上限 ${m.max.src}`}（上下限分别计算）= ${fmt(r)}`;
      break;
    }
  }
  if (l.cap !== undefined && (r.max === null || r.max > l.cap || r.min > l.cap)) {
    const capped = {
      min: Math.min(r.min, l.cap),
      max: r.max === null ? l.cap : Math.min(r.max, l.cap),
    };
    note += `；每个${l.scope === 'community' ? '社区' : '街道'}最多${l.cap}名，取${fmt(capped)}`;
    r = capped;
  }
  step(t, l.entry, inputs, { min: r.min, max: r.max }, `${l.name}：${note}`);
  return r;
};

const ROUND_TEXT: Record<TRounding, string> = {
  floor: '不足一档不计',
  ceil: '不足一档按一档计',
  'half-up': '四舍五入',
  'half-even': '四舍六入五成双',
};
const fmt = (r: TRange): string =>
  r.max === null ? `不少于${r.min}` : r.min === r.max ? `${r.min}` : `${r.min}–${r.max}`;

const applies = (l: TQuotaLine, kind: string): boolean => !l.kinds || l.kinds.has(kind);

/** Quota of a community. */
export const evaluateCommunityQuota = (
  prog: TQuotaProgram,
  input: TCommunityInput,
  t: TTraceSink,
): TQuotaValue => {
  const kind = input.kind ?? '城市社区';
  const lines = prog.community.filter((l) => applies(l, kind));
  if (lines.length === 0)
    throw inputError(
      'kind',
      `政策包「${prog.ctx.pack.id}」在 ${prog.ctx.date} 没有规定${kind}的职数`,
    );
  return total('community', lines, input, t);
};

const total = (
  scope: 'community' | 'street',
  lines: TQuotaLine[],
  input: TCommunityInput,
  t: TTraceSink,
  communities?: TQuotaValue[],
): TQuotaValue => {
  const prev = new Map<string, TRange>();
  const out: TQuotaLineValue[] = [];
  for (const l of lines) {
    if (prev.has(l.name)) throw inputError('kind', `职数项「${l.name}」有两条规则同时适用`);
    const r = evaluateLine(l, input, prev, t, communities);
    prev.set(l.name, r);
    out.push({
      rule: l.entry.rule.id,
      name: l.name,
      min: r.min,
      max: r.max,
      within: l.within,
      inTotal: l.inTotal,
      reserved: l.reserved,
    });
  }
  const top = out.filter((l) => l.inTotal);
  const min = top.reduce((s, l) => s + l.min, 0);
  const max = top.some((l) => l.max === null)
    ? null
    : top.reduce((s, l) => s + (l.max as number), 0);
  if (top.length > 1) {
    step(
      t,
      { id: 'total', source: lines[0]?.entry.rule.source ?? '' },
      Object.fromEntries(top.map((l) => [l.name, { min: l.min, max: l.max }])),
      { min, max },
      `合计：${top.map((l) => l.name).join(' + ')} = ${fmt({ min, max })}名`,
    );
  }
  return {
    scope,
    min,
    max,
    lines: out,
    ...(communities
      ? { communities: communities.map((c, index) => ({ index, min: c.min, max: c.max })) }
      : {}),
  };
};

/** Quota of a community or, with `scope: street` or `communities`, of a street or county. */
export const evaluateQuota = (
  prog: TQuotaProgram,
  input: TQuotaInput,
  t: TTraceSink,
): TQuotaValue => {
  const scope =
    input.scope ??
    (input.communities
      ? 'street'
      : input.households === undefined && input.residents !== undefined && prog.street.length > 0
        ? 'street'
        : 'community');
  const { communities, scope: _s, ...own } = input;
  if (scope === 'community') return evaluateCommunityQuota(prog, own, t);
  if (prog.street.length === 0)
    throw inputError(
      'scope',
      `政策包「${prog.ctx.pack.id}」在 ${prog.ctx.date} 没有规定街道或区县的职数`,
    );
  const each = communities?.map((c) => evaluateCommunityQuota(prog, c, t));
  return streetTotal(prog.street, own, t, each);
};

/** Whether a street line has the input it needs (street lines are alternative standards). */
const streetLineReady = (
  l: TQuotaLine,
  input: TCommunityInput,
  communities: TQuotaValue[] | undefined,
): boolean => {
  const m = l.method;
  if (m.kind === 'sum') return communities !== undefined;
  if (m.kind === 'allocation') return input.district !== undefined;
  if (m.kind === 'fixed' || m.kind === 'expr') return true;
  return input[m.by] !== undefined;
};

/**
 * A street or county: each standard the pack states (per 10,000 residents, sum of the community
 * quotas, a fixed allocation) is computed when its input is given. One standard gives the
 * quota; several give the range they span, each shown as a line.
 */
const streetTotal = (
  lines: TQuotaLine[],
  input: TCommunityInput,
  t: TTraceSink,
  communities: TQuotaValue[] | undefined,
): TQuotaValue => {
  const ready = lines.filter((l) => streetLineReady(l, input, communities));
  if (ready.length === 0) {
    throw inputError(
      'residents',
      `街道/区县职数需要以下输入之一：${lines.map((l) => `${l.name}（${needText(l)}）`).join('、')}`,
    );
  }
  const prev = new Map<string, TRange>();
  const out: TQuotaLineValue[] = [];
  for (const l of ready) {
    const r = evaluateLine(l, input, prev, t, communities);
    prev.set(l.name, r);
    out.push({
      rule: l.entry.rule.id,
      name: l.name,
      min: r.min,
      max: r.max,
      within: l.within,
      inTotal: l.inTotal,
      reserved: l.reserved,
    });
  }
  const top = out.filter((l) => l.inTotal);
  const min = top.length ? Math.min(...top.map((l) => l.min)) : 0;
  const max = top.some((l) => l.max === null)
    ? null
    : top.length
      ? Math.max(...top.map((l) => l.max as number))
      : 0;
  if (top.length > 1) {
    step(
      t,
      {
        id: 'total',
        source: top.map((l) => ready.find((x) => x.name === l.name)?.entry.rule.source).join('；'),
      },
      Object.fromEntries(top.map((l) => [l.name, { min: l.min, max: l.max }])),
      { min, max },
      `按不同口径：${top.map((l) => `${l.name} ${fmt(l)}`).join('；')}，取其范围 ${fmt({ min, max })}名`,
    );
  }
  return {
    scope: 'street',
    min,
    max,
    lines: out,
    ...(communities
      ? { communities: communities.map((c, index) => ({ index, min: c.min, max: c.max })) }
      : {}),
  };
};

const needText = (l: TQuotaLine): string => {
  const m = l.method;
  if (m.kind === 'sum') return 'communities';
  if (m.kind === 'allocation') return 'district';
  if (m.kind === 'fixed' || m.kind === 'expr') return '无';
  return m.by;
};
