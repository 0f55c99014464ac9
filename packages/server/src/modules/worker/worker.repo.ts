import type { TWorkerListQuery } from '@shegong/shared';
import { and, asc, eq, getTableColumns, type SQL, sql } from 'drizzle-orm';
import type { TScope } from '../../context.ts';
import {
  executePrepared,
  keptSql,
  queryRowsPrepared,
  runPrepared,
  type TExecutor,
} from '../../db/client.ts';
import { archiveItem, org, worker } from '../../db/schema/index.ts';
import {
  importCreationQuery,
  type TImportCreation,
  type TImportCreationRow,
  toImportCreation,
} from '../audit/audit.repo.ts';
import { findOrgInScope } from '../org/org.repo.ts';
import { likePrefix, pathLike, scopePattern, underPath } from '../org/org-scope.ts';

export type TWorkerRow = typeof worker.$inferSelect;
export type TArchiveRow = typeof archiveItem.$inferSelect;

/**
 * How a statement takes a value: as a parameter (`byValue`), or as a placeholder of that name
 * (`byPlaceholder`) for a statement built once per shape and run with the values (`keptSql`).
 */
type TBind = <T>(name: string, value: T) => T;
const byValue: TBind = (_name, value) => value;
const byPlaceholder: TBind = <T>(name: string) => sql.placeholder(name) as unknown as T;

/**
 * The scope as a condition on the worker table: the caller's subtree, or for the worker
 * self-service role only the caller's own record. Every read of workers goes through it.
 */
export const workerInScope = (scope: TScope): SQL => workerInScopeBound(scope, byValue);

/** `workerInScope` with its values bound by `bind` (placeholders `selfId`, `scopePattern`). */
const workerInScopeBound = (scope: TScope, bind: TBind): SQL => {
  const inPath = pathLike(worker.orgPath, bind('scopePattern', scopePattern(scope)));
  return scope.kind === 'self'
    ? and(eq(worker.id, bind('selfId', scope.workerId)), inPath)!
    : inPath;
};

export type TWorkerFilters = Omit<TWorkerListQuery, 'after' | 'limit' | 'q' | 'org'> & {
  /** An org node: the workers of its subtree. A node outside the scope matches nothing. */
  orgCode?: string;
  nameprefix?: string;
  idNumberHash?: string;
  phoneHash?: string;
};

/**
 * The filters' conditions with the scope's. `underScopedNode`: the rows are already limited to
 * the subtree of an org node found inside the scope, so the scope's path condition is implied and
 * left out (a self-service scope keeps its own record's id) — the list's org-filter branches,
 * whose statement is then the same for every scope path (see listWorkers).
 */
const filterConditions = (
  scope: TScope,
  f: TWorkerFilters,
  underScopedNode = false,
  bind: TBind = byValue,
): SQL[] => {
  const conditions: SQL[] = underScopedNode
    ? scope.kind === 'self'
      ? [eq(worker.id, bind('selfId', scope.workerId))]
      : [sql`true`]
    : [workerInScopeBound(scope, bind)];
  if (f.status) conditions.push(eq(worker.status, bind('status', f.status)));
  if (f.postTitle) conditions.push(eq(worker.postTitle, bind('postTitle', f.postTitle)));
  if (f.educationLevel)
    conditions.push(eq(worker.educationLevel, bind('educationLevel', f.educationLevel)));
  if (f.certificateLevel)
    conditions.push(eq(worker.certificateLevel, bind('certificateLevel', f.certificateLevel)));
  if (f.nameprefix)
    conditions.push(sql`${worker.name} like ${bind('nameprefix', likePrefix(f.nameprefix))}`);
  if (f.idNumberHash)
    conditions.push(eq(worker.idNumberHash, bind('idNumberHash', f.idNumberHash)));
  if (f.phoneHash) conditions.push(eq(worker.phoneHash, bind('phoneHash', f.phoneHash)));
  return conditions;
};

