import type { TWorkerInput } from '../inputs.ts';
import type { TResolvedPack } from '../registry/resolve.ts';
import type { TPayPart, TPayValue, TVersionChange } from '../types.ts';
import { addDays, dayNumber, maxDate, minDate, monthEnd } from '../util/dates.ts';
import { divRound, formatFen, type TRounding } from '../util/decimal.ts';
import type { TPackPrograms } from './compile-pack.ts';
import { inputError } from './context.ts';
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
  /**
   * The day the stretch's record is evaluated on, when not the month's evaluation date: a
   * certificate obtained on the 16th counts from that day (pay-proration `recordChange: by-days`).
   */
  on?: string;
  /** Dated changes of the record the stretch starts with (the certificate obtained that day). */
  dated?: TVersionChange[];
};

const RECORD_LABELS: Record<string, string> = {
  post: '职务',
  education: '学历',
  certificate: '证书',
  certificateOn: '取得证书日期',
  certificateBefore: '原证书',
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

/** A parameter's value as the tables write it: money as 3,300.00元 (from fen), else as the pack. */
const paramText = (p: TResolvedPack['params'] extends ReadonlyMap<string, infer V> ? V : never) =>
  !p.version
    ? null
    : p.version.value.kind === 'money'
      ? formatFen(p.version.value.fen)
      : String(p.version.raw);

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
): {
  change: 'by-days' | 'month-start';
  recordChange: 'next-month' | 'by-days';
  rounding: TRounding;
} => ({
  change: pay.proration?.change ?? 'by-days',
  recordChange: pay.proration?.recordChange ?? 'next-month',
  rounding: pay.proration?.rounding ?? 'half-up',
});

/**
 * The day inside the month (after `evalOn`, up to `lastDay`) from which a certificate obtained
 * then counts, when the pack splits a month at such a change (`recordChange: by-days`); null when
 * it counts from the next month or there is none.
 */
export const certificateSplitOn = (
  pay: TPayProgram,
  w: TWorkerInput,
  evalOn: string,
  lastDay: string,
): string | null =>
  monthSplitRule(pay).recordChange === 'by-days' &&
  w.certificate !== undefined &&
  w.certificate !== '无' &&
  w.certificateOn !== undefined &&
  w.certificateOn > evalOn &&
  w.certificateOn <= lastDay
    ? w.certificateOn
    : null;

/**
 * Cuts the month's segments at day `on` (in place): the segment holding it becomes two, the
 * second starting that day. Returns the segments starting on or after `on` (none when `on` lies
 * outside them), for the caller to give the record of that day.
 */
export const cutSegmentsAt = (segments: TMonthSegment[], on: string): TMonthSegment[] => {
  const k = segments.findIndex((s) => s.from <= on && on <= s.to);
  const s = segments[k];
  if (!s) return [];
  if (s.from < on) segments.splice(k, 1, { ...s, to: addDays(on, -1) }, { ...s, from: on });
  return segments.filter((later) => later.from >= on);
};

/** Cuts the month's segments at a certificate obtained inside it: later stretches count it. */
export const splitAtCertificate = (
  segments: TMonthSegment[],
  w: TWorkerInput,
  on: string,
  source: string,
): void => {
  const later = cutSegmentsAt(segments, on);
  if (later.length === 0) return;
  for (const s of later) s.on = on;
  const first = segments.find((x) => x.from === on) as TMonthSegment;
  first.dated = [
    ...(first.dated ?? []),
    {
      kind: 'record',
      name: 'certificate',
      description: RECORD_LABELS.certificate as string,
      before: w.certificateBefore ?? '未取得',
      after: `${w.certificate}（${on}取得）`,
      source,
    },
  ];
};

const changeText = (c: TVersionChange): string =>
  c.kind !== 'rule'
    ? `${c.description}${c.before ?? '无'}→${c.after ?? '无'}`
    : c.after === null
      ? `不再适用规则「${c.description}」`
      : `适用规则「${c.description}」（自${c.after}起）`;

/** Days of the month no version of the pack governs: before its first day, after its last. */
export type TNoPolicyStretch = { from: string; to: string; at: 'before' | 'after' };

/**
 * The stretches of the month of `segments` outside the pack's life (the segments cover the days
 * it governs), as far as the worker is paid in them (`range`); with `change: month-start` the
 * version on the evaluation date governs the rest of the month, so only days before count.
 */
