import type { TWorkerInput } from '../inputs.ts';
import type { TResolvedPack } from '../registry/resolve.ts';
import type { TPayPart, TPayValue, TVersionChange } from '../types.ts';
import { dayNumber, maxDate, minDate, monthEnd } from '../util/dates.ts';
import { divRound, formatFen, type TRounding } from '../util/decimal.ts';
import type { TPackPrograms } from './compile-pack.ts';
import { evaluatePay, type TPayProgram } from './pay.ts';
import { step, type TTraceSink } from './trace.ts';

/** How a part's running sum is rounded to the fen, as the trace says it. */
const FEN_ROUNDING_TEXT: Record<TRounding, string> = {
  'half-up': '四舍五入',
  floor: '舍去',
  ceil: '进位',
  'half-even': '四舍六入五成双',
};

// A month whose pack changes inside it (a parameter or rule with effective_from on the 16th) is
// computed per version for the days each governs. The worker's facts are those of the month's
// evaluation date (its first day, or the day of joining) in every part; only the pack differs.
// Days are calendar days, as the pack counts joining and leaving (pay-proration by-days), and
// the parts are rounded on their running sum so that they add up exactly to the month.

/** A stretch of a month under one version of a pack (and one state of the worker's record). */
export type TMonthSegment = {
  from: string;
  to: string;
  version: { from: string; to: string | null };
  programs: TPackPrograms;
  /** The worker's record from `from` on, when it changes inside the month (a new post). */
  input?: TWorkerInput;
};

const RECORD_LABELS: Record<string, string> = {
  post: '职务',
  education: '学历',
  certificate: '证书',
  certificateOn: '取得证书日期',
  grade: '等级',
  probation: '试用期',
};

/** What the worker's record changes between two parts (a new post from the 16th). */
export const recordChanges = (prev: TWorkerInput, next: TWorkerInput): TVersionChange[] => {
  const keys = new Set([...Object.keys(prev), ...Object.keys(next)]) as Set<keyof TWorkerInput>;
  const text = (v: unknown) =>
    v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v);
  return [...keys]
    .filter((k) => text(prev[k]) !== text(next[k]))
    .map((k) => ({
      kind: 'record' as const,
      name: k,
      description: RECORD_LABELS[k] ?? k,
      before: text(prev[k]),
      after: text(next[k]),
      source: '人事档案',
    }));
};

/**
 * The days of the month paid, joining after its first day by `join`, leaving before its last
 * by `leave`, both days included (the reading of evaluatePay); null when none.
 * @example paidRange('by-days', 'by-days', '2025-03', '2025-03-10', undefined) // 10th–31st
 */
export const paidRange = (
  join: 'full-month' | 'by-days' | 'none',
  leave: 'by-days' | 'full-month',
  month: string,
  hiredOn: string | undefined,
  leftOn: string | undefined,
): { from: string; to: string } | null => {
  const first = `${month}-01`;
  const last = monthEnd(first);
  if ((hiredOn && hiredOn > last) || (leftOn && leftOn < first)) return null;
  let from = first;
  let to = last;
  if (hiredOn && hiredOn > first && hiredOn <= last) {
    if (join === 'none') return null;
    if (join === 'by-days') from = hiredOn;
  }
  if (leftOn && leftOn >= first && leftOn < last && leave === 'by-days') to = leftOn;
  return to < from ? null : { from, to };
};

/** Days of `range` inside [from, to]. */
export const overlapDays = (
  range: { from: string; to: string } | null,
  from: string,
  to: string,
): number => {
  if (!range) return 0;
  const a = maxDate(range.from, from);
  const b = minDate(range.to, to);
  return b < a ? 0 : dayNumber(b) - dayNumber(a) + 1;
};

/**
 * The month's payable amount split over its parts: part k is round(S_k) − round(S_{k−1}), where
 * S_k = Σ_{j≤k} monthly_j × days_j ÷ monthDays is the exact running sum. The parts add up to
 * round(S_n), the month rounded once; a single part is exactly the ordinary pro-rating.
 * @example splitPayable([{ monthlyFen: 300000, days: 15 }, { monthlyFen: 330000, days: 16 }], 31, 'half-up') // [145161, 170323]
 */
