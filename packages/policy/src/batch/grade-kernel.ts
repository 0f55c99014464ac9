import {
  CERTIFICATE_LEVELS,
  EDUCATION_LEVELS,
  POST_TITLES,
  type TPostTitle,
} from '@shegong/shared';
import type { TPostRef } from '../evaluate/context.ts';
import type { TGradeProgram } from '../evaluate/grade.ts';
import type { TPayProgram } from '../evaluate/pay.ts';
import type { TGradeValue } from '../types.ts';
import { mulRatio, mulRatios, ratio, type TRatio } from '../util/decimal.ts';
import type { TGradeColumns, TWorkerColumns } from './batch.ts';

// The grade stage compiled to dense lookup tables over small input domains: (category, years) →
// base grade; (post, education, recognised, certificate, held) → capped and uncapped bumps, with
// the pack's combination rule and caps folded in; grade → coefficient and base pay. A row then
// costs a handful of array reads. Shapes without such tables (promotion ladders, expressions)
// take the per-row path through the same compiled program, without traces.

const NT1 = POST_TITLES.length + 1;
const NE = EDUCATION_LEVELS.length + 1; // + "not given"
const NC = CERTIFICATE_LEVELS.length;
/** Bump key = ((education × 2 + recognised) × NC + certificate) × 2 + held. */
const BK = NE * 2 * NC * 2;
const PROB_NONE = 0;
const PROB_COEF = 1;
const PROB_PERCENT = 2;
const PB_TABLE = 1;
const PB_GIVEN = 2;
const PB_ROW = 3;

export type TGradeKernel = {
  nCat: number;
  needsRows: (cat: number) => boolean;
  rowCat: Uint8Array;
  hasLadder: Uint8Array;
  stride: number;
  yMax: Int16Array;
  ladder: Int16Array;
  pkError: Uint8Array;
  capB: Int16Array;
  unB: Int16Array;
  spanMax: Int16Array;
  tableMax: number;
  probKind: Uint8Array;
  probCoefScaled: Int32Array;
  probBaseFen: Int32Array;
  probPercent: (TRatio | null)[];
  hasCoef: boolean;
  decimals: number;
  coefScaled: Int32Array;
  pbIndex: Int8Array;
  pbKind: Uint8Array;
  payByGrade: Int32Array;
  pbNoCoefFen: Int32Array;
  /**
   * The whole grade stage folded into one table over its finite inputs: (post key, bump key,
   * years) → grade, built from the stage tables above. Null when too large or not applicable.
   */
  folded: { grade: Int8Array; fastPk: Uint8Array; payOffset: Int32Array } | null;
};

const postRef = (prog: TGradeProgram, cat: number, title: number): TPostRef => ({
  category: prog.ctx.categories[cat] as string,
  index: cat,
  title: title === 0 ? null : (POST_TITLES[title - 1] as TPostTitle),
});

const compiled = new WeakMap<TGradeProgram, WeakMap<TPayProgram, TGradeKernel>>();

/**
 * Compiles the grade and base-pay stage into lookup tables, once per pair of programs: the
 * tables depend on the programs only (compiled once per pack version, never changed) and the
 * kernel is read-only, while compiling took 0.5–3 ms — paid by every one-worker explanation.
 */
export const compileGradeKernel = (prog: TGradeProgram, pay: TPayProgram): TGradeKernel => {
  let byPay = compiled.get(prog);
  if (!byPay) {
    byPay = new WeakMap();
    compiled.set(prog, byPay);
  }
  let kernel = byPay.get(pay);
  if (!kernel) {
    kernel = buildGradeKernel(prog, pay);
    byPay.set(pay, kernel);
  }
  return kernel;
};

