import {
  ASSESSMENT_GRADES,
  CERTIFICATE_LEVELS,
  EDUCATION_LEVELS,
  POST_TITLES,
  type TPostTitle,
} from '@shegong/shared';
import type { TPostRef } from '../evaluate/context.ts';
import type { TPayProgram } from '../evaluate/pay.ts';
import type { TPayValue } from '../types.ts';
import { dayNumber, monthEnd, monthStart } from '../util/dates.ts';
import {
  divRound,
  mulRatio,
  ratio,
  subRatios,
  type TRatio,
  type TRounding,
} from '../util/decimal.ts';
import type { TPayColumns, TWorkerColumns } from './batch.ts';
import { gradeColumns, runGradeKernel, type TGradeKernel } from './grade-kernel.ts';

// The pay stage over columns: performance by stars or shares, allowances by certificate,
// education, post or grade, floors by district, protection of previous pay, pension offsets.

const NT1 = POST_TITLES.length + 1;

/** "Not given" in a day column (`hiredDay`, `leftDay` of the worker columns). */
export const NO_DAY = -0x80000000;

type TPerfK =
  | {
      kind: 'stars';
      amounts: Int32Array;
      period: 1 | 2;
      byAssessment: (TRatio | undefined)[];
      rounding: TPayProgram['performance'][number]['rounding'];
    }
  | {
      kind: 'share-of-total';
      share: TRatio;
      rest: TRatio;
      rounding: TPayProgram['performance'][number]['rounding'];
    }
  | {
      kind: 'share-of-base';
      share: TRatio;
      rounding: TPayProgram['performance'][number]['rounding'];
    }
  | { kind: 'fixed'; amountFen: number; period: 1 | 2 };

export type TPayKernel = {
  grade: TGradeKernel;
  perf: TPerfK[];
  perfIndex: Int8Array;
  probNoPerf: Uint8Array;
  probNoAllow: Uint8Array;
  allowances: { a: TPayProgram['allowances'][number]; applies: Uint8Array; monthly: boolean }[];
  floorIndex: Int8Array;
  /** Per floor rule and district (+1 for "none"): the monthly floor in fen, -1 = no share for it. */
  floorFen: Int32Array;
  nD: number;
  keep: Uint8Array;
  retiree: Uint8Array;
  pkError: Uint8Array;
  prog: TPayProgram;
  /** The month of the batch's date, as day numbers, and the pro-rating rule (pay-proration). */
  firstDay: number;
  lastDay: number;
  monthDays: number;
  join: 'full-month' | 'by-days' | 'none';
  leave: 'by-days' | 'full-month';
  prorationRounding: TRounding;
};

const postRef = (prog: TPayProgram, cat: number, title: number): TPostRef => ({
  category: prog.grade.ctx.categories[cat] as string,
  index: cat,
  title: title === 0 ? null : (POST_TITLES[title - 1] as TPostTitle),
});

