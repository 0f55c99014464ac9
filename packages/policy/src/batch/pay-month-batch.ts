import { evaluatePay } from '../evaluate/pay.ts';
import {
  evaluatePayMonth,
  monthSplitRule,
  overlapDays,
  paidRange,
  splitPayable,
  type TMonthSegment,
} from '../evaluate/pay-month.ts';
import type { TWorkerInput } from '../inputs.ts';
import { dayNumber, fromDayNumber, monthEnd } from '../util/dates.ts';
import { encodeWorkers, type TPayColumns, type TWorkerColumns } from './batch.ts';
import { compileGradeKernel } from './grade-kernel.ts';
import { compilePayKernel, NO_DAY, runPayKernel } from './pay-kernel.ts';

// A month's pay over columns when the pack has several versions in the month: every version's
// kernel runs over the rows (facts of the month's first day, as in evaluatePayMonth), and each
// row's monthly totals are combined by the days each version governs. Rows joining inside the
// month are evaluated on their joining day through the trace evaluator (evaluatePayMonth), as
// the pay sheet does. batch/parity.test.ts checks both give the same figures.

/** A month's pay over columns. */
export type TPayMonthBatch = {
  /** The rows as columns of the version in force on the month's first day. */
  cols: TWorkerColumns;
  /**
   * The figures of the first part (as `batch.pay` gives them on the month's first day), with
   * `paidDays` and `payableFen` of the whole month, and per row the number of parts (1 = one
   * version governs the month; more = split, see TPayValue.parts).
   */
  out: TPayColumns & { parts: Uint8Array };
};

/**
 * Pay of a month for many workers under the versions of one pack in it.
 * `segmentsAt(evalOn)`: the month's segments from the version in force on `evalOn` (registry).
 */
export const batchPayMonth = (
  segmentsAt: (evalOn: string) => TMonthSegment[],
  month: string,
  inputs: readonly unknown[],
): TPayMonthBatch => {
  const first = `${month}-01`;
  const lastDay = dayNumber(monthEnd(first));
  const joinsInMonth = (w: TWorkerInput) =>
    w.hiredOn !== undefined && w.hiredOn > first && dayNumber(w.hiredOn) <= lastDay;
  const segs = segmentsAt(first);
  const head = segs[0] as TMonthSegment;
  const gk = compileGradeKernel(head.programs.grade, head.programs.pay);
  const cols = encodeWorkers(head.programs, first, inputs, gk.needsRows, joinsInMonth);
  const n = cols.length;
  const parts = new Uint8Array(n).fill(1);
  const joined = new Uint8Array(n);
  const k0 = compilePayKernel(head.programs.pay, gk, first);
  const out0 = runPayKernel(k0, cols, (i) => {
    const row = cols.rows?.[i];
    if (!row) return undefined;
    if (joinsInMonth(row)) {
      joined[i] = 1;
      const v = evaluatePayMonth(
        segmentsAt(row.hiredOn as string),
        row,
        row.hiredOn as string,
        null,
      );
      parts[i] = v.parts?.length ?? 1;
      return v;
    }
    return evaluatePay(head.programs.pay, row, first, null);
  });
  const out = Object.assign(out0, { parts });
  const rule = monthSplitRule(head.programs.pay);
  if (segs.length === 1 || rule.change === 'month-start') return { cols, out };

  // The other versions over the rows not joining in the month, facts as on the first day.
  const rest: number[] = [];
  for (let i = 0; i < n; i++) if (joined[i] === 0 && out.error[i] === 0) rest.push(i);
  const restInputs = rest.map((i) => inputs[i]);
  const later = segs.slice(1).map((s) => {
    const k = compileGradeKernel(s.programs.grade, s.programs.pay);
    const c = encodeWorkers(s.programs, first, restInputs, k.needsRows);
    const o = runPayKernel(compilePayKernel(s.programs.pay, k, first), c, (j) => {
      const row = c.rows?.[j];
      return row ? evaluatePay(s.programs.pay, row, first, null) : undefined;
    });
    return o;
  });
  const pr = head.programs.pay.proration;
  const dateOf = (d: number | undefined) =>
    d === undefined || d === NO_DAY ? undefined : fromDayNumber(d);
  const monthly: number[] = [];
  const annual: number[] = [];
  rest.forEach((i, j) => {
    monthly.length = 0;
    annual.length = 0;
    monthly.push(out.monthlyTotalFen[i] as number);
    annual.push(out.annualLumpSumFen[i] as number);
    for (const o of later) {
      if (o.error[j] !== 0) {
        out.error[i] = o.error[j] as number;
        return;
      }
      monthly.push(o.monthlyTotalFen[j] as number);
      annual.push(o.annualLumpSumFen[j] as number);
    }
    // Adjacent versions with the same figures are one part (as evaluatePayMonth merges them).
    const merged: { monthlyFen: number; from: string; to: string }[] = [];
    segs.forEach((s, k) => {
      const last = merged[merged.length - 1];
      if (last && monthly[k] === monthly[k - 1] && annual[k] === annual[k - 1]) last.to = s.to;
      else merged.push({ monthlyFen: monthly[k] as number, from: s.from, to: s.to });
    });
    if (merged.length === 1) return;
    const range = paidRange(
      pr?.join ?? 'full-month',
      pr?.leave ?? 'full-month',
      month,
      dateOf(cols.hiredDay?.[i]),
      dateOf(cols.leftDay?.[i]),
    );
    // Parts without a paid day (after leaving) are left out, as in evaluatePayMonth.
    const days = merged.map((m) => overlapDays(range, m.from, m.to)).filter((d) => d > 0);
    if (days.length <= 1) return;
    merged.length = days.length;
    const fen = splitPayable(
      merged.map((m, k) => ({ monthlyFen: m.monthlyFen, days: days[k] as number })),
      out.monthDays,
      rule.rounding,
    );
    out.paidDays[i] = days.reduce((a, b) => a + b, 0);
    out.payableFen[i] = fen.reduce((a, b) => a + b, 0);
    parts[i] = merged.length;
  });
  return { cols, out };
};