const buildGradeKernel = (prog: TGradeProgram, pay: TPayProgram): TGradeKernel => {
  const nCat = prog.ctx.categories.length;
  const nPk = nCat * NT1;
  const rowCat = new Uint8Array(nCat);
  const hasLadder = new Uint8Array(nCat);
  const yMax = new Int16Array(nCat);
  const spanMax = new Int16Array(nCat);
  const tableMax = prog.tableMax;
  const anyExprBump = prog.bumps.some((b) => b.by === 'expr');
  prog.ladders.forEach((l, c) => {
    if (!l) return;
    hasLadder[c] = 1;
    spanMax[c] = l.span[1];
    if (l.kind !== 'years' || anyExprBump) rowCat[c] = 1;
    else yMax[c] = (l.bands[l.bands.length - 1] as { from: number }).from;
  });
  const stride = Math.max(1, ...Array.from(yMax)) + 1;
  const ladder = new Int16Array(nCat * stride);
  prog.ladders.forEach((l, c) => {
    if (l?.kind !== 'years') return;
    for (const b of l.bands) {
      const to = b.to === null ? (yMax[c] as number) : b.to;
      for (let y = b.from; y <= to; y++) ladder[c * stride + y] = b.grade;
    }
  });

  // Bumps per (post key, bump key), with "highest" and per-post caps folded in.
  const capB = new Int16Array(nPk * BK);
  const unB = new Int16Array(nPk * BK);
  const pkError = new Uint8Array(nPk);
  for (let c = 0; c < nCat; c++) {
    for (let t = 0; t < NT1; t++) {
      const pk = c * NT1 + t;
      const post = postRef(prog, c, t);
      let applicable: typeof prog.bumps;
      try {
        applicable = prog.bumps.filter((b) => b.by !== 'expr' && b.applies(post));
      } catch {
        pkError[pk] = 1;
        continue;
      }
      for (let e = 0; e < NE; e++) {
        for (let rec = 0; rec < 2; rec++) {
          for (let ct = 0; ct < NC; ct++) {
            for (let held = 0; held < 2; held++) {
              const bk = ((e * 2 + rec) * NC + ct) * 2 + held;
              const found: { v: number; within: boolean }[] = [];
              for (const b of applicable) {
                let v = 0;
                if (b.by === 'education') {
                  v =
                    e < EDUCATION_LEVELS.length
                      ? (b.levels.get(EDUCATION_LEVELS[e] as string) ?? 0)
                      : 0;
                  if (v > 0 && b.recognisedOnly && rec === 0) v = 0;
                } else {
                  v = b.levels.get(CERTIFICATE_LEVELS[ct] as string) ?? 0;
                  if (v > 0 && b.heldOnDate && held === 0) v = 0;
                }
                if (v > 0) found.push({ v, within: b.withinSpan });
              }
              let cap = 0;
              let un = 0;
              if (found.length > 0 && prog.limits.combine === 'highest') {
                let best = found[0] as { v: number; within: boolean };
                for (const f of found)
                  if (f.v > best.v || (f.v === best.v && f.within && !best.within)) best = f;
                if (best.within) cap = best.v;
                else un = best.v;
              } else {
                for (const f of found) {
                  if (f.within) cap += f.v;
                  else un += f.v;
                }
              }
              const max = prog.limits.maxTotal[c];
              if (max !== undefined && prog.limits.entry && cap + un > max) {
                cap = Math.min(cap, max);
                un = Math.min(un, max - cap);
              }
              capB[pk * BK + bk] = cap;
              unB[pk * BK + bk] = un;
            }
          }
        }
      }
    }
  }

  const decimals = prog.coefficients?.decimals ?? 2;
  const coefScaled = new Int32Array(tableMax + 1).fill(-1);
  for (const [g, r] of prog.coefficients?.table ?? [])
    if (g <= tableMax) coefScaled[g] = mulRatio(10 ** decimals, r, 'half-up');

  // Base pay per pay rule and grade.
  const pbs = prog.payBase;
  const pbKind = new Uint8Array(pbs.length);
  const payByGrade = new Int32Array(pbs.length * (tableMax + 1)).fill(-1);
  const pbNoCoefFen = new Int32Array(pbs.length).fill(-1);
  const baseWith = (i: number, coef: TRatio): number => {
    const b = (pbs[i] as (typeof pbs)[number]).base;
    if (b.kind === 'amount') return mulRatio(b.amountFen, coef, b.rounding);
    if (b.kind === 'statistic' && b.packValueFen !== undefined)
      return mulRatio(b.packValueFen, mulRatios(b.factor, coef), b.rounding);
    return -1;
  };
  pbs.forEach((pb, i) => {
    const b = pb.base;
    if (b.kind === 'given') pbKind[i] = PB_GIVEN;
    else if (b.kind === 'amount' || (b.kind === 'statistic' && b.packValueFen !== undefined)) {
      pbKind[i] = PB_TABLE;
      for (const [g, r] of prog.coefficients?.table ?? [])
        if (g <= tableMax) payByGrade[i * (tableMax + 1) + g] = baseWith(i, r);
      if (b.kind === 'statistic') pbNoCoefFen[i] = baseWith(i, ratio(1));
    } else pbKind[i] = PB_ROW;
  });
  const pbIndex = new Int8Array(nPk).fill(-1);
  const probKind = new Uint8Array(nPk);
  const probCoefScaled = new Int32Array(nPk).fill(-1);
  const probBaseFen = new Int32Array(nPk).fill(-1);
  const probPercent: (TRatio | null)[] = new Array(nPk).fill(null);
  for (let c = 0; c < nCat; c++) {
    for (let t = 0; t < NT1; t++) {
      const pk = c * NT1 + t;
      const post = postRef(prog, c, t);
      try {
        pbIndex[pk] = pbs.findIndex((p) => p.applies(post));
        const pr = prog.probation.find((p) => p.applies(post));
        if (pr?.pay.kind === 'coefficient') {
          probKind[pk] = PROB_COEF;
          probCoefScaled[pk] = mulRatio(10 ** decimals, pr.pay.coefficient, 'half-up');
          const i = pbIndex[pk] as number;
          if (i >= 0) probBaseFen[pk] = baseWith(i, pr.pay.coefficient);
        } else if (pr?.pay.kind === 'percent') {
          probKind[pk] = PROB_PERCENT;
          probPercent[pk] = pr.pay.percent;
        }
      } catch {
        pkError[pk] = 1;
      }
      if (pbKind[pbIndex[pk] as number] === PB_ROW) rowCat[c] = 1;
    }
  }
  // Pay shapes that have no column form send their categories down the per-row path too.
  const payRows =
    pay.performance.some((x) => x.kind === 'expr') ||
    pay.allowances.some((a) => a.by === 'expr' || a.mode === 'cap-of-input');
  if (payRows) rowCat.fill(1);
  const folded = foldGradeStage(
    nCat,
    stride,
    yMax,
    ladder,
    hasLadder,
    rowCat,
    pkError,
    capB,
    unB,
    spanMax,
    tableMax,
    pbIndex,
    pbKind,
    prog.coefficients !== undefined,
    coefScaled,
  );
  return {
    folded,
    nCat,
    needsRows: (c) => rowCat[c] === 1,
    rowCat,
    hasLadder,
    stride,
    yMax,
    ladder,
    pkError,
    capB,
    unB,
    spanMax,
    tableMax,
    probKind,
    probCoefScaled,
    probBaseFen,
    probPercent,
    hasCoef: prog.coefficients !== undefined,
    decimals,
    coefScaled,
    pbIndex,
    pbKind,
    payByGrade,
    pbNoCoefFen,
  };
};

