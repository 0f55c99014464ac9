import {
  and,
  desc,
  eq,
  getTableColumns,
  gte,
  isNull,
  lt,
  lte,
  ne,
  or,
  type SQL,
  sql,
} from 'drizzle-orm';
import { SNAPSHOT_DOCUMENT, snapshotRecordOf, type TSnapshotDocument } from '../../audit/audit.ts';
import type { TScope } from '../../context.ts';
import { queryRowsPrepared, type TExecutor } from '../../db/client.ts';
import { auditLog } from '../../db/schema/index.ts';
import { pathInScope } from '../org/org-scope.ts';

export type TAuditFilters = {
  entity?: string;
  entityId?: string;
  actorId?: string;
  action?: string;
  /** Materialised path of an org inside the scope: only its subtree. */
  underPath?: string;
  from?: string;
  to?: string;
  /** Keyset cursor: rows with a smaller seq. */
  beforeSeq?: number;
  limit: number;
};

/** Whether a scope is the whole tree (rows without an org, e.g. system events, belong to it). */
const isRootScope = (scope: TScope) => scope.path.split('/').filter(Boolean).length === 1;

/**
 * A row's `after` as listed: an import's snapshot document (up to 5,000 records, ≈ 1.7 MB) as
 * its batch, entity and number of records, summarised in SQL so that a page of the log does not
 * read and parse every record; a record's snapshot is shown when it is asked for by id.
 */
const listedAfter = sql<unknown>`case when ${auditLog.entity} = ${SNAPSHOT_DOCUMENT}
  then jsonb_build_object('batchId', ${auditLog.after}->'batchId', 'entity',
    ${auditLog.after}->'entity', 'records', jsonb_array_length(${auditLog.after}->'ids'))
  else ${auditLog.after} end`;

const { after: _after, ...listedColumns } = getTableColumns(auditLog);

/**
 * Audit rows inside the caller's scope, newest first (snapshot documents summarised). Reading
 * only: the application has no function that updates or deletes audit rows.
 */
export const listAuditRows = (db: TExecutor, scope: TScope, f: TAuditFilters) =>
  db
    .select({ ...listedColumns, after: listedAfter })
    .from(auditLog)
    .where(
      and(
        isRootScope(scope)
          ? or(pathInScope(auditLog.orgPath, scope), isNull(auditLog.orgPath))
          : pathInScope(auditLog.orgPath, scope),
        f.underPath ? sql`${auditLog.orgPath} like ${`${f.underPath}%`}` : undefined,
        f.entity ? eq(auditLog.entity, f.entity) : undefined,
        f.entityId ? eq(auditLog.entityId, f.entityId) : undefined,
        // A snapshot document's entity_id is its first record's id: asked for that record (no
        // entity named), the document is not its row (findImportCreations shows its creation).
        f.entityId && !f.entity ? ne(auditLog.entity, SNAPSHOT_DOCUMENT) : undefined,
        f.actorId ? eq(auditLog.actorId, f.actorId) : undefined,
        f.action ? eq(auditLog.action, f.action) : undefined,
        f.from ? gte(auditLog.at, f.from) : undefined,
        f.to ? lte(auditLog.at, f.to) : undefined,
        f.beforeSeq ? lt(auditLog.seq, f.beforeSeq) : undefined,
      ),
    )
    .orderBy(desc(auditLog.seq))
    .limit(f.limit);

