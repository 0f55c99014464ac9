import type { TPolicyRegistry } from '@shegong/policy';
import type { TCtx } from '../../context.ts';
import type { TJobReporter } from '../../jobs/jobs.ts';
import { effectivePackIds } from '../org/org.repo.ts';
import { computeMonthLines } from '../pay/compute-lines.ts';
import { listStreetsUnder, loadPayWorkersForYear, type TStreetRow } from '../pay/pay.repo.ts';
import { hiredOnOf, monthEnd, monthStart, type TPayWorkerRow } from '../pay/pay-inputs.ts';

// A year of standard pay for the workforce under a node: the twelve months through the batch
// engine, per worker and per county. Budgets and what-if read it; nothing is written.

const CHUNK_WORKERS = 10_000;

export type TWorkerYear = {
  countyCode: string;
  name: string;
  /** The year's pay: monthly amounts (pro-rated) and items paid once a year. */
  payFen: number;
  /** Monthly standard pay on 1 July (or the worker's last month in post), for the distribution. */
  monthlyFen: number;
  /** Why the pack cannot give the pay in some month (未核定: that month is not summed). */
  open: string | null;
};

export type TCountyYear = {
  countyCode: string;
  countyName: string;
  /** Distinct workers in post at some time of the year (per-person budget items). */
  headcount: number;
  openCount: number;
  openReasons: Map<string, number>;
  baseFen: number;
  performanceFen: number;
  allowancesFen: number;
  annualFen: number;
  payFen: number;
};

export type TYearPay = {
  workers: Map<string, TWorkerYear>;
  counties: Map<string, TCountyYear>;
  /** County-level code → its path (for the governing pack). */
  countyPaths: Map<string, string>;
};

const MONTHS = Array.from({ length: 12 }, (_, i) => String(i + 1).padStart(2, '0'));

const inPost = (w: TPayWorkerRow, month: string) =>
  hiredOnOf(w) <= monthEnd(month) && !(w.exitedOn && w.exitedOn < monthStart(month));

/**
 * The year's pay of every worker under a node, month by month with the batch engine (pro-rated
 * months through the trace evaluator), under `policies` — the loaded packs, or a what-if
 * registry with `remap` naming the draft that stands in for a pack.
 */
export const computeYearPay = async (
  ctx: TCtx,
  path: string,
  year: number,
  opts: {
    policies: TPolicyRegistry;
    remap?: (packId: string) => string;
    statistics?: Record<string, number>;
    report?: TJobReporter;
    /** Share of the job's progress this run covers (what-if runs twice). */
    progress?: { offset: number; scale: number };
  },
): Promise<TYearPay> => {
  const db = ctx.services.database.db;
  const streets = await listStreetsUnder(db, ctx.actor.scope, path, `${year}-07`);
  const countyNames = new Map(streets.map((s) => [s.countyCode, s.countyName ?? s.countyCode]));
  const countyPaths = new Map(
    streets.map((s) => [s.countyCode, `${s.path.split('/').slice(0, -2).join('/')}/`]),
  );
  const result: TYearPay = { workers: new Map(), counties: new Map(), countyPaths };
  const chunks: TStreetRow[][] = [[]];
  let size = 0;
  for (const s of streets) {
    (chunks.at(-1) as TStreetRow[]).push(s);
    size += s.workers;
    if (size >= CHUNK_WORKERS) {
      chunks.push([]);
      size = 0;
    }
  }
  const total = streets.reduce((s, x) => s + x.workers, 0) || 1;
  let done = 0;
  for (const chunk of chunks.filter((c) => c.length)) {
    const workers = await loadPayWorkersForYear(
      db,
      ctx.actor.scope,
      chunk.map((s) => s.path),
      year,
    );
    const packs = await effectivePackIds(db, [...new Set(workers.map((w) => w.orgPath))]);
    const lctx = {
      packOf: (w: TPayWorkerRow) => {
        const id = packs.get(w.orgPath) ?? null;
        return id && opts.remap ? opts.remap(id) : id;
      },
      districtOf: (w: TPayWorkerRow) => countyNames.get(w.countyCode) ?? null,
      ...(opts.statistics ? { statistics: opts.statistics } : {}),
    };
    for (const w of workers) {
      let c = result.counties.get(w.countyCode);
      if (!c) {
        c = {
          countyCode: w.countyCode,
          countyName: countyNames.get(w.countyCode) ?? w.countyCode,
          headcount: 0,
          openCount: 0,
          openReasons: new Map(),
          baseFen: 0,
          performanceFen: 0,
          allowancesFen: 0,
          annualFen: 0,
          payFen: 0,
        };
        result.counties.set(w.countyCode, c);
      }
      c.headcount++;
      result.workers.set(w.id, {
        countyCode: w.countyCode,
        name: w.name,
        payFen: 0,
        monthlyFen: 0,
        open: null,
      });
    }
    const lastAnnual = new Map<string, number>();
    for (const mm of MONTHS) {
      const month = `${year}-${mm}`;
      const here = workers.filter((w) => inPost(w, month));
      const lines = computeMonthLines(opts.policies, month, here, lctx);
      here.forEach((w, i) => {
        const l = lines[i];
        const wy = result.workers.get(w.id) as TWorkerYear;
        const c = result.counties.get(w.countyCode) as TCountyYear;
        if (l?.status !== 'ok') {
          if (!wy.open) {
            wy.open = l?.reason ?? '未核定';
            c.openCount++;
            c.openReasons.set(wy.open, (c.openReasons.get(wy.open) ?? 0) + 1);
          }
          return;
        }
        const payable = (l.payableFen ?? 0) - l.oneOffFen;
        const full = l.paidDays === l.monthDays;
        const part = (fen: number | null) =>
          full || !l.monthDays
            ? (fen ?? 0)
            : Math.round(((fen ?? 0) * (l.paidDays ?? 0)) / l.monthDays);
        const perf = part(l.performanceFen);
        const allow = part(l.allowancesFen);
        c.performanceFen += perf;
        c.allowancesFen += allow;
        c.baseFen += payable - perf - allow;
        c.payFen += payable;
        wy.payFen += payable;
        if (mm === '07' || wy.monthlyFen === 0) wy.monthlyFen = l.monthlyFen ?? 0;
        lastAnnual.set(w.id, l.annualFen ?? 0);
      });
      await opts.report?.(
        Math.round(
          (opts.progress?.offset ?? 0) +
            ((done + (chunk.reduce((s, x) => s + x.workers, 0) * Number(mm)) / 12) / total) *
              100 *
              (opts.progress?.scale ?? 1),
        ),
        100,
        `计算${year}年${Number(mm)}月`,
      );
    }
    // Items paid once a year (银川 星级绩效): as the worker's last month in post gives them.
    for (const [id, fen] of lastAnnual) {
      const wy = result.workers.get(id) as TWorkerYear;
      if (wy.open) continue;
      const c = result.counties.get(wy.countyCode) as TCountyYear;
      wy.payFen += fen;
      c.annualFen += fen;
      c.payFen += fen;
    }
    done += chunk.reduce((s, x) => s + x.workers, 0);
  }
  return result;
};
