import { evaluatePay } from '../evaluate/pay.ts';
import {
  certificateSplitOn,
  inputErrorMonthStart,
  monthSplitRule,
  noPolicyStretches,
  overlapDays,
  paidRange,
  splitPayable,
  type TMonthSegment,
  versionChanges,
  withNoPolicyParts,
} from '../evaluate/pay-month.ts';
import type { TWorkerInput } from '../inputs.ts';
import type { TPayPart, TPayValue, TVersionChange } from '../types.ts';
import { dayNumber, fromDayNumber, monthEnd } from '../util/dates.ts';
import { encodeWorkers, type TPayColumns, type TWorkerColumns } from './batch.ts';
import { compileGradeKernel } from './grade-kernel.ts';
import { compilePayKernel, NO_DAY, runPayKernel } from './pay-kernel.ts';

// A month's pay over columns when the pack has several versions in the month, or governs only
// some of its days (it starts inside it): every version's kernel runs over the rows (facts of
// the month's first day, or of the pack's first day inside it, as in evaluatePayMonth), and each
// row's monthly totals are combined by the days each version governs; days no version governs
// are a part paid nothing. Rows joining inside the month (evaluated on their joining day), and
// rows obtaining a certificate inside it when the pack counts it from that day (recordChange:
// by-days), go through the trace evaluator (the registry's payMonth), as the pay sheet does. batch/parity.test.ts
// checks both give the same figures and the same parts.

/** A month's pay over columns. */
export type TPayMonthBatch = {
  /** The rows as columns of the version in force on the month's first (governed) day. */
  cols: TWorkerColumns;
  /**
   * The figures of the first part (as `batch.pay` gives them on the month's first day), with
   * `paidDays` and `payableFen` of the whole month, and per row the number of parts (1 = one
   * version governs the month; more = split, see TPayValue.parts) and the parts themselves
   * (`partList`, undefined for a row of one part), as payMonth gives them.
   */
  out: TPayColumns & { parts: Uint8Array; partList: (TPayPart[] | undefined)[] };
};