/**
 * The worker columns a list page leaves out: the blind indexes, the path, the county and the
 * creation time, which its view (toWorkerView) does not show — a fifth of a row's bytes, parsed
 * 20 times a page by the driver.
 */
const LIST_OMITTED = ['idNumberHash', 'phoneHash', 'orgPath', 'countyCode', 'createdAt'] as const;
export type TWorkerViewRow = Omit<TWorkerRow, (typeof LIST_OMITTED)[number]>;

/** A worker of a list page, with the names and the pack its view needs. */
export type TWorkerListRow = TWorkerViewRow & {
  communityName: string | null;
  /** The name of the node above the community on its path (its street), '' when none. */
  streetName: string;
  /** The governing pack: the deepest node on the worker's path that sets one (`governingPack`). */
  packId: string | null;
  /** Matching workers counted up to the cap + 1 (first pages only), else null. */
  total: number | null;
};

// Every worker column under its TypeScript name, so the driver's rows are worker rows as drizzle
// would map them (the same type parsers: dates and timestamps as text, jsonb parsed).
const workerColumnsOf = (table: string, omit: readonly string[] = []) =>
  sql.raw(
    Object.entries(getTableColumns(worker))
      .filter(([key]) => !omit.includes(key))
      .map(([key, column]) => `${table}.${column.name} as "${key}"`)
      .join(', '),
  );
const listColumns = workerColumnsOf('w', LIST_OMITTED);

/**
 * Org levels whose subtree is small against the table (a county's workers at most): for them the
 * page is the top of the matches in id order (an index range on the path, then a sort), whatever
 * the planner would estimate. Above them the matches are many and the primary-key order finds a
 * page soonest.
 */
const BOUNDED_LEVELS = sql.raw(`'county', 'street', 'community', 'grid'`);

/**
 * A page of workers in id order (keyset: `id > after`), so page 10,000 costs what page 1 does, in
 * one statement with the scope checked in it: the org filter's node (looked up in scope), the page,
 * each row's community and street names and governing pack, and, with `countCap`, how many
 * workers match the filters (without the cursor), counted up to `countCap + 1` (a list shows
 * "10000+" beyond the cap). An empty page means none match, or (`orgFound` false) that the org
 * filter's node is not in the scope.
 *
 * The org filter is an index range on the node's path read in the same statement. Left to the
 * planner — even with the bounds as constants, as before — a street's page was read in
 * primary-key order with the subtree as a filter, from the first id until 20 match: 13 of the 81
 * streets of 兴庆区 in the load bench's data, 516–12,585 rows and up to 41 ms against under 1 ms;
 * the last county in id order 90,034 rows, 390 ms (ids are UUIDv7 in load order, so a unit's
 * workers are contiguous and the planner's uniform guess fails for the last). So for a node of
 * `BOUNDED_LEVELS` the matches are read by the path index and sorted (`offset 0` keeps the
 * subquery from being merged back into the id order), and above them the path is a plain
 * condition on the primary-key scan; each branch runs only for its level (a one-time filter).
 */
export const listWorkers = async (
  db: TExecutor,
  scope: TScope,
  filters: TWorkerFilters,
  page: { after?: string; limit: number; countCap?: number },
): Promise<{ rows: TWorkerListRow[]; orgFound: boolean }> => {
  const orgCode = filters.orgCode;
  const values = listValues(scope, filters, page);
  const rows = await runPrepared<TWorkerListRow>(
    listStatementOf(db, scope, filters, page, values),
    values,
  );
  if (rows.length > 0 || !orgCode) return { rows, orgFound: true };
  // An empty page with an org filter: none match, or the node is not in the scope (→ 404).
  return { rows, orgFound: (await findOrgInScope(db, scope, orgCode)) !== undefined };
};

type TListPage = { after?: string; limit: number; countCap?: number };