/** Largest folded table (entries); beyond it the stage tables are used row by row. */
const MAX_FOLDED = 4_000_000;

/**
 * Folds ladder, bumps, caps and the pay rule's grade table into one lookup per (post key, bump
 * key, years), for post keys whose rows need nothing else (a years ladder, a table-driven base
 * pay, no probation rule at a fixed coefficient).
 */
const foldGradeStage = (
  nCat: number,
  stride: number,
  yMax: Int16Array,
  ladder: Int16Array,
  hasLadder: Uint8Array,
  rowCat: Uint8Array,
  pkError: Uint8Array,
  capB: Int16Array,
  unB: Int16Array,
  spanMax: Int16Array,
  tableMax: number,
  pbIndex: Int8Array,
  pbKind: Uint8Array,
  hasCoef: boolean,
  coefScaled: Int32Array,
): TGradeKernel['folded'] => {
  const nPk = nCat * NT1;
  if (nPk * BK * stride > MAX_FOLDED || tableMax > 127) return null;
  const grade = new Int8Array(nPk * BK * stride).fill(-1);
  const fastPk = new Uint8Array(nPk);
  const payOffset = new Int32Array(nPk).fill(-1);
  for (let pk = 0; pk < nPk; pk++) {
    const c = (pk / NT1) | 0;
    const pb = pbIndex[pk] as number;
    if (rowCat[c] === 1 || pkError[pk] === 1 || hasLadder[c] === 0) continue;
    if (pb >= 0 && pbKind[pb] !== PB_TABLE) continue;
    if (!hasCoef) continue;
    fastPk[pk] = 1;
    payOffset[pk] = pb < 0 ? -1 : pb * (tableMax + 1);
    const ym = yMax[c] as number;
    const sm = spanMax[c] as number;
    for (let bk = 0; bk < BK; bk++) {
      const cap = capB[pk * BK + bk] as number;
      const un = unB[pk * BK + bk] as number;
      for (let y = 0; y <= ym; y++) {
        let g = (ladder[c * stride + y] as number) + cap;
        if (g > sm) g = sm;
        g += un;
        if (g > tableMax) g = tableMax;
        if ((coefScaled[g] as number) < 0) {
          fastPk[pk] = 0;
          break;
        }
        grade[(pk * BK + bk) * stride + y] = g;
      }
    }
  }
  return { grade, fastPk, payOffset };
};

