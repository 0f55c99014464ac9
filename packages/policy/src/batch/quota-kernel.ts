import { COMMUNITY_KINDS } from '@shegong/shared';
import type { TQuotaLine, TQuotaProgram } from '../evaluate/quota.ts';
import { roundNumber } from '../expr/compile.ts';
import { divRound } from '../util/decimal.ts';
import type { TCommunityColumns, TQuotaColumns } from './batch.ts';

// Community quotas over columns: each line's formula as integer arithmetic on the households or
// residents column; "no upper bound" is -1, a line that does not apply to the row's kind is -2.

export type TQuotaKernel = {
  prog: TQuotaProgram;
  lines: TQuotaLine[];
  applies: Uint8Array[];
  hasExpr: boolean;
};

/** Compiles the community quota lines. */
export const compileQuotaKernel = (prog: TQuotaProgram): TQuotaKernel => ({
  prog,
  lines: prog.community,
  applies: prog.community.map((l) =>
    Uint8Array.from(COMMUNITY_KINDS, (k) => (!l.kinds || l.kinds.has(k) ? 1 : 0)),
  ),
  hasExpr: prog.community.some((l) => l.method.kind === 'expr'),
});

/** Runs the community quota over columns. */
export const runQuotaKernel = (k: TQuotaKernel, cols: TCommunityColumns): TQuotaColumns => {
  const n = cols.length;
  const L = k.lines.length;
  const out: TQuotaColumns = {
    lines: k.lines.map((l) => l.name),
    rules: k.lines.map((l) => l.entry.rule.id),
    lineMin: k.lines.map(() => new Int32Array(n)),
    lineMax: k.lines.map(() => new Int32Array(n)),
    min: new Int32Array(n),
    max: new Int32Array(n),
    error: new Uint8Array(n),
  };
  const lo = new Int32Array(L);
  const hi = new Int32Array(L);
  for (let i = 0; i < n; i++) {
    const kind = cols.kind === undefined ? 0 : (cols.kind[i] as number);
    let ok = true;
    let any = false;
    for (let j = 0; j < L && ok; j++) {
      const l = k.lines[j] as TQuotaLine;
      if ((k.applies[j] as Uint8Array)[kind] === 0) {
        lo[j] = -2;
        hi[j] = -2;
        continue;
      }
      any = true;
      const m = l.method;
      const v =
        m.kind === 'fixed' || m.kind === 'expr' || m.kind === 'allocation' || m.kind === 'sum'
          ? 0
          : m.by === 'households'
            ? (cols.households[i] as number)
            : cols.residents === undefined
              ? -1
              : (cols.residents[i] as number);
      if (v < 0) {
        ok = false;
        break;
      }
      let a: number;
      let b: number;
      switch (m.kind) {
        case 'bands': {
          let band = m.bands[m.bands.length - 1] as (typeof m.bands)[number];
          for (const x of m.bands) {
            if (x.upTo === null || (m.inclusive ? v <= x.upTo : v < x.upTo)) {
              band = x;
              break;
            }
          }
          a = band.min;
          b = band.max === null ? -1 : band.max;
          break;
        }
        case 'steps': {
          const extra = v > m.threshold ? v - m.threshold : 0;
          a = m.base.min + divRound(extra, m.step.min, m.rounding);
          b = m.base.max === null ? -1 : m.base.max + divRound(extra, m.step.max, m.rounding);
          break;
        }
        case 'per-10k':
          a = Math.max(m.minimum, divRound(v * m.ratio.num, 10000 * m.ratio.den, m.rounding));
          b = a;
          break;
        case 'per-unit':
          a = Math.max(m.atLeast, divRound(v, m.size.min, m.rounding.min));
          b = Math.max(a, divRound(v, m.size.max, m.rounding.max));
          break;
        case 'fixed':
          a = m.range.min;
          b = m.range.max === null ? -1 : m.range.max;
          break;
        case 'expr': {
          const env = (bound: 'min' | 'max'): Record<string, number | string | null> => {
            const e: Record<string, number | string | null> = {
              households:
                (cols.households[i] as number) < 0 ? null : (cols.households[i] as number),
              residents:
                cols.residents === undefined || (cols.residents[i] as number) < 0
                  ? null
                  : (cols.residents[i] as number),
              kind: COMMUNITY_KINDS[kind] as string,
              district: null,
            };
            for (let p = 0; p < j; p++) {
              if ((lo[p] as number) === -2) continue;
              const x = bound === 'min' ? (lo[p] as number) : (hi[p] as number);
              e[(k.lines[p] as TQuotaLine).name] = x === -1 ? null : x;
            }
            return e;
          };
          const run = (f: typeof m.min, bound: 'min' | 'max'): number => {
            const e = env(bound);
            if (f.names.some((nm) => e[nm] === null || e[nm] === undefined))
              return bound === 'max' ? -1 : 0;
            const r = f.run(e);
            return typeof r === 'number' ? Math.max(0, roundNumber(r, m.rounding)) : Number.NaN;
          };
          a = run(m.min, 'min');
          b = run(m.max, 'max');
          if (Number.isNaN(a) || Number.isNaN(b)) ok = false;
          break;
        }
        default:
          // Street-only methods never appear among community lines.
          ok = false;
          a = 0;
          b = 0;
      }
      if (l.cap !== undefined && (b === -1 || b > l.cap || a > l.cap)) {
        a = Math.min(a, l.cap);
        b = b === -1 ? l.cap : Math.min(b, l.cap);
      }
      lo[j] = a;
      hi[j] = b;
    }
    if (!ok || !any) {
      out.error[i] = 1;
      for (let j = 0; j < L; j++) {
        (out.lineMin[j] as Int32Array)[i] = -2;
        (out.lineMax[j] as Int32Array)[i] = -2;
      }
      out.min[i] = -1;
      out.max[i] = -1;
      continue;
    }
    let tmin = 0;
    let tmax = 0;
    for (let j = 0; j < L; j++) {
      (out.lineMin[j] as Int32Array)[i] = lo[j] as number;
      (out.lineMax[j] as Int32Array)[i] = hi[j] as number;
      if ((lo[j] as number) === -2 || !(k.lines[j] as TQuotaLine).inTotal) continue;
      tmin += lo[j] as number;
      tmax = tmax === -1 || hi[j] === -1 ? -1 : tmax + (hi[j] as number);
    }
    out.min[i] = tmin;
    out.max[i] = tmax;
  }
  return out;
};
