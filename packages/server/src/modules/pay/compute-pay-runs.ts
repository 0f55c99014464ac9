import { formatFen } from '@shegong/policy';
import { AppError } from '@shegong/shared';
import { sql } from 'drizzle-orm';
import { writeAudit } from '../../audit/audit.ts';
import type { TCtx } from '../../context.ts';
import type { TExecutor } from '../../db/client.ts';
import type { TJobReporter } from '../../jobs/jobs.ts';
import { newId } from '../../security/ids.ts';
import { effectivePackIds, findOrgInScope } from '../org/org.repo.ts';
import { computeMonthLines, type TPayLineRow } from './compute-lines.ts';
import { finalReport } from './final-report.ts';
import {
  ensureRuns,
  hasLockedBefore,
  lineCopyRow,
  listStreetsUnder,
  loadPayWorkers,
  loadPayWorkersById,
  PAY_LINE_COLUMNS,
  paidByLockedRuns,
  type TStreetRow,
  uuidArray,
} from './pay.repo.ts';
import { copyRows } from './pay-copy.ts';
import { hiredOnOf, monthEnd, monthStart, type TPayWorkerRow } from './pay-inputs.ts';

/** Workers per transaction: streets are grouped until a chunk holds about this many. */
const CHUNK_WORKERS = 10_000;

export type TPayComputeResult = {
  month: string;
  streets: number;
  computed: number;
  /** Streets whose sheet for the month is locked: left as they are. */
  locked: string[];
  workers: number;
  arrearsLines: number;
  openCount: number;
  totalFen: number;
};

const streetOf = (communityPath: string) => communityPath.split('/').filter(Boolean).at(-2) ?? '';

/** The packs' version periods used for the month, recorded on each sheet. */
const packsUsed = (ctx: TCtx, lines: readonly TPayLineRow[], month: string) => {
  const ids = [...new Set(lines.map((l) => l.packId).filter((p): p is string => !!p))];
  return ids.flatMap((packId) => {
    try {
      const { policies } = ctx.services;
      // A pack starting inside the month: the version of its first day.
      const on = policies.monthRange(packId, month)?.from ?? monthStart(month);
      return [{ packId, from: policies.at(packId, on).segment.from }];
    } catch {
      return [];
    }
  });
};

const lineContext = async (
  db: TExecutor,
  workers: readonly TPayWorkerRow[],
  countyNames: ReadonlyMap<string, string>,
) => {
  const packs = await effectivePackIds(db, [...new Set(workers.map((w) => w.orgPath))]);
  return {
    packOf: (w: TPayWorkerRow) => packs.get(w.orgPath) ?? null,
    districtOf: (w: TPayWorkerRow) => countyNames.get(w.countyCode) ?? null,
  };
};

/**
 * Arrears (补发/扣回): for every worker now under the paths who was paid by a locked sheet of an
 * earlier month, what is due for that month now (current records, the packs as they now stand —
 * a back-dated version applies) less what was paid (its lines and earlier arrears).
 */
export const computeArrears = async (
  ctx: TCtx,
  db: TExecutor,
  paths: readonly string[],
  month: string,
  countyNames: ReadonlyMap<string, string>,
): Promise<TPayLineRow[]> => {
  const paid = await paidByLockedRuns(db, paths, month);
  const byMonth = new Map<string, Map<string, number>>();
  for (const p of paid) {
    const m = byMonth.get(p.forMonth) ?? new Map<string, number>();
    m.set(p.workerId, Number(p.paidFen ?? 0));
    byMonth.set(p.forMonth, m);
  }
  const out: TPayLineRow[] = [];
  for (const [forMonth, paidOf] of [...byMonth].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const workers = await loadPayWorkersById(db, ctx.actor.scope, [...paidOf.keys()], forMonth);
    const lctx = await lineContext(db, workers, countyNames);
    const due = computeMonthLines(ctx.services.policies, forMonth, workers, lctx);
    workers.forEach((w, i) => {
      const line = due[i] as TPayLineRow;
      // A record corrected so that the worker was not in post that month: nothing was due.
      const inPost =
        hiredOnOf(w) <= monthEnd(forMonth) && !(w.exitedOn && w.exitedOn < monthStart(forMonth));
      if (inPost && line.status !== 'ok') return;
      const dueFen = inPost ? (line.payableFen ?? 0) : 0;
      const paidFen = paidOf.get(w.id) ?? 0;
      const diff = dueFen - paidFen;
      if (diff === 0) return;
      out.push({
        ...line,
        kind: 'arrears',
        month,
        forMonth,
        status: 'ok',
        payableFen: diff,
        // The difference has no parts of its own: its 为什么 recomputes what is due now.
        parts: null,
        reason: `${diff > 0 ? '补发' : '扣回'}${forMonth}差额：现应发${formatFen(dueFen)}，已发${formatFen(paidFen)}`,
      });
    });
  }
  return out;
};

/**
 * Computes the 工资发放表 of a month for every street under a node (the node's own street for a
 * community): regular lines through the batch engine, arrears for earlier locked months, lines
 * written with COPY, one transaction per group of streets. Locked sheets are never touched.
 */
