import type { TWorkerListQuery } from '@shegong/shared';
import { and, asc, eq, gt, type SQL, sql } from 'drizzle-orm';
import type { TScope } from '../../context.ts';
import type { TExecutor } from '../../db/client.ts';
import { archiveItem, auditLog, org, worker } from '../../db/schema/index.ts';
import { pathInScope } from '../org/org-scope.ts';

export type TWorkerRow = typeof worker.$inferSelect;
export type TArchiveRow = typeof archiveItem.$inferSelect;

/**
 * The scope as a condition on the worker table: the caller's subtree, or for the worker
 * self-service role only the caller's own record. Every read of workers goes through it.
 */
export const workerInScope = (scope: TScope): SQL =>
  scope.kind === 'self'
    ? and(eq(worker.id, scope.workerId), pathInScope(worker.orgPath, scope))!
    : pathInScope(worker.orgPath, scope);

export type TWorkerFilters = Omit<TWorkerListQuery, 'after' | 'limit' | 'q'> & {
  orgPath?: string;
  nameprefix?: string;
  idNumberHash?: string;
  phoneHash?: string;
};

const filterConditions = (scope: TScope, f: TWorkerFilters): SQL[] => {
  const conditions: SQL[] = [workerInScope(scope)];
  if (f.orgPath) conditions.push(sql`${worker.orgPath} like ${`${f.orgPath}%`}`);
  if (f.status) conditions.push(eq(worker.status, f.status));
  if (f.postTitle) conditions.push(eq(worker.postTitle, f.postTitle));
  if (f.educationLevel) conditions.push(eq(worker.educationLevel, f.educationLevel));
  if (f.certificateLevel) conditions.push(eq(worker.certificateLevel, f.certificateLevel));
  if (f.nameprefix) {
    const escaped = f.nameprefix.replace(/[\\%_]/g, (m) => `\\${m}`);
    conditions.push(sql`${worker.name} like ${`${escaped}%`}`);
  }
  if (f.idNumberHash) conditions.push(eq(worker.idNumberHash, f.idNumberHash));
  if (f.phoneHash) conditions.push(eq(worker.phoneHash, f.phoneHash));
  return conditions;
};

/**
 * A page of workers in id order (keyset: `id > after`), so page 10,000 costs what page 1 does.
 * With `countCap`, each row also carries how many workers match the filters (without the
 * cursor), counted up to `countCap + 1`: an uncorrelated subquery, evaluated once in the same
 * statement as the page (a list shows "10000+" beyond the cap). An empty page means none match.
 */
export const listWorkers = (
  db: TExecutor,
  scope: TScope,
  filters: TWorkerFilters,
  page: { after?: string; limit: number; countCap?: number },
) => {
  const conditions = filterConditions(scope, filters);
  const total =
    page.countCap === undefined
      ? sql<number | null>`null`
      : sql<number>`(select count(*) from (select 1 from ${worker} where ${and(...conditions)} limit ${page.countCap + 1}) capped)`.mapWith(
          Number,
        );
  if (page.after) conditions.push(gt(worker.id, page.after));
  return db
    .select({ worker, communityName: org.name, total })
    .from(worker)
    .leftJoin(org, eq(org.code, worker.communityCode))
    .where(and(...conditions))
    .orderBy(asc(worker.id))
    .limit(page.limit);
};

export const findWorkerInScope = async (db: TExecutor, scope: TScope, id: string) =>
  (
    await db
      .select()
      .from(worker)
      .where(and(eq(worker.id, id), workerInScope(scope)))
      .limit(1)
  )[0];

/**
 * A worker in scope with what its detail page shows, in one statement where it took three: the
 * org nodes on its path and its community (name and own pack, for the names and the governing
 * pack) and its archive (by start, then creation), as JSON aggregated beside the row. The archive
 * items carry the same values as `listArchive` (`created_at` as its text, as the driver gives it).
 * The outer columns are written qualified: drizzle leaves a one-table select's columns bare, and a
 * bare "id" in the archive subquery would be the archive item's.
 */
export const findWorkerDetailInScope = async (db: TExecutor, scope: TScope, id: string) =>
  (
    await db
      .select({
        worker,
        nodes: sql<{ code: string; name: string; packId: string | null }[]>`(
          select coalesce(json_agg(json_build_object('code', o.code, 'name', o.name, 'packId', o.pack_id)), '[]')
          from org o
          where o.code = any(string_to_array(trim(both '/' from "worker"."org_path"), '/') || "worker"."community_code"))`,
        archive: sql<TArchiveRow[]>`(
          select coalesce(json_agg(json_build_object('id', a.id, 'workerId', a.worker_id,
            'countyCode', a.county_code, 'kind', a.kind, 'startOn', a.start_on, 'endOn', a.end_on,
            'data', a.data, 'createdBy', a.created_by, 'createdAt', a.created_at::text)
            order by a.start_on, a.created_at), '[]')
          from archive_item a where a.worker_id = "worker"."id")`,
      })
      .from(worker)
      .where(and(eq(worker.id, id), workerInScope(scope)))
      .limit(1)
  )[0];