/** The first id (UUIDv7) of the minute before the one given: a bound for `findImportCreations`. */
const minuteBefore = (id: string): string => {
  const ms = Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
  const hex = Math.max(0, (Number.isFinite(ms) ? ms : 0) - 60_000)
    .toString(16)
    .padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8)}-0000-0000-000000000000`;
};

/** A record's creation by an import, as an audit row would show it. */
export type TImportCreation = {
  seq: number;
  /** The snapshot document's row. */
  id: string;
  at: string;
  actorId: string | null;
  actorName: string;
  action: 'create';
  entity: string;
  entityId: string;
  orgPath: string | null;
  before: null;
  after: Record<string, unknown>;
  reason: string | null;
  /** Where it is recorded: the batch, the file's row and the snapshot document's row. */
  importRef: { batchId: string; row: number; documentSeq: number };
};

/**
 * The creation of a record by an import, from the snapshot document of its chunk
 * (`openAuditBulk().addCreated`, any format of `TSnapshotDocument`): its snapshot as an object, with the document's time, actor
 * and reason. The document's `entity_id` is the smallest id of its records, made a moment
 * before it, so only documents between a minute before the record's id and the id itself are
 * candidates (by `audit_entity_idx`), read from the nearest down until one lists the id —
 * usually the first, unless another import made ids at the same time. A record is created
 * once, so there is at most one. The caller's scope applies to the record's own `orgPath` (the
 * document's is the narrowest org holding all of its records), in SQL as for every audit read.
 */
export const findImportCreations = async (
  db: TExecutor,
  scope: TScope,
  entity: string,
  entityId: string,
): Promise<TImportCreation[]> =>
  // Prepared: the documents are read backwards by the entity index whatever the bounds' values.
  (
    await queryRowsPrepared<TImportCreationRow>(
      db,
      'import_creation',
      importCreationQuery(scope, entity, entityId),
    )
  ).map((f) => toImportCreation(f, entity, entityId));

/** A row of `importCreationQuery` (as the driver gives it, or as its `row_to_json`). */
export type TImportCreationRow = {
  seq: number | string;
  id: string;
  at: string | Date;
  actor_id: string | null;
  actor_name: string;
  reason: string | null;
  org_path: string | null;
  batch_id: string;
  /** The document's parts the record is made of (`snapshotRecord`'s, for one row). */
  columns: string[];
  fixed: TSnapshotDocument['fixed'] | null;
  codes: TSnapshotDocument['codes'] | null;
  values: unknown[];
};

/**
 * The statement of `findImportCreations`, at most one `TImportCreationRow`: for a caller that
 * reads it inside a statement of its own (a worker's history). The document's parts are taken
 * once each (a subquery not flattened: every `after->…` reads and decompresses the whole
 * document again) and the record is put together in Node (`toImportCreation`); SQL only finds
 * the record's own org path, for the scope.
 */
export const importCreationQuery = (scope: TScope, entity: string, entityId: string): SQL =>
  sql`select r.seq, r.id, r.at, r.actor_id, r.actor_name, r.reason, r.batch_id, r.columns,
             r.fixed, r.codes, r.values, op.org_path
        from (
          select d.seq, d.id, d.at, d.actor_id, d.actor_name, d.reason, d.org_path as doc_path,
                 x.batch_id, x.columns, x.fixed, x.codes, x.values
            from audit_log d
            cross join lateral (
              select n from jsonb_array_elements_text(d.after->'ids') with ordinality as e(id, n)
               where e.id = ${entityId}) i
            -- Formats 2 and 3 hold the record's values as the JSON text of their array (only
            -- this one is parsed), format 1 the array itself; format 3 keeps shared values in
            -- \`fixed\` and \`codes\`.
            cross join lateral (
              select d.after->>'batchId' as batch_id, d.after->'columns' as columns,
                     d.after->'fixed' as fixed, d.after->'codes' as codes,
                     case when d.after ? 'v'
                          then (d.after->'rows'->>(i.n::int - 1))::jsonb
                          else d.after->'rows'->(i.n::int - 1) end as values
              offset 0) x
           where d.entity = ${SNAPSHOT_DOCUMENT}
             and d.entity_id between ${minuteBefore(entityId)} and ${entityId}
             and d.after->>'entity' = ${entity}
           order by d.entity_id desc
           limit 1) r
        -- The org path's place in the row (none when format 3 holds it in \`fixed\`).
        left join lateral (
          select o.n::int - 1 as k
            from jsonb_array_elements_text(r.columns) with ordinality as o(c, n)
           where o.c = 'orgPath') p on true
        cross join lateral (
          select coalesce(r.fixed->>'orgPath',
                          case when r.codes ? 'orgPath'
                               then r.codes->'orgPath'->>((r.values->>p.k)::int)
                               else r.values->>p.k end,
                          r.doc_path) as org_path) op
       where ${pathInScope(sql`op.org_path`, scope)}`;

/** A row of `importCreationQuery` as the creation an audit row would show. */
export const toImportCreation = (
  f: TImportCreationRow,
  entity: string,
  entityId: string,
): TImportCreation => {
  const { row, ...values } = snapshotRecordOf(
    { columns: f.columns, fixed: f.fixed ?? undefined, codes: f.codes ?? undefined },
    f.values,
  );
  const after: Record<string, unknown> = { ...values, id: entityId };
  const keys = Object.keys(after).sort();
  const sorted = Object.fromEntries(keys.map((k) => [k, after[k]]));
  return {
    seq: Number(f.seq),
    id: f.id,
    at: new Date(f.at).toISOString(),
    actorId: f.actor_id,
    actorName: f.actor_name,
    action: 'create' as const,
    entity,
    entityId,
    orgPath: f.org_path,
    before: null,
    after: sorted,
    reason: f.reason,
    importRef: {
      batchId: f.batch_id,
      row: Number(row),
      documentSeq: Number(f.seq),
    },
  };
};
