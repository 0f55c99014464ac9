import { ZAssessmentResults, ZCreateCycle, ZWorkflowOrgQuery } from '@shegong/shared';
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import { nodeInScope } from '../todo/scope-node.ts';
import { packForPath } from '../todo/worker-policy.ts';
import { listCycles } from './assessment.repo.ts';
import { createCycle } from './create-cycle.ts';
import { getCycle } from './get-cycle.ts';
import { proposeConsequences } from './propose-consequences.ts';
import { recordResults } from './record-results.ts';

const ZId = z.object({ id: z.uuid('编号无效') });
const TAG = '考核';

export const assessmentRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/assessment/cycles',
    summary: '年度考核列表，以及适用政策的考核内容和权重',
    tag: TAG,
    access: 'workflow:read',
    query: ZWorkflowOrgQuery.extend({
      year: z.coerce.number().int().min(2000).max(2100).optional(),
    }),
    handler: async (c, { query }) => {
      const ctx = c.get('ctx');
      const node = await nodeInScope(ctx, query.org);
      const rows = await listCycles(ctx.db, ctx.actor.scope, node.path);
      let rule = null;
      try {
        const pack = await packForPath(
          ctx.db,
          ctx.services.policies,
          node.path,
          `${query.year ?? new Date().getFullYear()}-12-31`,
        );
        rule = pack.workflow({}).value.assessment;
      } catch {
        // No pack above this node: no rule to show.
      }
      return {
        items: rows.map((r) => ({ ...r.cycle, orgName: r.orgName ?? '' })),
        rule,
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/assessment/cycles',
    summary: '建立年度考核（考核内容和权重来自政策包）',
    tag: TAG,
    access: 'workflow:write',
    body: ZCreateCycle,
    status: 201,
    handler: async (c, { body }) => createCycle(c.get('ctx'), body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/assessment/cycles/:id',
    summary: '年度考核详情：人员、等次、得分、处理建议',
    tag: TAG,
    access: 'workflow:read',
    params: ZId,
    handler: async (c, { params }) => getCycle(c.get('ctx'), params.id),
  }),
  defineRoute({
    method: 'put',
    path: '/api/assessment/cycles/:id/results',
    summary: '录入考核得分和等次（等次记入人事档案）',
    tag: TAG,
    access: 'workflow:write',
    params: ZId,
    body: ZAssessmentResults,
    handler: async (c, { params, body }) => recordResults(c.get('ctx'), params.id, body),
  }),
  defineRoute({
    method: 'post',
    path: '/api/assessment/cycles/:id/consequences',
    summary: '按政策生成考核结果运用的处理建议（退出、奖励、等级晋升），待审批',
    tag: TAG,
    access: 'workflow:write',
    params: ZId,
    handler: async (c, { params }) => proposeConsequences(c.get('ctx'), params.id),
  }),
];
