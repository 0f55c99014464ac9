import { AppError } from '@shegong/shared';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { verifyAuditChain } from '../../audit/audit.ts';
import { org } from '../../db/schema/index.ts';
import { defineRoute } from '../../http/route.ts';
import { isWithinScope } from '../org/org-scope.ts';
import { findImportCreations, listAuditRows } from './audit.repo.ts';
import { listCheckpoints } from './checkpoint.ts';

// Strict enough that PostgreSQL accepts every value that passes (2024-02-30 does not).
const ZIsoInstant = z
  .string()
  .regex(
    /^(19|20|21)\d{2}-\d{2}-\d{2}(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)?)?$/,
    { message: '时间应为 YYYY-MM-DD 或 ISO 8601 格式' },
  )
  .refine((v) => {
    const [y, m, d] = v.slice(0, 10).split('-').map(Number) as [number, number, number];
    const date = new Date(Date.UTC(y, m - 1, d));
    return date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  }, '日期不存在');

export const ZAuditQuery = z.object({
  entity: z
    .string()
    .regex(/^[a-z][a-z_-]{0,39}$/, '对象类型应为小写英文字母（如 worker、user、org）')
    .optional(),
  entityId: z.string().min(1).max(64, '对象编号过长').optional(),
  actorId: z.uuid('操作人编号格式不正确').optional(),
  action: z
    .string()
    .regex(/^[a-z][a-z_-]{0,39}$/, '操作类型应为小写英文字母')
    .optional(),
  org: z
    .string()
    .regex(/^\d{6,15}$/, '机构代码应为6–15位数字')
    .optional(),
  from: ZIsoInstant.optional(),
  to: ZIsoInstant.optional(),
  before: z.coerce.number().int().min(1, '游标无效').optional(),
  limit: z.coerce.number().int().min(1).max(200, '每页最多200条').default(50),
});

/** The audit log: read and verify only. There is no route that changes or deletes audit rows. */
export const auditRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/audit',
    summary: '审计记录查询（本管辖范围，按时间倒序）',
    tag: '审计',
    access: 'audit:read',
    query: ZAuditQuery,
    handler: async (c, { query }) => {
      const { db } = c.get('services').database;
      const scope = c.get('actor')!.scope;
      let underPath: string | undefined;
      if (query.org) {
        const node = (await db.select().from(org).where(eq(org.code, query.org)).limit(1))[0];
        if (!node || !isWithinScope(scope, node.path)) {
          throw new AppError('NOT_FOUND', `机构 ${query.org} 不存在`, { where: { field: 'org' } });
        }
        underPath = node.path;
      }
      const rows = await listAuditRows(db, scope, {
        entity: query.entity,
        entityId: query.entityId,
        actorId: query.actorId,
        action: query.action,
        underPath,
        from: query.from,
        to: query.to,
        beforeSeq: query.before,
        limit: query.limit,
      });
      // Records an import created are kept in its snapshot documents, not as rows of their own:
      // asked for by id, their creation is shown as a row would show it (scoped by the repo).
      const created = query.entityId
        ? (await findImportCreations(db, scope, query.entity ?? 'worker', query.entityId)).filter(
            (r) =>
              (!underPath || r.orgPath?.startsWith(underPath)) &&
              (!query.actorId || r.actorId === query.actorId) &&
              (!query.action || query.action === 'create') &&
              (!query.from || r.at >= new Date(query.from).toISOString()) &&
              (!query.to || r.at <= new Date(query.to).toISOString()) &&
              (!query.before || r.seq < query.before),
          )
        : [];
      const merged = [...rows.map((r) => ({ ...r, importRef: undefined })), ...created]
        .sort((a, b) => b.seq - a.seq)
        .slice(0, query.limit);
      const items = merged.map((r) => ({
        seq: r.seq,
        id: r.id,
        at: new Date(r.at).toISOString(),
        actorId: r.actorId,
        actorName: r.actorName,
        action: r.action,
        entity: r.entity,
        entityId: r.entityId,
        orgPath: r.orgPath,
        before: r.before,
        // A snapshot document comes summarised (batch, entity, number of records: listAuditRows).
        after: r.after,
        importRef: r.importRef,
        reason: r.reason,
      }));
      return { items, nextBefore: items.length === query.limit ? items.at(-1)!.seq : null };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/audit/verify',
    summary: '校验审计链（哈希链与签名检查点）',
    tag: '审计',
    access: 'audit:verify',
    handler: async (c) => {
      const { database, crypto } = c.get('services');
      const result = await verifyAuditChain(database.db, { crypto });
      const checkpoints = (await listCheckpoints(database.db)).map((cp) => ({
        kind: cp.kind,
        throughSeq: cp.throughSeq,
        throughAt: new Date(cp.throughAt).toISOString(),
        rowCount: cp.rowCount,
        fileName: cp.fileName,
        createdBy: cp.createdBy,
        createdAt: new Date(cp.createdAt).toISOString(),
      }));
      return { ...result, checkpoints };
    },
  }),
];