export const computePayRuns = async (
  ctx: TCtx,
  orgCode: string,
  month: string,
  report: TJobReporter = async () => {},
): Promise<TPayComputeResult> => {
  const db = ctx.services.database.db;
  const { scope } = ctx.actor;
  const node = await findOrgInScope(db, scope, orgCode);
  if (!node) throw new AppError('NOT_FOUND', `机构 ${orgCode} 不存在`);
  if (node.level === 'grid') throw new AppError('BAD_REQUEST', '工资按街道计算，请选择街道或以上');
  const streets = await listStreetsUnder(db, scope, node.path, month);
  if (streets.length === 0) throw new AppError('NOT_FOUND', `${node.name}下没有街道`);
  const total = streets.reduce((s, x) => s + x.workers, 0);
  const countyNames = new Map(streets.map((s) => [s.countyCode, s.countyName ?? '']));
  const arrearsPossible = await hasLockedBefore(
    db,
    node.level === 'community' ? (streets[0] as TStreetRow).path : node.path,
    month,
  );
  const chunks: TStreetRow[][] = [];
  let current: TStreetRow[] = [];
  let size = 0;
  for (const s of streets) {
    current.push(s);
    size += s.workers;
    if (size >= CHUNK_WORKERS) {
      chunks.push(current);
      current = [];
      size = 0;
    }
  }
  if (current.length) chunks.push(current);

  const result: TPayComputeResult = {
    month,
    streets: streets.length,
    computed: 0,
    locked: [],
    workers: 0,
    arrearsLines: 0,
    openCount: 0,
    totalFen: 0,
  };
  let done = 0;
  await report(0, total, `共 ${streets.length} 个街道、${total} 名工作者`);
  for (const chunk of chunks) {
    await db.transaction(async (txDb) => {
      const tx = txDb as unknown as TExecutor;
      const runs = await ensureRuns(tx, chunk, month, newId);
      const open = runs.filter((r) => r.status !== 'locked');
      for (const r of runs) if (r.status === 'locked') result.locked.push(r.streetCode);
      if (open.length === 0) return;
      const paths = chunk
        .filter((s) => open.some((r) => r.streetCode === s.code))
        .map((s) => s.path);
      const workers = await loadPayWorkers(tx, scope, paths, month);
      const lctx = await lineContext(tx, workers, countyNames);
      const lines = computeMonthLines(ctx.services.policies, month, workers, lctx);
      const arrears = arrearsPossible
        ? await computeArrears(ctx, tx, paths, month, countyNames)
        : [];
      const runOf = new Map(open.map((r) => [r.streetCode, r.id]));
      const all = [...lines, ...arrears].filter((l) => runOf.has(streetOf(l.orgPath)));
      await tx.execute(
        sql`delete from pay_line where run_id = any(${uuidArray(open.map((r) => r.id))})`,
      );
      await copyRows(
        ctx.services.database,
        tx,
        'pay_line',
        PAY_LINE_COLUMNS,
        (function* () {
          for (const l of all) yield lineCopyRow(runOf.get(streetOf(l.orgPath)) as string, l);
        })(),
      );
      const packs = packsUsed(ctx, lines, month);
      const byRun = new Map<string, TPayLineRow[]>();
      for (const l of all) {
        const id = runOf.get(streetOf(l.orgPath)) as string;
        const list = byRun.get(id);
        if (list) list.push(l);
        else byRun.set(id, [l]);
      }
      const audits = [];
      for (const r of open) {
        const mine = byRun.get(r.id) ?? [];
        const regular = mine.filter((l) => l.kind === 'regular');
        const totals = {
          workerCount: regular.length,
          openCount: regular.filter((l) => l.status === 'open').length,
          totalFen: mine.reduce((s, l) => s + (l.payableFen ?? 0), 0),
          arrearsFen: mine
            .filter((l) => l.kind === 'arrears')
            .reduce((s, l) => s + (l.payableFen ?? 0), 0),
        };
        await tx.execute(
          sql`update pay_run set status = 'draft', worker_count = ${totals.workerCount},
                open_count = ${totals.openCount}, total_fen = ${totals.totalFen},
                arrears_fen = ${totals.arrearsFen}, packs = ${JSON.stringify(packs)}::jsonb,
                version = version + 1, computed_at = now(), computed_by = ${ctx.actor.id},
                reviewed_at = null, reviewed_by = null
              where id = ${r.id}`,
        );
        audits.push({
          actorId: ctx.actor.id,
          actorName: ctx.actor.username,
          action: 'pay-compute',
          entity: 'pay_run',
          entityId: r.id,
          orgPath: r.orgPath,
          after: { month, ...totals, arrearsLines: mine.length - regular.length },
        });
        result.computed++;
        result.workers += totals.workerCount;
        result.openCount += totals.openCount;
        result.totalFen += totals.totalFen;
        result.arrearsLines += mine.length - regular.length;
      }
      await writeAudit(tx, audits);
    });
    done += chunk.reduce((s, x) => s + x.workers, 0);
    await report(done, total, `已计算 ${result.computed} 个街道`);
  }
  await finalReport(report, total, total, `已计算 ${result.computed} 个街道`);
  return result;
};