/** Compiles the pay stage on top of the grade kernel. */
export const compilePayKernel = (
  prog: TPayProgram,
  grade: TGradeKernel,
  date: string,
): TPayKernel => {
  const nPk = grade.nCat * NT1;
  const perf: TPerfK[] = prog.performance.map((p) => {
    switch (p.kind) {
      case 'stars':
        return {
          kind: 'stars',
          amounts: Int32Array.from(p.amounts, (a) => a ?? -1),
          period: p.period === 'month' ? 1 : 2,
          byAssessment: ASSESSMENT_GRADES.map((g) => p.byAssessment.get(g)),
          rounding: p.rounding,
        };
      case 'share-of-total':
        return {
          kind: p.kind,
          share: p.share,
          rest: subRatios(ratio(1), p.share),
          rounding: p.rounding,
        };
      case 'share-of-base':
        return { kind: p.kind, share: p.share, rounding: p.rounding };
      case 'fixed':
        return { kind: 'fixed', amountFen: p.amountFen, period: p.period === 'month' ? 1 : 2 };
      default:
        // Expression performance is evaluated per row (see compileGradeKernel).
        return { kind: 'fixed', amountFen: 0, period: 1 };
    }
  });
  const districts = prog.grade.ctx.pack.districts;
  const nD = districts.length + 1;
  const perfIndex = new Int8Array(nPk).fill(-1);
  const probNoPerf = new Uint8Array(nPk);
  const probNoAllow = new Uint8Array(nPk);
  const floorIndex = new Int8Array(nPk).fill(-1);
  const keep = new Uint8Array(nPk);
  const retiree = new Uint8Array(nPk);
  const pkError = new Uint8Array(nPk);
  const allowances = prog.allowances.map((a) => ({
    a,
    applies: new Uint8Array(nPk),
    monthly: a.period === 'month',
  }));
  for (let c = 0; c < grade.nCat; c++) {
    for (let t = 0; t < NT1; t++) {
      const pk = c * NT1 + t;
      const post = postRef(prog, c, t);
      try {
        const perfs = prog.performance
          .map((p, i) => (p.applies(post) ? i : -1))
          .filter((i) => i >= 0);
        if (perfs.length > 1) pkError[pk] = 1;
        perfIndex[pk] = perfs[0] ?? -1;
        const floors = prog.floors.map((f, i) => (f.applies(post) ? i : -1)).filter((i) => i >= 0);
        if (floors.length > 1) pkError[pk] = 1;
        floorIndex[pk] = floors[0] ?? -1;
        const pr = prog.grade.probation.find((p) => p.applies(post));
        probNoPerf[pk] = pr && !pr.performance ? 1 : 0;
        probNoAllow[pk] = pr && !pr.allowances ? 1 : 0;
        for (const x of allowances) x.applies[pk] = x.a.applies(post) ? 1 : 0;
        keep[pk] = prog.protection.some(
          (p) => p.entry.rule.method === 'keep-previous' && p.applies(post),
        )
          ? 1
          : 0;
        retiree[pk] = prog.protection.some(
          (p) => p.entry.rule.method === 'retiree-offset' && p.applies(post),
        )
          ? 1
          : 0;
      } catch {
        pkError[pk] = 1;
      }
    }
  }
  const floorFen = new Int32Array(prog.floors.length * nD).fill(-1);
  prog.floors.forEach((f, fi) => {
    if (f.packValueFen === undefined) return;
    for (let d = 0; d < nD; d++) {
      const share =
        (d < districts.length ? f.byDistrict.get(districts[d] as string) : undefined) ?? f.share;
      if (!share) continue;
      const stat = f.packValueFen;
      floorFen[fi * nD + d] = f.annual
        ? divRound(stat * share.num, share.den * 12, f.rounding)
        : mulRatio(stat, share, f.rounding);
    }
    // Floors read statistics from the input when the pack has none: such rows go per row.
  });
  return {
    grade,
    perf,
    perfIndex,
    probNoPerf,
    probNoAllow,
    allowances,
    floorIndex,
    floorFen,
    nD,
    keep,
    retiree,
    pkError,
    prog,
    firstDay: dayNumber(monthStart(date)),
    lastDay: dayNumber(monthEnd(date)),
    monthDays: dayNumber(monthEnd(date)) - dayNumber(monthStart(date)) + 1,
    join: prog.proration?.join ?? 'full-month',
    leave: prog.proration?.leave ?? 'full-month',
    prorationRounding: prog.proration?.rounding ?? 'half-up',
  };
};

/**
 * Days of the month paid, as the trace evaluator counts them (evaluatePay): joining after the
 * first day by the rule's `join`, leaving before the last day by its `leave`, both days included;
 * nothing when hired after the month or gone before it.
 */
const paidDaysOf = (k: TPayKernel, hired: number, left: number): number => {
  let from = k.firstDay;
  let to = k.lastDay;
  if (hired !== NO_DAY && hired > k.firstDay && hired <= k.lastDay) {
    if (k.join === 'by-days') from = hired;
    else if (k.join === 'none') return 0;
  }
  if (left !== NO_DAY && left >= k.firstDay && left < k.lastDay && k.leave === 'by-days') to = left;
  if ((hired !== NO_DAY && hired > k.lastDay) || (left !== NO_DAY && left < k.firstDay)) return 0;
  return to < from ? 0 : to - from + 1;
};

const payColumns = (n: number, decimals: number, monthDays: number): TPayColumns => ({
  ...gradeColumns(n, decimals),
  paidDays: new Uint8Array(n),
  monthDays,
  payableFen: new Int32Array(n),
  performanceFen: new Int32Array(n),
  performancePeriod: new Uint8Array(n),
  monthlyAllowancesFen: new Int32Array(n),
  annualLumpSumFen: new Int32Array(n),
  floorTopUpFen: new Int32Array(n),
  protectedFen: new Int32Array(n),
  pensionOffsetFen: new Int32Array(n),
  monthlyTotalFen: new Int32Array(n),
});

