import {
  ASSESSMENT_GRADES,
  CERTIFICATE_LEVELS,
  COMMUNITY_KINDS,
  EDUCATION_LEVELS,
  POST_TITLES,
} from '@shegong/shared';
import type { TPackPrograms } from '../evaluate/compile-pack.ts';
import { parseInput, resolvePost } from '../evaluate/context.ts';
import { evaluateGrade, gradeValueOf, yearsFor } from '../evaluate/grade.ts';
import { evaluatePay } from '../evaluate/pay.ts';
import {
  parseWorkerInput,
  type TCommunityInput,
  type TWorkerInput,
  ZCommunityInput,
  ZWorkerInput,
} from '../inputs.ts';
import { addMonths, dayNumber } from '../util/dates.ts';
import { compileGradeKernel, resetGradeColumns, runGradeKernel } from './grade-kernel.ts';
import { compilePayKernel, NO_DAY, runPayKernel } from './pay-kernel.ts';

export { NO_DAY };

import { compileQuotaKernel, runQuotaKernel } from './quota-kernel.ts';

/** "Not given" in a Uint8Array column. */
export const NONE8 = 255;
/** "Not given" years (the input had no years and no service dates). */
export const NO_YEARS = 0xffff;

/**
 * Workers as columns. Enumerations are indices into the shared vocabularies (`EDUCATION_LEVELS`,
 * `CERTIFICATE_LEVELS`, `POST_TITLES`, `ASSESSMENT_GRADES`) or into the pack's own lists
 * (`posts` categories, `districts`). Optional columns default as documented.
 */
export type TWorkerColumns = {
  length: number;
  /** Index of the pack's post category. */
  post: Uint8Array;
  /** 1 + index in POST_TITLES, 0 when only the category is known. Default all 0. */
  title?: Uint8Array;
  /** Completed years of community work as counted by the pack; NO_YEARS when unknown. */
  years: Uint16Array;
  /** Index in EDUCATION_LEVELS; NONE8 = not given. */
  education: Uint8Array;
  /** 0 = degree not state-recognised. Default 1. */
  educationRecognised?: Uint8Array;
  /** Index in CERTIFICATE_LEVELS (0 = 无). */
  certificate: Uint8Array;
  /** 0 = certificate obtained after the date. Default 1. */
  certificateHeld?: Uint8Array;
  /** 1 = on probation on the date. Default 0. */
  probation?: Uint8Array;
  /** Given grade, -1 = compute. */
  grade?: Int16Array;
  /** Star rating 0–5 of the community party organisation; NONE8 = unknown. */
  stars?: Uint8Array;
  /** Index in ASSESSMENT_GRADES of last year's result; NONE8 = none. */
  assessment?: Uint8Array;
  /** Index in the pack's districts; NONE8 = none. */
  district?: Uint8Array;
  certificateApproved?: Uint8Array;
  localResident?: Uint8Array;
  /** Given monthly base pay; -1 = none. */
  basePayFen?: Int32Array;
  /** Pay before transfer (保持不降); -1 = none. */
  previousPayFen?: Int32Array;
  /** Pension of a re-employed retiree; -1 = none. */
  pensionFen?: Int32Array;
  /** Day of joining (`dayNumber` of `hiredOn`); NO_DAY = none. For pro-rating the month. */
  hiredDay?: Int32Array;
  /** Day of leaving (`dayNumber` of `leftOn`); NO_DAY = none. */
  leftDay?: Int32Array;
  /** Original rows, kept only for rows whose shapes have no column kernel (promotion, expressions). */
  rows?: (TWorkerInput | undefined)[];
};

/** Grade results as columns. */
export type TGradeColumns = {
  /** Grade; -1 = none (probation paid at a fixed coefficient, or no ladder). */
  grade: Int16Array;
  /** Coefficient × 10^decimals (e.g. 130 for "1.30"); -1 = none. */
  coefficientScaled: Int32Array;
  coefficientDecimals: number;
  /** Monthly base pay; -1 = none. */
  basePayFen: Int32Array;
  probation: Uint8Array;
  /** Non-zero when the row cannot be evaluated (the trace evaluator would throw): 1 input, 2 rule. */
  error: Uint8Array;
};

/**
 * Pay results as columns: the monthly standard figures and the month's payable amount, pro-rated
 * by the pack's pay-proration rule from the `hiredDay`/`leftDay` columns (the month is the one of
 * the batch's date), exactly as the trace evaluator does.
 */