/**
 * The list's statement for the shape of these filters and page (`listStatement` with
 * placeholders), built once per database and shape (at most 2 × 2¹⁰, a few in use) and run with
 * each request's values (`listValues`) — drizzle built the whole statement on every request.
 * With an org filter and no name prefix the plan does not depend on the values (the node's range
 * comes from a row, the scope's path is not in the branches): a named statement, which
 * PostgreSQL plans once per connection — planning it cost ≈ 1–2 ms of backend CPU per list, more
 * than running it for a street. Otherwise unnamed, planned with the values at each run: a name
 * prefix (`like $1`) must become an index range.
 */
const listStatementOf = (
  db: TExecutor,
  scope: TScope,
  f: TWorkerFilters,
  page: TListPage,
  values: Record<string, unknown>,
) =>
  keptSql(
    db,
    'list_workers',
    // The shape: which placeholders the statement takes (listValues sets a value exactly where
    // listStatement puts its placeholder), with the scope's kind.
    `${scope.kind}:${Object.keys(values).join(',')}`,
    () => listStatement(scope, f, page, byPlaceholder),
    f.orgCode !== undefined && f.nameprefix === undefined,
  );

/**
 * The values of the placeholders of `listStatementOf`'s statement: one for each placeholder
 * `listStatement` puts in, under the same conditions (their names are the statement's shape).
 */
const listValues = (scope: TScope, f: TWorkerFilters, page: TListPage) => {
  const values: Record<string, unknown> = { scopePattern: scopePattern(scope), limit: page.limit };
  if (f.orgCode !== undefined) values.orgCode = f.orgCode;
  if (scope.kind === 'self') values.selfId = scope.workerId;
  if (f.status) values.status = f.status;
  if (f.postTitle) values.postTitle = f.postTitle;
  if (f.educationLevel) values.educationLevel = f.educationLevel;
  if (f.certificateLevel) values.certificateLevel = f.certificateLevel;
  if (f.nameprefix) values.nameprefix = likePrefix(f.nameprefix);
  if (f.idNumberHash) values.idNumberHash = f.idNumberHash;
  if (f.phoneHash) values.phoneHash = f.phoneHash;
  if (page.after) values.after = page.after;
  if (page.countCap !== undefined) values.countLimit = page.countCap + 1;
  return values;
};

/** The list's statement (see listWorkers), its values bound by `bind`. */
const listStatement = (
  scope: TScope,
  filters: TWorkerFilters,
  page: TListPage,
  bind: TBind,
): SQL => {
  const orgCode = filters.orgCode;
  const byOrg = orgCode !== undefined;
  // Under an org filter the node is looked up in scope (n below), and the workers are read under it.
  const where = and(...filterConditions(scope, filters, byOrg, bind))!;
  const after = page.after ? sql` and ${worker.id} > ${bind('after', page.after)}` : sql``;
  // The workers under the node n: by the path index for a bounded level, else by the path as a
  // condition the index cannot serve (left(...) = ...), for the primary-key order scan.
  const inBounded = sql`n.bounded and ${underPath(worker.orgPath, sql`n.path`)}`;
  const inBroad = sql`not n.bounded and left(${worker.orgPath}, length(n.path)) = n.path`;
  const pageSql = byOrg
    ? sql`(select f.id from n cross join lateral (
             select ${worker.id} as id from ${worker} where ${inBounded} and ${where}${after} offset 0) f
           order by f.id limit ${bind('limit', page.limit)})
          union all
          (select f.id from n cross join lateral (
             select ${worker.id} as id from ${worker} where ${inBroad} and ${where}${after}
             order by ${worker.id} limit ${bind('limit', page.limit)}) f)`
    : sql`select ${worker.id} as id from ${worker} where ${where}${after} order by ${worker.id} limit ${bind('limit', page.limit)}`;
  const totalSql =
    page.countCap === undefined
      ? sql`null::int`
      : byOrg
        ? sql`(select count(*)::int from (
             (select 1 from n cross join lateral (select 1 from ${worker} where ${inBounded} and ${where} offset 0) x)
             union all
             (select 1 from n cross join lateral (select 1 from ${worker} where ${inBroad} and ${where} offset 0) x)
             limit ${bind('countLimit', page.countCap + 1)}) capped)`
        : sql`(select count(*)::int from (select 1 from ${worker} where ${where} limit ${bind('countLimit', page.countCap + 1)}) capped)`;
  return sql`with ${
    byOrg
      ? sql`n as materialized (
              select path, level in (${BOUNDED_LEVELS}) as bounded from org
               where code = ${bind('orgCode', orgCode)}
                 and ${pathLike(sql`path`, bind('scopePattern', scopePattern(scope)))}),`
      : sql``
  }
          page as (${pageSql})
        select ${listColumns}, c.name as "communityName", coalesce(s.name, '') as "streetName",
          (select o.pack_id from org o
            where o.code = any(string_to_array(trim(both '/' from w.org_path), '/')) and o.pack_id is not null
            order by array_position(string_to_array(trim(both '/' from w.org_path), '/'), o.code) desc
            limit 1) as "packId",
          ${totalSql} as total
        from page join ${worker} w on w.id = page.id
        left join org c on c.code = w.community_code
        left join org s on s.code = split_part(w.org_path, '/', -3)
        order by w.id`;
};