/** Reuses output columns: clears the flags the kernels only set (error, probation). */
export const resetGradeColumns = (out: TGradeColumns, n: number): TGradeColumns => {
  if (out.grade.length !== n)
    throw new RangeError(`输出列长度${out.grade.length}与输入${n}行不一致`);
  out.error.fill(0);
  out.probation.fill(0);
  return out;
};

/** Output columns of the grade stage for n rows. */
export const gradeColumns = (n: number, decimals: number): TGradeColumns => ({
  grade: new Int16Array(n),
  coefficientScaled: new Int32Array(n),
  coefficientDecimals: decimals,
  basePayFen: new Int32Array(n),
  probation: new Uint8Array(n),
  error: new Uint8Array(n),
});

/**
 * Runs the grade stage over columns. `rowPath(i)` evaluates row i through the compiled program
 * (for shapes without tables); `requireGrade` false lets rows without a ladder through (pay).
 */
export const runGradeKernel = (
  k: TGradeKernel,
  cols: TWorkerColumns,
  rowPath: (i: number) => Omit<TGradeValue, 'post' | 'title'> | undefined,
  requireGrade = true,
  out: TGradeColumns = gradeColumns(cols.length, k.decimals),
): TGradeColumns => {
  const n = cols.length;
  const { post, years, education, certificate } = cols;
  const title = cols.title;
  const rec = cols.educationRecognised;
  const held = cols.certificateHeld;
  const prob = cols.probation;
  const rows = cols.rows;
  const f = k.folded;
  const { stride, yMax, coefScaled, payByGrade, probKind, probCoefScaled, probBaseFen } = k;
  const og = out.grade;
  const oc = out.coefficientScaled;
  const op = out.basePayFen;
  const oProb = out.probation;
  // The folded table serves every row of a folded post key; other rows take the general path.
  const folded = f !== null;
  const given = cols.grade;
  const table = f?.grade ?? new Int8Array(0);
  const fastPk = f?.fastPk ?? new Uint8Array(0);
  const payOffset = f?.payOffset ?? new Int32Array(0);
  for (let i = 0; i < n; i++) {
    if (
      folded &&
      (rows === undefined || rows[i] === undefined) &&
      (given === undefined || (given[i] as number) < 0)
    ) {
      const c = post[i] as number;
      const pk = c * NT1 + (title === undefined ? 0 : (title[i] as number));
      if (fastPk[pk] === 1) {
        const onProb = prob !== undefined && prob[i] === 1 ? (probKind[pk] as number) : PROB_NONE;
        if (onProb === PROB_COEF) {
          og[i] = -1;
          oc[i] = probCoefScaled[pk] as number;
          op[i] = probBaseFen[pk] as number;
          oProb[i] = 1;
          continue;
        }
        let y = years[i] as number;
        if (y === 0xffff) {
          fail(out, i, 1);
          continue;
        }
        const ym = yMax[c] as number;
        if (y > ym) y = ym;
        const e = education[i] as number;
        const bk =
          (((e === 255 ? NE - 1 : e) * 2 + (rec === undefined ? 1 : (rec[i] as number))) * NC +
            (certificate[i] as number)) *
            2 +
          (held === undefined ? 1 : (held[i] as number));
        const g = table[(pk * BK + bk) * stride + y] as number;
        og[i] = g;
        oc[i] = coefScaled[g] as number;
        const po = payOffset[pk] as number;
        let pay = po < 0 ? -1 : (payByGrade[po + g] as number);
        if (onProb === PROB_PERCENT) {
          oProb[i] = 1;
          if (pay >= 0) pay = mulRatio(pay, k.probPercent[pk] as TRatio, 'half-up');
        }
        op[i] = pay;
        continue;
      }
    }
    generalRow(k, cols, out, i, rowPath, requireGrade);
  }
  return out;
};

