import { and, desc, eq, gte, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { TScope } from '../../context.ts';
import type { TExecutor } from '../../db/client.ts';
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
 * Audit rows inside the caller's scope, newest first. Reading only: the application has no
 * function that updates or deletes audit rows.
 */
export const listAuditRows = (db: TExecutor, scope: TScope, f: TAuditFilters) =>
  db
    .select()
    .from(auditLog)
    .where(
      and(
        isRootScope(scope)
          ? or(pathInScope(auditLog.orgPath, scope), isNull(auditLog.orgPath))
          : pathInScope(auditLog.orgPath, scope),
        f.underPath ? sql`${auditLog.orgPath} like ${`${f.underPath}%`}` : undefined,
        f.entity ? eq(auditLog.entity, f.entity) : undefined,
        f.entityId ? eq(auditLog.entityId, f.entityId) : undefined,
        f.actorId ? eq(auditLog.actorId, f.actorId) : undefined,
        f.action ? eq(auditLog.action, f.action) : undefined,
        f.from ? gte(auditLog.at, f.from) : undefined,
        f.to ? lte(auditLog.at, f.to) : undefined,
        f.beforeSeq ? lt(auditLog.seq, f.beforeSeq) : undefined,
      ),
    )
    .orderBy(desc(auditLog.seq))
    .limit(f.limit);