export const splitPayable = (
  parts: readonly { monthlyFen: number; days: number }[],
  monthDays: number,
  rounding: TRounding,
): number[] => {
  let sum = 0;
  let before = 0;
  return parts.map((p) => {
    sum += p.monthlyFen * p.days;
    const upTo = divRound(sum, monthDays, rounding);
    const fen = upTo - before;
    before = upTo;
    return fen;
  });
};

const paramText = (p: TResolvedPack['params'] extends ReadonlyMap<string, infer V> ? V : never) =>
  p.version ? `${p.version.raw}${p.entry.kind === 'money' ? '元' : ''}` : null;

/** What the pack of `next` changes against `prev`: parameter values and rule versions. */
export const versionChanges = (prev: TResolvedPack, next: TResolvedPack): TVersionChange[] => {
  const changes: TVersionChange[] = [];
  for (const [name, p] of next.params) {
    const q = prev.params.get(name);
    if (q?.version?.from === p.version?.from && q?.version?.raw === p.version?.raw) continue;
    changes.push({
      kind: 'parameter',
      name,
      description: p.entry.def.description,
      before: q ? paramText(q) : null,
      after: paramText(p),
      source: p.version?.source ?? p.entry.def.source,
    });
  }
  const key = (r: TResolvedPack['rules'][number]) => `${r.rule.id}@${r.from}`;
  const before = new Map(prev.rules.map((r) => [r.rule.id, r]));
  const kept = new Set(prev.rules.map(key));
  const now = new Set(next.rules.map((r) => r.rule.id));
  for (const r of next.rules) {
    if (kept.has(key(r))) continue;
    changes.push({
      kind: 'rule',
      name: r.rule.id,
      description: r.rule.description,
      before: before.get(r.rule.id)?.from ?? null,
      after: r.from,
      source: r.rule.source,
    });
  }
  for (const r of prev.rules) {
    if (now.has(r.rule.id)) continue;
    changes.push({
      kind: 'rule',
      name: r.rule.id,
      description: r.rule.description,
      before: r.from,
      after: null,
      source: r.rule.source,
    });
  }
  return changes;
};

/** How the month of `evalOn` treats a version starting inside it, and its rounding. */
export const monthSplitRule = (
  pay: TPayProgram,
): { change: 'by-days' | 'month-start'; rounding: TRounding } => ({
  change: pay.proration?.change ?? 'by-days',
  rounding: pay.proration?.rounding ?? 'half-up',
});

const changeText = (c: TVersionChange): string =>
  c.kind !== 'rule'
    ? `${c.description}${c.before ?? '无'}→${c.after ?? '无'}`
    : c.after === null
      ? `不再适用规则「${c.description}」`
      : `适用规则「${c.description}」（自${c.after}起）`;

/**
 * The pay of the month of `evalOn` across the versions of the pack in it and the changes of the
 * worker's record (`segments`, in order, the first one in force on `evalOn` and starting on the
 * month's first day). With one segment, or a pack whose pay-proration says
 * `change: month-start`, or segments that give the same monthly total, this is evaluatePay on
 * `evalOn`; otherwise the value carries its `parts`.
 */