/** Runs the pay stage over columns. */
export const runPayKernel = (
  k: TPayKernel,
  cols: TWorkerColumns,
  rowPath: (i: number) => TPayValue | undefined,
): TPayColumns => {
  const n = cols.length;
  const out = payColumns(n, k.grade.decimals, k.monthDays);
  const rowDone = new Uint8Array(n);
  runGradeKernel(
    k.grade,
    cols,
    (i) => {
      const v = rowPath(i);
      if (v) {
        rowDone[i] = 1;
        writeRow(out, i, v);
      }
      return v;
    },
    false,
    out,
  );
  const title = cols.title;
  const districts = k.prog.grade.ctx.pack.districts;
  let env: Record<string, unknown> | null = null;
  for (let i = 0; i < n; i++) {
    if (rowDone[i] === 1 || out.error[i] !== 0) continue;
    const c = cols.post[i] as number;
    const pk = c * NT1 + (title === undefined ? 0 : (title[i] as number));
    const base0 = out.basePayFen[i] as number;
    if (base0 < 0 || k.pkError[pk] === 1) {
      out.error[i] = base0 < 0 ? 2 : 1;
      continue;
    }
    const prob = out.probation[i] === 1;
    let base = base0;
    let pension = 0;
    if (
      k.retiree[pk] === 1 &&
      cols.pensionFen !== undefined &&
      (cols.pensionFen[i] as number) >= 0
    ) {
      pension = Math.min(cols.pensionFen[i] as number, base0);
      base -= pension;
    }
    let perf = 0;
    let period = 0;
    const pi = k.perfIndex[pk] as number;
    if (pi >= 0 && !(prob && k.probNoPerf[pk] === 1)) {
      const p = k.perf[pi] as TPerfK;
      if (p.kind === 'stars') {
        const s = cols.stars === undefined ? 255 : (cols.stars[i] as number);
        const amount = s > 5 ? -1 : (p.amounts[s] as number);
        if (amount < 0) {
          out.error[i] = 1;
          continue;
        }
        perf = amount;
        const a = cols.assessment === undefined ? 255 : (cols.assessment[i] as number);
        const f = a === 255 ? undefined : p.byAssessment[a];
        if (f) perf = mulRatio(amount, f, p.rounding);
        period = p.period;
      } else if (p.kind === 'share-of-total') {
        perf = divRound(base0 * p.share.num * p.rest.den, p.share.den * p.rest.num, p.rounding);
        period = 1;
      } else if (p.kind === 'share-of-base') {
        perf = mulRatio(base0, p.share, p.rounding);
        period = 1;
      } else {
        perf = p.amountFen;
        period = p.period;
      }
    }
    let monthlyAllow = 0;
    let annual = period === 2 ? perf : 0;
    if (!(prob && k.probNoAllow[pk] === 1)) {
      for (const x of k.allowances) {
        if (x.applies[pk] === 0) continue;
        const a = x.a;
        if (a.when) {
          env = rowEnv(k, cols, out, i, base0, districts);
          if (a.when.run(env as never) !== true) continue;
        }
        let fen: number;
        if (a.by === 'fixed') fen = a.amountFen;
        else if (a.by === 'certificate')
          fen = a.amounts.get(CERTIFICATE_LEVELS[cols.certificate[i] as number] as string) ?? 0;
        else if (a.by === 'education') {
          const e = cols.education[i] as number;
          fen = e === 255 ? 0 : (a.amounts.get(EDUCATION_LEVELS[e] as string) ?? 0);
        } else if (a.by === 'category')
          fen = a.amounts.get(k.prog.grade.ctx.categories[c] as string) ?? 0;
        else fen = a.amounts.get(String((out.grade[i] as number) < 0 ? null : out.grade[i])) ?? 0;
        if (fen > 0) {
          if (x.monthly) monthlyAllow += fen;
          else annual += fen;
        }
      }
    }
    let monthly = base + (period === 1 ? perf : 0) + monthlyAllow;
    let topUp = 0;
    const fi = k.floorIndex[pk] as number;
    if (fi >= 0) {
      const d = cols.district === undefined ? 255 : (cols.district[i] as number);
      const dIdx = d >= districts.length ? k.nD - 1 : d;
      const floor = k.floorFen[fi * k.nD + dIdx] as number;
      if (floor < 0) {
        out.error[i] = 1;
        continue;
      }
      topUp = Math.max(0, floor - monthly);
      monthly += topUp;
    }
    let kept = 0;
    if (
      k.keep[pk] === 1 &&
      cols.previousPayFen !== undefined &&
      (cols.previousPayFen[i] as number) >= 0
    ) {
      kept = Math.max(0, (cols.previousPayFen[i] as number) - monthly);
      monthly += kept;
    }
    out.performanceFen[i] = perf;
    out.performancePeriod[i] = period;
    out.monthlyAllowancesFen[i] = monthlyAllow;
    out.annualLumpSumFen[i] = annual;
    out.floorTopUpFen[i] = topUp;
    out.protectedFen[i] = kept;
    out.pensionOffsetFen[i] = pension;
    out.monthlyTotalFen[i] = monthly;
    const days = paidDaysOf(
      k,
      cols.hiredDay === undefined ? NO_DAY : (cols.hiredDay[i] as number),
      cols.leftDay === undefined ? NO_DAY : (cols.leftDay[i] as number),
    );
    out.paidDays[i] = days;
    out.payableFen[i] =
      days === k.monthDays ? monthly : divRound(monthly * days, k.monthDays, k.prorationRounding);
  }
  return out;
};