/**
 * The audit rows recorded on a worker in scope, in order, with the scope check in the same
 * statement (the worker left-joined to its rows): undefined when the worker is not in scope, an
 * empty list when it has no rows (a worker loaded in bulk has its creation in the import's
 * document, see findImportCreations).
 */
export const listWorkerAuditInScope = async (db: TExecutor, scope: TScope, id: string) => {
  const rows = await db
    .select({
      seq: auditLog.seq,
      at: auditLog.at,
      actorName: auditLog.actorName,
      action: auditLog.action,
      before: auditLog.before,
      after: auditLog.after,
      reason: auditLog.reason,
    })
    .from(worker)
    .leftJoin(auditLog, and(eq(auditLog.entity, 'worker'), eq(auditLog.entityId, id)))
    .where(and(eq(worker.id, id), workerInScope(scope)))
    .orderBy(asc(auditLog.seq));
  if (rows.length === 0) return undefined;
  return rows.flatMap((r) =>
    r.seq === null || r.at === null || r.action === null || r.actorName === null
      ? []
      : [{ ...r, seq: r.seq, at: r.at, action: r.action, actorName: r.actorName }],
  );
};

/** Any worker with this ID number, in scope or not: uniqueness is national, not per scope. */
export const findWorkerIdByIdNumberHash = async (db: TExecutor, hash: string) =>
  (
    await db
      .select({ id: worker.id, orgPath: worker.orgPath })
      .from(worker)
      .where(eq(worker.idNumberHash, hash))
      .limit(1)
  )[0];

export const insertWorker = (db: TExecutor, row: typeof worker.$inferInsert) =>
  db.insert(worker).values(row);

/** Updates a worker if its version is still `version`; returns the number of rows changed. */
export const updateWorkerVersioned = async (
  db: TExecutor,
  id: string,
  version: number,
  set: Partial<typeof worker.$inferInsert>,
) => {
  const rows = await db
    .update(worker)
    .set({ ...set, version: version + 1, updatedAt: new Date().toISOString() })
    .where(and(eq(worker.id, id), eq(worker.version, version)))
    .returning({ id: worker.id });
  return rows.length;
};

export const listArchive = (db: TExecutor, workerId: string) =>
  db
    .select()
    .from(archiveItem)
    .where(eq(archiveItem.workerId, workerId))
    .orderBy(asc(archiveItem.startOn), asc(archiveItem.createdAt));

export const insertArchiveItems = (db: TExecutor, rows: (typeof archiveItem.$inferInsert)[]) =>
  rows.length === 0 ? Promise.resolve() : db.insert(archiveItem).values(rows);

/** Closes the open post items of a worker on a date (the day the new post starts). */
export const closeOpenPosts = (db: TExecutor, workerId: string, endOn: string) =>
  db
    .update(archiveItem)
    .set({ endOn })
    .where(
      and(
        eq(archiveItem.workerId, workerId),
        eq(archiveItem.kind, 'post'),
        sql`${archiveItem.endOn} is null`,
      ),
    );

/** The org nodes (community, its street, a grid) a worker refers to, looked up in scope. */
/**
 * The tables of a worker's records that carry the worker's county_code: the archive and the
 * workflows' per-worker records. On Citus they are distributed with worker and joined with it on
 * (worker_id, county_code), so their county must follow the worker's.
 */
export const WORKER_RECORD_TABLES = [
  'archive_item',
  'recruitment_application',
  'workflow_proposal',
  'assessment_score',
  'training_attendance',
  'case_study',
  'secondment_request',
] as const;

/**
 * After workers moved to another county (a community change, a community moved to a street of
 * another county, an import), gives their records the worker's county again. PostgreSQL only:
 * on Citus a row cannot change its distribution value (docs/operations.md).
 */
export const alignRecordsToWorkerCounty = async (db: TExecutor, workerIds: readonly string[]) => {
  for (let i = 0; i < workerIds.length; i += 5000) {
    const ids = `{${workerIds.slice(i, i + 5000).join(',')}}`;
    for (const table of WORKER_RECORD_TABLES)
      await db.execute(
        sql`update ${sql.identifier(table)} x set county_code = w.county_code from worker w
              where w.id = x.worker_id and w.id = any(${ids}::uuid[])
                and x.county_code <> w.county_code`,
      );
  }
};

export const findOrgs = (db: TExecutor, codes: string[]) =>
  codes.length === 0
    ? Promise.resolve([])
    : db.select().from(org).where(sql`${org.code} in ${codes}`);
