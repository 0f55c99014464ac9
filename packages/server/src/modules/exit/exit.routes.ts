import { todayIso, ZProposeExit, ZWorkflowOrgQuery } from '@shegong/shared';
import { defineRoute } from '../../http/route.ts';
import { nodeInScope } from '../todo/scope-node.ts';
import { packForPath, workflowOf } from '../todo/worker-policy.ts';
import { listExitCases } from './exit-situations.ts';
import { proposeExit } from './propose-exit.ts';

export const exitRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/exit/cases',
    summary: '退出情形：政策规定的情形及其依据（考核、证书期限、任期、网格满意率）',
    tag: '退出',
    access: 'workflow:read',
    query: ZWorkflowOrgQuery,
    handler: async (c, { query }) => {
      const ctx = c.get('ctx');
      const node = await nodeInScope(ctx, query.org);
      const today = todayIso();
      let situations: { label: string; rule: string; source: string }[] = [];
      try {
        const pack = await packForPath(ctx.db, ctx.services.policies, node.path, today);
        situations = workflowOf(pack).exitSituations.map((s) => ({
          label: s.label,
          rule: s.rule,
          source: s.source,
        }));
      } catch {
        // No pack above this node: the cases list is empty too.
      }
      return {
        org: { code: node.code, name: node.name },
        situations,
        ...(await listExitCases(ctx, node.path, today)),
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/exit/proposals',
    summary: '提出退出建议（须经审批后办理）',
    tag: '退出',
    access: 'workflow:write',
    body: ZProposeExit,
    status: 201,
    handler: async (c, { body }) => proposeExit(c.get('ctx'), body),
  }),
];
