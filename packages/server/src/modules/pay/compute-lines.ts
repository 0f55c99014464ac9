import {
  coefficientText,
  maxDate,
  NO_YEARS,
  type TCompiledPack,
  type TPayPart,
  type TPayValue,
  type TPolicyRegistry,
  type TWorkerInput,
} from '@shegong/policy';
import {
  evalDateOf,
  monthEnd,
  monthStart,
  partMonth,
  postTimeline,
  type TPayWorkerRow,
  workerPayInput,
} from './pay-inputs.ts';

// A month's pay for many workers: the registry's month batch (`batchPayMonth`: the batch kernel
// of every pack version in the month, no traces) for every full month, the month's trace
// evaluator (`payMonth`) for the few rows joining or leaving in the month (evaluated on the day
// of joining, under the pack version of that day; both implementations pro-rate by the pack's
// pay-proration rule, split a month at a version starting inside it, and agree to the fen, see
// policy batch/parity.test.ts) and for rows the kernel cannot evaluate (its error message). The
// figures are the pack's; this file only moves them between the registry's rows and the pay
// lines. A split month's line shows the figures of its first part and the month's payable sum,
// and keeps the parts (`parts`, from either implementation: batchPayMonth gives them per row)
// that its 为什么 shows. A pack starting inside the month is evaluated from its first day; the
// days before it are a part of their own (无适用政策), paid nothing here.

/** One computed line, in the columns of `pay_line`. */
export type TPayLineRow = {
  workerId: string;
  kind: 'regular' | 'arrears';
  forMonth: string;
  month: string;
  countyCode: string;
  orgPath: string;
  packId: string | null;
  evalOn: string;
  status: 'ok' | 'open';
  reason: string | null;
  post: string | null;
  title: string | null;
  years: number | null;
  grade: number | null;
  coefficient: string | null;
  probation: boolean;
  baseFen: number | null;
  performanceFen: number | null;
  allowancesFen: number | null;
  oneOffFen: number;
  annualFen: number | null;
  monthlyFen: number | null;
  paidDays: number | null;
  monthDays: number | null;
  payableFen: number | null;
  input: TWorkerInput | null;
  /**
   * The parts of a split month as the engine computed them (adding up to `payableFen` less
   * `oneOffFen`); null for a month of one part, an open line or an arrears line.
   */
  parts: TPayPart[] | null;
};

export type TLineContext = {
  /** The governing pack of the worker's community path. */
  packOf: (w: TPayWorkerRow) => string | null;
  /** The county-level district name of the worker (for packs that name districts). */
  districtOf: (w: TPayWorkerRow) => string | null;
  /** External statistics given as assumptions of a budget or what-if (fen). */
  statistics?: Readonly<Record<string, number>>;
};

const withStatistics = (input: TWorkerInput, ctx: TLineContext): TWorkerInput =>
  ctx.statistics && Object.keys(ctx.statistics).length
    ? { ...input, statistics: { ...ctx.statistics } }
    : input;

const daysOf = (month: string) => Number(monthEnd(month).slice(8));

const openLine = (
  w: TPayWorkerRow,
  month: string,
  packId: string | null,
  evalOn: string,
  reason: string,
  input: TWorkerInput | null,
): TPayLineRow => ({
  workerId: w.id,
  kind: 'regular',
  forMonth: month,
  month,
  countyCode: w.countyCode,
  orgPath: w.orgPath,
  packId,
  evalOn,
  status: 'open',
  reason,
  post: null,
  title: w.postTitle,
  years: null,
  grade: null,
  coefficient: null,
  probation: false,
  baseFen: null,
  performanceFen: null,
  allowancesFen: null,
  oneOffFen: w.oneOffFen,
  annualFen: null,
  monthlyFen: null,
  paidDays: null,
  monthDays: daysOf(month),
  payableFen: null,
  input,
  parts: null,
});

/** A line from the trace evaluator's value. */
export const lineFromValue = (
  w: TPayWorkerRow,
  month: string,
  packId: string,
  evalOn: string,
  input: TWorkerInput,
  v: TPayValue,
): TPayLineRow => {
  const monthlyAllowances = v.allowances
    .filter((a) => a.period === 'month')
    .reduce((s, a) => s + a.amountFen, 0);
  return {
    workerId: w.id,
    kind: 'regular',
    forMonth: month,
    month,
    countyCode: w.countyCode,
    orgPath: w.orgPath,
    packId,
    evalOn,
    status: 'ok',
    reason: null,
    post: v.post,
    title: w.postTitle,
    years: v.years,
    grade: v.grade,
    coefficient: v.coefficient,
    probation: v.probation,
    baseFen: v.basePayFen,
    performanceFen: v.performancePeriod === 'month' ? v.performanceFen : 0,
    allowancesFen: monthlyAllowances,
    oneOffFen: w.oneOffFen,
    annualFen: v.annualLumpSumFen,
    monthlyFen: v.monthlyTotalFen,
    paidDays: v.paidDays,
    monthDays: v.monthDays,
    payableFen: v.payableFen + w.oneOffFen,
    input,
    parts: v.parts ?? null,
  };
};

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The records of a worker taking another post inside the month, for `payMonth`: the stored
 * input (the record on the evaluation date) with each later post.
 */
export const postRecords = (
  w: TPayWorkerRow,
  evalOn: string,
  input: TWorkerInput,
): { on: string; input: TWorkerInput }[] =>
  (postTimeline(w, evalOn)?.changes ?? []).map((c) => ({
    on: c.on,
    input: { ...input, post: c.title },
  }));