export type TPayColumns = TGradeColumns & {
  performanceFen: Int32Array;
  /** 1 = monthly, 2 = yearly, 0 = none. */
  performancePeriod: Uint8Array;
  monthlyAllowancesFen: Int32Array;
  annualLumpSumFen: Int32Array;
  floorTopUpFen: Int32Array;
  protectedFen: Int32Array;
  pensionOffsetFen: Int32Array;
  monthlyTotalFen: Int32Array;
  /** Days of the month paid (joining or leaving inside it by the pack's rule). */
  paidDays: Uint8Array;
  /** Days of the month of the batch's date. */
  monthDays: number;
  /** The month's payable amount: monthlyTotalFen × paidDays / monthDays, rounded by the rule. */
  payableFen: Int32Array;
};

export type TCommunityColumns = {
  length: number;
  /** -1 = not given. */
  households: Int32Array;
  residents?: Int32Array;
  /** Index in COMMUNITY_KINDS; default 0 (城市社区). */
  kind?: Uint8Array;
  district?: Uint8Array;
};

export type TQuotaColumns = {
  /** Names of the community lines, in order (two lines may share a name for different kinds). */
  lines: string[];
  /** Rule ids of the lines, in the same order. */
  rules: string[];
  /** Per line: min and max (-1 = no upper bound), -2 when the line does not apply to the row. */
  lineMin: Int32Array[];
  lineMax: Int32Array[];
  min: Int32Array;
  /** -1 = no upper bound. */
  max: Int32Array;
  error: Uint8Array;
};

export type TBatchApi = {
  /** Encodes worker inputs (as accepted by grade/pay) into columns. */
  workerColumns: (inputs: readonly unknown[]) => TWorkerColumns;
  /**
   * Grade and base pay of every row, without traces. `out` (from a previous call, same length)
   * is overwritten instead of allocating new columns.
   */
  grade: (cols: TWorkerColumns, out?: TGradeColumns) => TGradeColumns;
  /** Monthly pay of every row, without traces. */
  pay: (cols: TWorkerColumns) => TPayColumns;
  communityColumns: (inputs: readonly unknown[]) => TCommunityColumns;
  /** Community quotas of every row, without traces. */
  quota: (cols: TCommunityColumns) => TQuotaColumns;
  /** Index of a category or registry title, for building columns directly. */
  postIndex: (post: string) => number;
};

const idx = <T extends string>(list: readonly T[], v: T | undefined): number =>
  v === undefined ? NONE8 : list.indexOf(v);

/**
 * The batch API of a compiled pack on a date. Kernels are compiled lazily on first use.
 * @example const cols = pack.batch.workerColumns(workers); const out = pack.batch.grade(cols);
 */
export const makeBatch = (p: TPackPrograms, date: string): TBatchApi => {
  let gradeKernel: ReturnType<typeof compileGradeKernel> | undefined;
  let payKernel: ReturnType<typeof compilePayKernel> | undefined;
  let quotaKernel: ReturnType<typeof compileQuotaKernel> | undefined;
  const gk = () => {
    gradeKernel ??= compileGradeKernel(p.grade, p.pay);
    return gradeKernel;
  };
  return {
    postIndex: (post) => resolvePost(p.ctx.pack, post).index,
    workerColumns: (inputs) => encodeWorkers(p, date, inputs, gk().needsRows),
    grade: (cols, out) =>
      runGradeKernel(
        gk(),
        cols,
        (i) => {
          const row = cols.rows?.[i];
          if (!row) return undefined;
          return gradeValueOf(evaluateGrade(p.grade, row, date, null));
        },
        true,
        out ? resetGradeColumns(out, cols.length) : undefined,
      ),
    pay: (cols) => {
      payKernel ??= compilePayKernel(p.pay, gk(), date);
      return runPayKernel(payKernel, cols, (i) => {
        const row = cols.rows?.[i];
        return row ? evaluatePay(p.pay, row, date, null) : undefined;
      });
    },
    communityColumns: (inputs) => encodeCommunities(p, inputs),
    quota: (cols) => {
      quotaKernel ??= compileQuotaKernel(p.quota);
      return runQuotaKernel(quotaKernel, cols);
    },
  };
};

/** Whether every certificate bump of the pack counts a certificate only from its day. */
const certificateHeldOnDate = (p: TPackPrograms): boolean =>
  p.grade.bumps.every((b) => b.by !== 'certificate' || b.heldOnDate);

/**
 * Turns worker inputs into columns: vocabulary indices, years by the pack's rule, probation on the
 * date. `keep` keeps further rows for the per-row path (a month's joiners, pay-month-batch.ts).
 */