/** A kernel's coefficient (scaled integer) as the trace evaluator writes it ("1.30"). */
export const coefficientText = (scaled: number, decimals: number): string | null => {
  if (scaled < 0) return null;
  if (decimals === 0) return String(scaled);
  const s = String(scaled).padStart(decimals + 1, '0');
  return `${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
};

/**
 * Pay of a month for many workers under the versions of one pack in it.
 * `segmentsAt(evalOn)`: the month's segments from the version in force on `evalOn` (registry);
 * `traceRow(w)`: the month of one row through the trace evaluator (registry payMonth without a
 * trace), for rows joining inside the month or obtaining a certificate the pack counts from
 * that day.
 */
export const batchPayMonth = (
  segmentsAt: (evalOn: string) => TMonthSegment[],
  month: string,
  inputs: readonly unknown[],
  traceRow: (w: TWorkerInput) => TPayValue,
): TPayMonthBatch => {
  const first = `${month}-01`;
  const last = monthEnd(first);
  const lastDay = dayNumber(last);
  const segs = segmentsAt(first);
  const head = segs[0] as TMonthSegment;
  const tail = segs[segs.length - 1] as TMonthSegment;
  const rule = monthSplitRule(head.programs.pay);
  // The pack's first day inside the month, or the month's first day: the evaluation date.
  const start = head.from;
  const needsTrace = (w: TWorkerInput) =>
    (w.hiredOn !== undefined && w.hiredOn > first && dayNumber(w.hiredOn) <= lastDay) ||
    certificateSplitOn(head.programs.pay, w, start, tail.to) !== null;
  if (start > first && rule.change === 'month-start')
    throw inputErrorMonthStart(head.programs.ctx.pack.node.file, month);
  const gk = compileGradeKernel(head.programs.grade, head.programs.pay);
  const cols = encodeWorkers(head.programs, start, inputs, gk.needsRows, needsTrace);
  const n = cols.length;
  const parts = new Uint8Array(n).fill(1);
  const partList: (TPayPart[] | undefined)[] = new Array(n);
  const traced = new Uint8Array(n);
  const k0 = compilePayKernel(head.programs.pay, gk, start);
  const out0 = runPayKernel(k0, cols, (i) => {
    const row = cols.rows?.[i];
    if (!row) return undefined;
    if (needsTrace(row)) {
      traced[i] = 1;
      const v = traceRow(row);
      parts[i] = v.parts?.length ?? 1;
      partList[i] = v.parts;
      return v;
    }
    return evaluatePay(head.programs.pay, row, start, null);
  });
  const out = Object.assign(out0, { parts, partList });
  const mayGap = start > first || tail.to < last;
  if (rule.change === 'month-start' || (segs.length === 1 && !mayGap)) return { cols, out };

  // The other versions over the rows not traced, facts as on the month's (governed) first day.
  const rest: number[] = [];
  for (let i = 0; i < n; i++) if (traced[i] === 0 && out.error[i] === 0) rest.push(i);
  const restInputs = rest.map((i) => inputs[i]);
  const later = segs.slice(1).map((s) => {
    const k = compileGradeKernel(s.programs.grade, s.programs.pay);
    const c = encodeWorkers(s.programs, start, restInputs, k.needsRows);
    return runPayKernel(compilePayKernel(s.programs.pay, k, start), c, (j) => {
      const row = c.rows?.[j];
      return row ? evaluatePay(s.programs.pay, row, start, null) : undefined;
    });
  });
  // What each version changes against the one before it (the same for every row).
  const changesAt: TVersionChange[][] = segs.map((s, k) =>
    k === 0
      ? []
      : versionChanges((segs[k - 1] as TMonthSegment).programs.ctx.pack, s.programs.ctx.pack),
  );
  const file = head.programs.ctx.pack.node.file;
  const pr = head.programs.pay.proration;
  const dateOf = (d: number | undefined) =>
    d === undefined || d === NO_DAY ? undefined : fromDayNumber(d);
  const kOut = (k: number) => (k === 0 ? out : (later[k - 1] as typeof out0));
  rest.forEach((i, j) => {
    const at = (k: number) => (k === 0 ? i : j);
    for (const o of later) {
      if (o.error[j] !== 0) {
        out.error[i] = o.error[j] as number;
        return;
      }
    }
    // Adjacent versions with the same figures are one part (as evaluatePayMonth merges them).
    const merged: { k: number; from: string; to: string }[] = [];
    segs.forEach((s, k) => {
      const prev = merged[merged.length - 1];
      if (
        prev &&
        kOut(k).monthlyTotalFen[at(k)] === kOut(k - 1).monthlyTotalFen[at(k - 1)] &&
        kOut(k).annualLumpSumFen[at(k)] === kOut(k - 1).annualLumpSumFen[at(k - 1)]
      )
        prev.to = s.to;
      else merged.push({ k, from: s.from, to: s.to });
    });
    const range = paidRange(
      pr?.join ?? 'full-month',
      pr?.leave ?? 'full-month',
      month,
      dateOf(cols.hiredDay?.[i]),
      dateOf(cols.leftDay?.[i]),
    );
    const gaps = noPolicyStretches(segs, range, rule.change);
    // Parts without a paid day (after leaving) are left out, as in evaluatePayMonth.
    const paid = merged.filter((m) => overlapDays(range, m.from, m.to) > 0);
    if (gaps.length === 0 && paid.length <= 1) return;
    const days = paid.map((m) => overlapDays(range, m.from, m.to));
    const monthlyOf = (m: { k: number }) => kOut(m.k).monthlyTotalFen[at(m.k)] as number;
    const fen = splitPayable(
      paid.map((m, k) => ({ monthlyFen: monthlyOf(m), days: days[k] as number })),
      out.monthDays,
      rule.rounding,
    );
    const governed: TPayPart[] = paid.map((m, p) => {
      const o = kOut(m.k);
      const r = at(m.k);
      const grade = o.grade[r] as number;
      const base = o.basePayFen[r] as number;
      const prevIndex = merged.indexOf(m) - 1;
      return {
        from: m.from,
        to: m.to,
        version: (segs[m.k] as TMonthSegment).version,
        changes: prevIndex >= 0 ? (changesAt[m.k] as TVersionChange[]) : [],
        grade: grade < 0 ? null : grade,
        coefficient: coefficientText(o.coefficientScaled[r] as number, o.coefficientDecimals),
        basePayFen: base < 0 ? null : base,
        monthlyTotalFen: monthlyOf(m),
        paidDays: days[p] as number,
        payableFen: fen[p] as number,
      };
    });
    const list = withNoPolicyParts(file, gaps, range, governed);
    out.paidDays[i] = days.reduce((a, b) => a + b, 0);
    out.payableFen[i] = fen.reduce((a, b) => a + b, 0);
    parts[i] = list.length;
    partList[i] = list;
  });
  return { cols, out };
};