/** A worker in scope (prepared: a primary-key read, planned once per connection). */
export const findWorkerInScope = async (db: TExecutor, scope: TScope, id: string) =>
  (
    await executePrepared(
      'worker_in_scope',
      db
        .select()
        .from(worker)
        .where(and(eq(worker.id, id), workerInScope(scope)))
        .limit(1),
    )
  )[0];

/**
 * A worker in scope with what its detail page shows, in one statement where it took three: the
 * org nodes on its path and its community (name and own pack, for the names and the governing
 * pack) and its archive (by start, then creation), as JSON aggregated beside the row. The archive
 * items carry the same values as `listArchive` (`created_at` as its text, as the driver gives it).
 * Raw SQL with the worker's columns under their TypeScript names (as the list's), prepared: a
 * primary-key read whose plan does not depend on its values — PostgreSQL planned it on every
 * request, and drizzle built its 33-column select.
 */
export const findWorkerDetailInScope = async (db: TExecutor, scope: TScope, id: string) => {
  const values: Record<string, unknown> = { id, scopePattern: scopePattern(scope) };
  if (scope.kind === 'self') values.selfId = scope.workerId;
  const [row] = await runPrepared<
    TWorkerRow & {
      nodes: { code: string; name: string; packId: string | null }[];
      archive: TArchiveRow[];
    }
  >(
    // Built once per scope kind, run with the values.
    keptSql(db, 'worker_detail', scope.kind, () => workerDetailStatement(scope)),
    values,
  );
  if (!row) return undefined;
  const { nodes, archive, ...rest } = row;
  return { worker: rest as TWorkerRow, nodes, archive };
};

/** `findWorkerDetailInScope`'s statement; placeholders `id` and the scope's (`workerInScopeBound`). */
const workerDetailStatement = (scope: TScope) => sql`select ${workerColumnsOf('"worker"')},
    (select coalesce(json_agg(json_build_object('code', o.code, 'name', o.name, 'packId', o.pack_id)), '[]')
      from org o
      where o.code = any(string_to_array(trim(both '/' from "worker"."org_path"), '/') || "worker"."community_code")) as nodes,
    (select coalesce(json_agg(json_build_object('id', a.id, 'workerId', a.worker_id,
      'countyCode', a.county_code, 'kind', a.kind, 'startOn', a.start_on, 'endOn', a.end_on,
      'data', a.data, 'createdBy', a.created_by, 'createdAt', a.created_at::text)
      order by a.start_on, a.created_at), '[]')
      from archive_item a where a.worker_id = "worker"."id") as archive
  from ${worker}
  where ${and(eq(worker.id, byPlaceholder('id', '')), workerInScopeBound(scope, byPlaceholder))}
  limit 1`;

/** An entry of a worker's history: an audit row, or its creation by an import (`importRef`). */
export type THistoryEntry = {
  seq: number;
  at: string;
  actorName: string;
  action: string;
  before: unknown;
  after: unknown;
  reason: string | null;
  importRef?: TImportCreation['importRef'];
};