const rowEnv = (
  k: TPayKernel,
  cols: TWorkerColumns,
  out: TPayColumns,
  i: number,
  base: number,
  districts: readonly string[],
): Record<string, unknown> => {
  const c = cols.post[i] as number;
  const t = cols.title === undefined ? 0 : (cols.title[i] as number);
  const g = out.grade[i] as number;
  const coef = out.coefficientScaled[i] as number;
  const e = cols.education[i] as number;
  const cert = CERTIFICATE_LEVELS[cols.certificate[i] as number] as string;
  const s = cols.stars === undefined ? 255 : (cols.stars[i] as number);
  const a = cols.assessment === undefined ? 255 : (cols.assessment[i] as number);
  const d = cols.district === undefined ? 255 : (cols.district[i] as number);
  const y = cols.years[i] as number;
  const env: Record<string, unknown> = {
    years: y === 0xffff ? null : y,
    grade: g < 0 ? null : g,
    coefficient: coef < 0 ? null : coef / 10 ** k.grade.decimals,
    category: k.prog.grade.ctx.categories[c],
    title: t === 0 ? null : POST_TITLES[t - 1],
    education: e === 255 ? null : EDUCATION_LEVELS[e],
    certificate: cert,
    stars: s === 255 ? null : s,
    probation: out.probation[i] === 1,
    assessment: a === 255 ? null : ASSESSMENT_GRADES[a],
    district: d >= districts.length ? null : districts[d],
    age: null,
    certificateApproved: cols.certificateApproved?.[i] === 1,
    localResident: cols.localResident?.[i] === 1,
    持证: cert !== '无',
    basePay: base / 100,
  };
  // Rows with their own statistics take the per-row path, so the pack's values apply here.
  const ctx = k.prog.grade.ctx;
  for (const n of ctx.statNames) env[n] = ctx.statDefaults[n] ?? null;
  return env;
};

const writeRow = (out: TPayColumns, i: number, v: TPayValue): void => {
  out.performanceFen[i] = v.performanceFen;
  out.performancePeriod[i] =
    v.performancePeriod === 'month' ? 1 : v.performancePeriod === 'year' ? 2 : 0;
  out.monthlyAllowancesFen[i] = v.allowances
    .filter((a) => a.period === 'month')
    .reduce((s, a) => s + a.amountFen, 0);
  out.annualLumpSumFen[i] = v.annualLumpSumFen;
  out.floorTopUpFen[i] = v.floorTopUpFen;
  out.protectedFen[i] = v.protectedFen;
  out.pensionOffsetFen[i] = v.pensionOffsetFen;
  out.monthlyTotalFen[i] = v.monthlyTotalFen;
  out.paidDays[i] = v.paidDays;
  out.payableFen[i] = v.payableFen;
};