export const encodeWorkers = (
  p: TPackPrograms,
  date: string,
  inputs: readonly unknown[],
  needsRows: (post: number) => boolean,
  keep?: (w: TWorkerInput) => boolean,
): TWorkerColumns => {
  const n = inputs.length;
  const cols: Required<TWorkerColumns> = {
    length: n,
    post: new Uint8Array(n),
    title: new Uint8Array(n),
    years: new Uint16Array(n),
    education: new Uint8Array(n),
    educationRecognised: new Uint8Array(n),
    certificate: new Uint8Array(n),
    certificateHeld: new Uint8Array(n),
    probation: new Uint8Array(n),
    grade: new Int16Array(n),
    stars: new Uint8Array(n),
    assessment: new Uint8Array(n),
    district: new Uint8Array(n),
    certificateApproved: new Uint8Array(n),
    localResident: new Uint8Array(n),
    basePayFen: new Int32Array(n),
    previousPayFen: new Int32Array(n),
    pensionFen: new Int32Array(n),
    hiredDay: new Int32Array(n),
    leftDay: new Int32Array(n),
    rows: new Array(n),
  };
  const districts = p.ctx.pack.districts;
  for (let i = 0; i < n; i++) {
    const w = parseWorkerInput(inputs[i], (v) => parseInput(ZWorkerInput, v));
    const post = resolvePost(p.ctx.pack, w.post);
    cols.post[i] = post.index;
    cols.title[i] = post.title
      ? POST_TITLES.indexOf(post.title as (typeof POST_TITLES)[number]) + 1
      : 0;
    const hasYears =
      w.years !== undefined || w.serviceStart !== undefined || (w.servicePeriods?.length ?? 0) > 0;
    cols.years[i] = hasYears ? Math.min(NO_YEARS - 1, yearsFor(p.grade, w, date, null)) : NO_YEARS;
    cols.education[i] = idx(EDUCATION_LEVELS, w.education);
    cols.educationRecognised[i] = w.educationRecognised === false ? 0 : 1;
    // Not yet held on the date: the certificate held before it (certificateBefore), if any. A
    // pack with a certificate bump that counts whatever the date (heldOnDate: false) would need
    // both: such rows go to the trace evaluator (the caller's fallback).
    const notYet = w.certificateOn !== undefined && w.certificateOn > date;
    if (notYet && w.certificateBefore && !certificateHeldOnDate(p))
      throw new Error('certificateBefore with a bump that ignores the date: trace evaluator');
    cols.certificate[i] = CERTIFICATE_LEVELS.indexOf(
      (notYet ? w.certificateBefore : undefined) ?? w.certificate ?? '无',
    );
    cols.certificateHeld[i] = notYet && !w.certificateBefore ? 0 : 1;
    // Probation on the date: as given, or within N months of hiring for the posts the rule names.
    const rule = p.grade.probation.find((r) => r.applies(post));
    cols.probation[i] =
      w.probation !== undefined
        ? w.probation && rule
          ? 1
          : 0
        : rule && w.hiredOn && date >= w.hiredOn && date < addMonths(w.hiredOn, rule.months)
          ? 1
          : 0;
    cols.grade[i] = w.grade ?? -1;
    cols.stars[i] = w.stars ?? NONE8;
    cols.assessment[i] = idx(ASSESSMENT_GRADES, w.assessment);
    cols.district[i] =
      w.district === undefined
        ? NONE8
        : districts.indexOf(w.district) < 0
          ? NONE8 - 1
          : districts.indexOf(w.district);
    cols.certificateApproved[i] = w.certificateApproved ? 1 : 0;
    cols.localResident[i] = w.localResident ? 1 : 0;
    cols.basePayFen[i] = w.basePayFen ?? -1;
    cols.previousPayFen[i] = w.previousPayFen ?? -1;
    cols.pensionFen[i] = w.pensionFen ?? -1;
    cols.hiredDay[i] = w.hiredOn ? dayNumber(w.hiredOn) : NO_DAY;
    cols.leftDay[i] = w.leftOn ? dayNumber(w.leftOn) : NO_DAY;
    cols.rows[i] =
      needsRows(post.index) || w.statistics || w.allowances || keep?.(w) ? w : undefined;
  }
  return cols;
};

const encodeCommunities = (p: TPackPrograms, inputs: readonly unknown[]): TCommunityColumns => {
  const n = inputs.length;
  const cols = {
    length: n,
    households: new Int32Array(n),
    residents: new Int32Array(n),
    kind: new Uint8Array(n),
    district: new Uint8Array(n),
  };
  const districts = p.ctx.pack.districts;
  for (let i = 0; i < n; i++) {
    const c: TCommunityInput = parseInput(ZCommunityInput, inputs[i]);
    cols.households[i] = c.households ?? -1;
    cols.residents[i] = c.residents ?? -1;
    cols.kind[i] = COMMUNITY_KINDS.indexOf(c.kind ?? '城市社区');
    cols.district[i] =
      c.district === undefined ? NONE8 : Math.max(0, districts.indexOf(c.district));
  }
  return cols;
};