/**
 * A worker's history, when the worker is in scope (undefined otherwise): the audit rows recorded
 * on it, in order, and — when none of them is its creation — its creation by an import, from
 * the import's snapshot document (`importCreationQuery`, whose scope applies to the record's own
 * org path), first. One statement where it took two: the scope check, the rows as a JSON array
 * beside the worker, and the creation only when there is no `create` row (the document is up to
 * a few MB of JSON to read). Prepared: reads by the primary key and the audit log's entity index.
 */
export const findWorkerHistoryInScope = async (
  db: TExecutor,
  scope: TScope,
  id: string,
): Promise<THistoryEntry[] | undefined> => {
  const [row] = await queryRowsPrepared<{
    entries: (Omit<THistoryEntry, 'importRef'> & { at: string })[];
    creation: TImportCreationRow | null;
  }>(
    db,
    'worker_history',
    sql`select
          (select coalesce(json_agg(json_build_object('seq', a.seq, 'at', a.at,
             'actorName', a.actor_name, 'action', a.action, 'before', a.before, 'after', a.after,
             'reason', a.reason) order by a.seq), '[]')
             from audit_log a where a.entity = 'worker' and a.entity_id = ${id}) as entries,
          case when exists (select 1 from audit_log a
                             where a.entity = 'worker' and a.entity_id = ${id} and a.action = 'create')
               then null
               else (select row_to_json(c) from (${importCreationQuery(scope, 'worker', id)}) c)
          end as creation
        from ${worker}
        where ${and(eq(worker.id, id), workerInScope(scope))}`,
  );
  if (!row) return undefined;
  // `at` as ISO 8601 (UTC, milliseconds), as the audit list and the import's creations give it.
  const entries: THistoryEntry[] = row.entries.map((e) => ({
    seq: e.seq,
    at: new Date(e.at).toISOString(),
    actorName: e.actorName,
    action: e.action,
    before: e.before,
    after: e.after,
    reason: e.reason,
  }));
  if (!row.creation) return entries;
  const { seq, at, actorName, action, before, after, reason, importRef } = toImportCreation(
    row.creation,
    'worker',
    id,
  );
  return [{ seq, at, actorName, action, before, after, reason, importRef }, ...entries].sort(
    (x, y) => x.seq - y.seq,
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

/**
 * Adds an archive item to a worker found in scope, and its audit row, in one statement (the
 * write took seven: begin, the lookup, the insert, the chain's lock, its head, the audit insert,
 * commit): the worker in scope (`w`), the item inserted from it, and `audit` — an
 * `auditAppendSql` whose org path is the worker's — appended from it. A worker out of scope or
 * missing matches no row: nothing is written, and the answer is `false`. One statement is one
 * transaction (or part of the caller's): the item and its audit row commit together, and the
 * chain's lock is held from the head's read to the commit, with no round trip in between.
 */
export const addArchiveItemInScope = async (
  db: TExecutor,
  scope: TScope,
  item: Omit<typeof archiveItem.$inferInsert, 'countyCode' | 'createdAt'>,
  audit: (worker: SQL) => SQL,
): Promise<boolean> => {
  const [row] = await queryRowsPrepared<{ added: number }>(
    db,
    'archive_add',
    sql`with w as (select "worker".id, "worker".county_code, "worker".org_path from "worker" where "worker".id = ${item.workerId}::uuid and ${workerInScope(scope)}),
item as (insert into archive_item (id, worker_id, county_code, kind, start_on, end_on, data, created_by)
  select ${item.id}::uuid, w.id, w.county_code, ${item.kind}::text, ${item.startOn}::date, ${item.endOn ?? null}::date, ${JSON.stringify(item.data)}::jsonb, ${item.createdBy ?? null}::uuid from w returning 1),
audit as (${audit(sql`w`)} returning 1)
select (select count(*) from item)::int as added`,
  );
  return (row?.added ?? 0) > 0;
};

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