/** The trace evaluator for one row's month: its line, or an open line with the engine's reason. */
const tracedLine = (
  policies: TPolicyRegistry,
  w: TPayWorkerRow,
  month: string,
  packId: string,
  evalOn: string,
  input: TWorkerInput,
): TPayLineRow => {
  try {
    const { value } = policies.payMonth(packId, month, input, postRecords(w, evalOn, input));
    return lineFromValue(w, month, packId, evalOn, input, value);
  } catch (error) {
    return openLine(w, month, packId, evalOn, errorText(error), input);
  }
};

/**
 * The regular pay lines of a month for workers in post during it, grouped by governing pack.
 * Rows come back in the order given.
 */
export const computeMonthLines = (
  policies: TPolicyRegistry,
  month: string,
  workers: readonly TPayWorkerRow[],
  ctx: TLineContext,
): TPayLineRow[] => {
  const lines: TPayLineRow[] = new Array(workers.length);
  const groups = new Map<string, number[]>();
  workers.forEach((w, i) => {
    const id = ctx.packOf(w) ?? '';
    const list = groups.get(id);
    if (list) list.push(i);
    else groups.set(id, [i]);
  });
  const first = monthStart(month);
  for (const [packId, members] of groups) {
    let pack: TCompiledPack | undefined;
    let packError = '';
    // The month's first day, or the pack's first day when it starts inside the month (the days
    // before it are 无适用政策: the engine pays the month for the days the pack governs).
    let start = first;
    if (!packId) packError = '未设置适用的政策包';
    else if (!policies.has(packId)) packError = `政策包 ${packId} 尚未提供`;
    else {
      try {
        start = policies.monthRange(packId, month)?.from ?? first;
        pack = policies.at(packId, start);
      } catch (error) {
        packError = errorText(error);
      }
    }
    if (!pack) {
      for (const i of members) {
        const w = workers[i] as TPayWorkerRow;
        lines[i] = openLine(w, month, packId || null, evalDateOf(w, month), packError, null);
      }
      continue;
    }
    const titles = new Set(pack.posts.flatMap((p) => p.titles as readonly string[]));
    const batchRows: number[] = [];
    const batchInputs: TWorkerInput[] = [];
    for (const i of members) {
      const w = workers[i] as TPayWorkerRow;
      // The day of joining, or the pack's first day when it joins before the pack starts.
      const evalOn = maxDate(evalDateOf(w, month), start);
      const district = ctx.districtOf(w);
      if (!w.postTitle) {
        lines[i] = openLine(w, month, packId, evalOn, '未填写职务，无法确定岗位类别', null);
        continue;
      }
      if (!titles.has(w.postTitle)) {
        lines[i] = openLine(
          w,
          month,
          packId,
          evalOn,
          `政策包「${pack.name}」的岗位类别不含职务「${w.postTitle}」`,
          null,
        );
        continue;
      }
      const timeline = postTimeline(w, evalOn);
      if (partMonth(w, month) || timeline) {
        // Joining, leaving or taking another post inside the month: the trace evaluator
        // pro-rates by the pack's rule (a new post splits the month like a new pack version).
        let dayPack = pack;
        try {
          dayPack = evalOn === start ? pack : policies.at(packId, evalOn);
        } catch {
          dayPack = pack;
        }
        const row = timeline?.start ?? w;
        const input = withStatistics(workerPayInput(row, dayPack, evalOn, district), ctx);
        lines[i] = {
          ...tracedLine(policies, w, month, packId, evalOn, input),
          title: row.postTitle,
        };
        continue;
      }
      batchRows.push(i);
      batchInputs.push(withStatistics(workerPayInput(w, pack, start, district), ctx));
    }
    if (batchRows.length === 0) continue;
    let batch: ReturnType<TPolicyRegistry['batchPayMonth']>;
    try {
      batch = policies.batchPayMonth(packId, month, batchInputs);
    } catch {
      // An input the kernel's encoder refuses: every row through the trace evaluator.
      batchRows.forEach((i, k) => {
        lines[i] = tracedLine(
          policies,
          workers[i] as TPayWorkerRow,
          month,
          packId,
          start,
          batchInputs[k] as TWorkerInput,
        );
      });
      continue;
    }
    const { cols, out } = batch;
    batchRows.forEach((i, k) => {
      const w = workers[i] as TPayWorkerRow;
      const input = batchInputs[k] as TWorkerInput;
      if (out.error[k] !== 0) {
        lines[i] = tracedLine(policies, w, month, packId, start, input);
        return;
      }
      const grade = out.grade[k] as number;
      const scaled = out.coefficientScaled[k] as number;
      const base = out.basePayFen[k] as number;
      const period = out.performancePeriod[k];
      const monthly = out.monthlyTotalFen[k] as number;
      const years = cols.years[k] as number;
      lines[i] = {
        workerId: w.id,
        kind: 'regular',
        forMonth: month,
        month,
        countyCode: w.countyCode,
        orgPath: w.orgPath,
        packId,
        evalOn: start,
        status: 'ok',
        reason: null,
        post: pack.posts[cols.post[k] as number]?.category ?? null,
        title: w.postTitle,
        years: years === NO_YEARS ? null : years,
        grade: grade < 0 ? null : grade,
        coefficient: coefficientText(scaled, out.coefficientDecimals),
        probation: out.probation[k] === 1,
        baseFen: base < 0 ? null : base,
        performanceFen: period === 1 ? (out.performanceFen[k] as number) : 0,
        allowancesFen: out.monthlyAllowancesFen[k] as number,
        oneOffFen: w.oneOffFen,
        annualFen: out.annualLumpSumFen[k] as number,
        monthlyFen: monthly,
        paidDays: out.paidDays[k] as number,
        monthDays: out.monthDays,
        payableFen: (out.payableFen[k] as number) + w.oneOffFen,
        input,
        parts: out.partList[k] ?? null,
      };
    });
  }
  return lines;
};