export const noPolicyStretches = (
  segments: readonly Pick<TMonthSegment, 'from' | 'to'>[],
  range: { from: string; to: string } | null,
  change: 'by-days' | 'month-start',
): TNoPolicyStretch[] => {
  const head = segments[0] as Pick<TMonthSegment, 'from'>;
  const tail = segments[segments.length - 1] as Pick<TMonthSegment, 'to'>;
  const first = `${head.from.slice(0, 7)}-01`;
  const last = monthEnd(first);
  const out: TNoPolicyStretch[] = [];
  if (head.from > first) out.push({ from: first, to: addDays(head.from, -1), at: 'before' });
  if (tail.to < last && change === 'by-days')
    out.push({ from: addDays(tail.to, 1), to: last, at: 'after' });
  return out.filter((g) => overlapDays(range, g.from, g.to) > 0);
};

/** Why a stretch is paid nothing here, with the clause (the pack's `effective_basis`). */
const noPolicyReason = (
  file: TResolvedPack['node']['file'],
  g: TNoPolicyStretch,
): { source: string; reason: string } => {
  const basis = file.effective_basis;
  return g.at === 'before'
    ? {
        source: basis?.source ?? file.name,
        reason: `「${file.name}」自${file.effective_from}起施行${
          basis ? `（${basis.description}）` : ''
        }；此前本社区没有规定薪酬的政策包，这些日子无适用政策，不在本表计发`,
      }
    : {
        source: basis?.source ?? file.name,
        reason: `「${file.name}」于${file.effective_to}后不再施行；此后这些日子无适用政策，不在本表计发`,
      };
};

/**
 * A pack starting inside the month whose pay-proration says `change: month-start`: it applies
 * from the next month, so this month is not paid under it.
 */
export const inputErrorMonthStart = (file: TResolvedPack['node']['file'], month: string) =>
  inputError(
    'month',
    `政策包「${file.name}」自${file.effective_from}起施行，其当月折算规则为新版本次月起适用（change: month-start）：${month}无适用政策，不在本表计发`,
  );

/** The month's parts in order: days before the pack, the governed parts, days after it. */
export const withNoPolicyParts = (
  file: TResolvedPack['node']['file'],
  gaps: readonly TNoPolicyStretch[],
  range: { from: string; to: string } | null,
  governed: readonly TPayPart[],
): TPayPart[] => {
  const gapPart = (g: TNoPolicyStretch): TPayPart => ({
    from: g.from,
    to: g.to,
    version: null,
    changes: [],
    grade: null,
    coefficient: null,
    basePayFen: null,
    monthlyTotalFen: 0,
    paidDays: 0,
    payableFen: 0,
    noPolicy: { days: overlapDays(range, g.from, g.to), ...noPolicyReason(file, g) },
  });
  return [
    ...gaps.filter((g) => g.at === 'before').map(gapPart),
    ...governed,
    ...gaps.filter((g) => g.at === 'after').map(gapPart),
  ];
};

/**
 * The pay of the month of `evalOn` across the versions of the pack in it and the changes of the
 * worker's record (`segments`, in order, the first one in force on `evalOn`; together they cover
 * the days of the month the pack governs). With one segment covering the month, or a pack whose
 * pay-proration says `change: month-start`, or segments that give the same monthly total, this
 * is evaluatePay on `evalOn`; otherwise the value carries its `parts`. Days of the worker's month
 * before the pack's first day (or after its last) are a part of their own: 无适用政策, paid
 * nothing here, with the pack's `effective_basis` saying why.
 */