export const evaluatePayMonth = (
  segments: readonly TMonthSegment[],
  input: TWorkerInput,
  evalOn: string,
  t: TTraceSink,
): TPayValue => {
  const head = segments[0] as TMonthSegment;
  const rule = monthSplitRule(head.programs.pay);
  if (segments.length === 1 || rule.change === 'month-start')
    return evaluatePay(head.programs.pay, input, evalOn, t);
  const evaluated = segments.map((s) => {
    const sink: TTraceSink = t ? [] : null;
    return { s, v: evaluatePay(s.programs.pay, s.input ?? input, evalOn, sink, true), sink };
  });
  // Adjacent versions with the same figures are one part: splitting them changes nothing.
  const merged: { first: (typeof evaluated)[number]; to: string; prev: TMonthSegment | null }[] =
    [];
  evaluated.forEach((e, i) => {
    const last = merged[merged.length - 1];
    if (
      last &&
      last.first.v.monthlyTotalFen === e.v.monthlyTotalFen &&
      last.first.v.annualLumpSumFen === e.v.annualLumpSumFen
    )
      last.to = e.s.to;
    else merged.push({ first: e, to: e.s.to, prev: last ? (evaluated[i - 1]?.s ?? null) : null });
  });
  const v0 = evaluated[0]?.v as TPayValue;
  const pr = head.programs.pay.proration;
  const range = paidRange(
    pr?.join ?? 'full-month',
    pr?.leave ?? 'full-month',
    v0.month,
    input.hiredOn,
    input.leftOn,
  );
  // Parts without a paid day (after leaving) are left out; the paid ones are a prefix.
  const paid = merged.filter((m) => overlapDays(range, m.first.s.from, m.to) > 0);
  if (paid.length <= 1) return evaluatePay(head.programs.pay, input, evalOn, t);
  merged.length = paid.length;
  const days = merged.map((m) => overlapDays(range, m.first.s.from, m.to));
  const fen = splitPayable(
    merged.map((m, i) => ({ monthlyFen: m.first.v.monthlyTotalFen, days: days[i] as number })),
    v0.monthDays,
    rule.rounding,
  );
  const parts: TPayPart[] = merged.map((m, i) => ({
    from: m.first.s.from,
    to: m.to,
    version: m.first.s.version,
    changes: m.prev
      ? [
          ...(m.prev.version.from === m.first.s.version.from
            ? []
            : versionChanges(m.prev.programs.ctx.pack, m.first.s.programs.ctx.pack)),
          ...recordChanges(m.prev.input ?? input, m.first.s.input ?? input),
        ]
      : [],
    grade: m.first.v.grade,
    coefficient: m.first.v.coefficient,
    basePayFen: m.first.v.basePayFen,
    monthlyTotalFen: m.first.v.monthlyTotalFen,
    paidDays: days[i] as number,
    payableFen: fen[i] as number,
  }));
  const payableFen = fen.reduce((a, b) => a + b, 0);
  const packName = head.programs.ctx.pack.node.file.name;
  const paidDays = days.reduce((a, b) => a + b, 0);
  if (t) {
    parts.forEach((p, i) => {
      const next = parts[i + 1];
      // The first part cites the clauses the next version replaces; later ones their own.
      const cited = p.changes.length ? p.changes : (next?.changes ?? []);
      const source = [...new Set(cited.map((c) => c.source))].join('；') || packName;
      step(
        t,
        { id: 'version-part', source },
        {
          from: p.from,
          to: p.to,
          version: p.version.from,
          evalOn,
          changes: p.changes.map((c) => c.name),
        },
        p.monthlyTotalFen,
        `第${i + 1}段 ${p.from}至${p.to}：适用「${packName}」自${p.version.from}起的版本${
          p.changes.length ? `（${p.changes.map(changeText).join('；')}）` : ''
        }，按${evalOn}的档案计算，月度合计${formatFen(p.monthlyTotalFen)}`,
      );
      t.push(...(merged[i]?.first.sink ?? []));
    });
    const roundingText = FEN_ROUNDING_TEXT[rule.rounding];
    step(
      t,
      pr?.entry ?? { id: 'month', source: packName },
      {
        hiredOn: input.hiredOn ?? null,
        leftOn: input.leftOn ?? null,
        monthDays: v0.monthDays,
        parts: parts.map((p) => ({
          from: p.from,
          to: p.to,
          monthlyTotalFen: p.monthlyTotalFen,
          paidDays: p.paidDays,
        })),
      },
      payableFen,
      `月内政策版本变更，按日历天数分段折算：${parts
        .map((p) => `${formatFen(p.monthlyTotalFen)}×${p.paidDays}/${v0.monthDays}天`)
        .join(' + ')}，逐段累计${roundingText}到分：${parts
        .map((p) => formatFen(p.payableFen))
        .join(' + ')} = ${formatFen(payableFen)}（在岗${paidDays}/${v0.monthDays}天）`,
    );
  }
  return { ...v0, paidDays, payableFen, parts };
};
