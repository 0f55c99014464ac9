import { ALERT_KINDS } from '@shegong/policy';
import {
  type TTodoSummary,
  todayIso,
  ZDecideProposal,
  ZProposalQuery,
  ZRejectProposal,
  ZWorkflowOrgQuery,
} from '@shegong/shared';
import { and, eq, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { TCtx } from '../../context.ts';
import { secondmentRequest, workItemRequest } from '../../db/schema/index.ts';
import { defineRoute } from '../../http/route.ts';
import { pathInScope } from '../org/org-scope.ts';
import { collectAlerts } from './collect-alerts.ts';
import { countPendingProposals, decideProposal, listProposals } from './proposals.ts';
import { nodeInScope } from './scope-node.ts';

const ZId = z.object({ id: z.uuid('编号无效') });

/** Requests awaiting approval under a path: secondments and work items (not for the self role). */
const countPendingRequests = async (ctx: TCtx, under: string) => {
  if (ctx.actor.scope.kind === 'self') return 0;
  const count = async (table: typeof secondmentRequest | typeof workItemRequest) => {
    const conditions: SQL[] = [
      pathInScope(table.orgPath, ctx.actor.scope),
      sql`${table.orgPath} like ${`${under}%`}`,
      eq(table.status, '待审批'),
    ];
    const rows = await ctx.db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(table)
      .where(and(...conditions));
    return rows[0]?.n ?? 0;
  };
  return (await count(secondmentRequest)) + (await count(workItemRequest));
};

const ZTodoQuery = ZWorkflowOrgQuery.extend({
  kind: z.enum(ALERT_KINDS).optional(),
});

export const todoRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/todo',
    summary: '待办：管辖范围内的提醒（含依据条款）和待审批的处理建议',
    tag: '待办',
    access: 'workflow:read',
    query: ZTodoQuery,
    handler: async (c, { query }) => {
      const ctx = c.get('ctx');
      const node = await nodeInScope(ctx, query.org);
      const today = todayIso();
      const alerts = await collectAlerts(ctx, node.path, today, {
        kinds: query.kind ? [query.kind] : undefined,
        levels: ['overdue', 'due', 'upcoming'],
      });
      const proposals = await listProposals(ctx.db, ctx.actor.scope, {
        under: node.path,
        status: '待审批',
      });
      return {
        org: { code: node.code, name: node.name },
        date: today,
        alerts: alerts.items.slice(0, 2000),
        alertsTotal: alerts.items.length,
        workers: alerts.workers,
        complete: alerts.complete,
        proposals,
        requests: await countPendingRequests(ctx, node.path),
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/todo/summary',
    summary: '待办数量（首页）',
    tag: '待办',
    access: 'workflow:read',
    query: ZWorkflowOrgQuery,
    handler: async (c, { query }): Promise<TTodoSummary> => {
      const ctx = c.get('ctx');
      const node = await nodeInScope(ctx, query.org);
      const alerts = await collectAlerts(ctx, node.path, todayIso(), {
        levels: ['overdue', 'due', 'upcoming'],
      });
      const byKind: Record<string, number> = {};
      const levels = { overdue: 0, due: 0, upcoming: 0 };
      for (const a of alerts.items) {
        byKind[a.kind] = (byKind[a.kind] ?? 0) + 1;
        if (a.level !== 'info') levels[a.level] += 1;
      }
      return {
        alerts: levels,
        byKind,
        proposals: await countPendingProposals(ctx.db, ctx.actor.scope, node.path),
        requests: await countPendingRequests(ctx, node.path),
        workers: alerts.workers,
        complete: alerts.complete,
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/proposals',
    summary: '处理建议（退出、转正、等级晋升、奖励）列表',
    tag: '待办',
    access: 'workflow:read',
    query: ZProposalQuery,
    handler: async (c, { query }) => {
      const ctx = c.get('ctx');
      const node = await nodeInScope(ctx, query.org);
      return {
        items: await listProposals(ctx.db, ctx.actor.scope, {
          under: node.path,
          status: query.status,
          kind: query.kind,
          workerId: query.workerId,
        }),
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/proposals/:id/approve',
    summary: '批准处理建议（随即办理：退出、转正、奖励等，记入档案和审计日志）',
    tag: '待办',
    access: 'workflow:approve',
    params: ZId,
    body: ZDecideProposal,
    handler: async (c, { params, body }) =>
      decideProposal(c.get('ctx'), params.id, { approve: true, note: body.note }),
  }),
  defineRoute({
    method: 'post',
    path: '/api/proposals/:id/reject',
    summary: '驳回处理建议',
    tag: '待办',
    access: 'workflow:approve',
    params: ZId,
    body: ZRejectProposal,
    handler: async (c, { params, body }) =>
      decideProposal(c.get('ctx'), params.id, { approve: false, note: body.note }),
  }),
];