/** One row through the stage tables (given grades, per-row paths, unfolded post keys). */
const generalRow = (
  k: TGradeKernel,
  cols: TWorkerColumns,
  out: TGradeColumns,
  i: number,
  rowPath: (i: number) => Omit<TGradeValue, 'post' | 'title'> | undefined,
  requireGrade: boolean,
): void => {
  const { post, years, education, certificate } = cols;
  const title = cols.title;
  const rec = cols.educationRecognised;
  const held = cols.certificateHeld;
  const prob = cols.probation;
  const given = cols.grade;
  const givenPay = cols.basePayFen;
  const rows = cols.rows;
  const {
    ladder,
    stride,
    yMax,
    capB,
    unB,
    spanMax,
    tableMax,
    coefScaled,
    payByGrade,
    pbIndex,
    pbKind,
  } = k;
  const oGrade = out.grade;
  const oCoef = out.coefficientScaled;
  const oPay = out.basePayFen;
  const oProb = out.probation;
  const oErr = out.error;
  const tm1 = tableMax + 1;
  const c = post[i] as number;
  if (k.rowCat[c] === 1 || (rows !== undefined && rows[i] !== undefined)) {
    rowFallback(k, out, i, rowPath);
    return;
  }
  const pk = c * NT1 + (title === undefined ? 0 : (title[i] as number));
  if (k.pkError[pk] === 1) {
    fail(out, i, 1);
    return;
  }
  const onProb = prob !== undefined && prob[i] === 1 ? (k.probKind[pk] as number) : PROB_NONE;
  oProb[i] = onProb === PROB_NONE ? 0 : 1;
  oErr[i] = 0;
  const gi = given === undefined ? -1 : (given[i] as number);
  let g: number;
  if (gi >= 0) g = gi;
  else if (onProb === PROB_COEF) g = -1;
  else if (k.hasLadder[c] === 0) {
    if (requireGrade) {
      fail(out, i, 2);
      return;
    }
    g = -1;
  } else {
    let y = years[i] as number;
    if (y === 0xffff) {
      fail(out, i, 1);
      return;
    }
    const ym = yMax[c] as number;
    if (y > ym) y = ym;
    const base = ladder[c * stride + y] as number;
    const e = education[i] as number;
    const bk =
      (((e === 255 ? NE - 1 : e) * 2 + (rec === undefined ? 1 : (rec[i] as number))) * NC +
        (certificate[i] as number)) *
        2 +
      (held === undefined ? 1 : (held[i] as number));
    const o = pk * BK + bk;
    g = base + (capB[o] as number);
    const sm = spanMax[c] as number;
    if (g > sm) g = sm;
    g += unB[o] as number;
    if (g > tableMax) g = tableMax;
  }
  oGrade[i] = g;
  let coef = -1;
  if (onProb === PROB_COEF) coef = k.probCoefScaled[pk] as number;
  else if (g >= 0 && k.hasCoef) {
    coef = g <= tableMax ? (coefScaled[g] as number) : -1;
    if (coef < 0) {
      fail(out, i, 1);
      return;
    }
  }
  oCoef[i] = coef;
  const pb = pbIndex[pk] as number;
  let pay = -1;
  if (pb >= 0) {
    const kind = pbKind[pb];
    if (kind === PB_GIVEN) {
      if (onProb === PROB_COEF) {
        fail(out, i, 1);
        return;
      }
      pay = givenPay === undefined ? -1 : (givenPay[i] as number);
      if (pay < 0 && !requireGrade) {
        fail(out, i, 1);
        return;
      }
    } else if (onProb === PROB_COEF) pay = k.probBaseFen[pk] as number;
    else if (g >= 0 && coef >= 0) pay = payByGrade[pb * tm1 + g] as number;
    else pay = k.pbNoCoefFen[pb] as number;
    if (pay >= 0 && onProb === PROB_PERCENT)
      pay = mulRatio(pay, k.probPercent[pk] as TRatio, 'half-up');
  }
  oPay[i] = pay;
};

const fail = (out: TGradeColumns, i: number, code: number): void => {
  out.error[i] = code;
  out.grade[i] = -1;
  out.coefficientScaled[i] = -1;
  out.basePayFen[i] = -1;
  out.probation[i] = 0;
};

const rowFallback = (
  k: TGradeKernel,
  out: TGradeColumns,
  i: number,
  rowPath: (i: number) => Omit<TGradeValue, 'post' | 'title'> | undefined,
): void => {
  let v: ReturnType<typeof rowPath>;
  try {
    v = rowPath(i);
  } catch {
    fail(out, i, 1);
    return;
  }
  if (!v) {
    fail(out, i, 2);
    return;
  }
  out.error[i] = 0;
  out.grade[i] = v.grade ?? -1;
  out.coefficientScaled[i] =
    v.coefficient === null ? -1 : Math.round(Number(v.coefficient) * 10 ** k.decimals);
  out.basePayFen[i] = v.basePayFen ?? -1;
  out.probation[i] = v.probation ? 1 : 0;
};