export const evaluatePayMonth = (
  segments: readonly TMonthSegment[],
  input: TWorkerInput,
  evalOn: string,
  t: TTraceSink,
): TPayValue => {
  const head = segments[0] as TMonthSegment;
  const rule = monthSplitRule(head.programs.pay);
  const pr = head.programs.pay.proration;
  const file = head.programs.ctx.pack.node.file;
  const month = evalOn.slice(0, 7);
  const range = paidRange(
    pr?.join ?? 'full-month',
    pr?.leave ?? 'full-month',
    month,
    input.hiredOn,
    input.leftOn,
  );
  const gaps = noPolicyStretches(segments, range, rule.change);
  if (gaps.some((g) => g.at === 'before') && rule.change === 'month-start')
    throw inputErrorMonthStart(file, month);
  if (gaps.length === 0 && (segments.length === 1 || rule.change === 'month-start'))
    return evaluatePay(head.programs.pay, input, evalOn, t);
  const evaluated = segments.map((s) => {
    const sink: TTraceSink = t ? [] : null;
    const v = evaluatePay(s.programs.pay, s.input ?? input, s.on ?? evalOn, sink, true);
    return { s, v, sink };
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
  // Parts without a paid day (before joining, after leaving) are left out.
  const paid = merged.filter((m) => overlapDays(range, m.first.s.from, m.to) > 0);
  if (gaps.length === 0 && paid.length <= 1)
    return evaluatePay(head.programs.pay, input, evalOn, t);
  const days = paid.map((m) => overlapDays(range, m.first.s.from, m.to));
  const fen = splitPayable(
    paid.map((m, i) => ({ monthlyFen: m.first.v.monthlyTotalFen, days: days[i] as number })),
    v0.monthDays,
    rule.rounding,
  );
  const governed: TPayPart[] = paid.map((m, i) => ({
    from: m.first.s.from,
    to: m.to,
    version: m.first.s.version,
    changes: m.prev
      ? [
          ...(m.prev.version.from === m.first.s.version.from
            ? []
            : versionChanges(m.prev.programs.ctx.pack, m.first.s.programs.ctx.pack)),
          ...recordChanges(m.prev.input ?? input, m.first.s.input ?? input),
          ...(m.first.s.dated ?? []),
        ]
      : [],
    grade: m.first.v.grade,
    coefficient: m.first.v.coefficient,
    basePayFen: m.first.v.basePayFen,
    monthlyTotalFen: m.first.v.monthlyTotalFen,
    paidDays: days[i] as number,
    payableFen: fen[i] as number,
  }));
  const parts = withNoPolicyParts(file, gaps, range, governed);
  const payableFen = fen.reduce((a, b) => a + b, 0);
  const packName = file.name;
  const paidDays = days.reduce((a, b) => a + b, 0);
  if (t) {
    parts.forEach((p, i) => {
      if (p.noPolicy) {
        step(
          t,
          { id: 'no-policy', source: p.noPolicy.source },
          { from: p.from, to: p.to, days: p.noPolicy.days, packFrom: file.effective_from },
          0,
          `第${i + 1}段 ${p.from}至${p.to}：无适用政策（${p.noPolicy.days}天）——${p.noPolicy.reason}`,
        );
        return;
      }
      const k = governed.indexOf(p);
      const next = governed[k + 1];
      // The first part cites the clauses the next version replaces; later ones their own.
      const cited = p.changes.length ? p.changes : (next?.changes ?? []);
      const source = [...new Set(cited.map((c) => c.source))].join('；') || packName;
      const on = paid[k]?.first.s.on ?? evalOn;
      step(
        t,
        { id: 'version-part', source },
        {
          from: p.from,
          to: p.to,
          version: p.version?.from ?? null,
          evalOn: on,
          changes: p.changes.map((c) => c.name),
        },
        p.monthlyTotalFen,
        `第${i + 1}段 ${p.from}至${p.to}：适用「${packName}」自${p.version?.from}起的版本${
          p.changes.length ? `（${p.changes.map(changeText).join('；')}）` : ''
        }，按${on}的档案计算，月度合计${formatFen(p.monthlyTotalFen)}`,
      );
      t.push(...(paid[k]?.first.sink ?? []));
    });
    const roundingText = FEN_ROUNDING_TEXT[rule.rounding];
    const why = [
      gaps.length ? `${gaps.map((g) => `${g.from}至${g.to}`).join('、')}无适用政策、不计发` : '',
      governed.length > 1 ? '月内政策版本或档案变更' : '',
    ]
      .filter(Boolean)
      .join('；');
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
      `${why}，按日历天数${governed.length > 1 ? '分段' : ''}折算：${
        governed.length
          ? governed
              .map((p) => `${formatFen(p.monthlyTotalFen)}×${p.paidDays}/${v0.monthDays}天`)
              .join(' + ')
          : '本政策包施行期间未在岗'
      }，${
        governed.length > 1
          ? `逐段累计${roundingText}到分：${governed.map((p) => formatFen(p.payableFen)).join(' + ')}`
          : `${roundingText}到分`
      } = ${formatFen(payableFen)}（在岗${paidDays}/${v0.monthDays}天）`,
    );
  }
  return { ...v0, paidDays, payableFen, parts };
};
