import {
  todayIso,
  ZCreateSecondment,
  ZDecideProposal,
  ZRejectProposal,
  ZReturnSecondment,
  ZWorkflowOrgQuery,
} from '@shegong/shared';
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import { nodeInScope } from '../todo/scope-node.ts';
import { decideSecondment, returnSecondment } from './decide-secondment.ts';
import { requestSecondment } from './request-secondment.ts';
import { listSecondments } from './secondment.repo.ts';

const ZId = z.object({ id: z.uuid('编号无效') });
const TAG = '借调挂职';

export const secondmentRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/secondments',
    summary: '借调、挂职申请和在外人员（期满未归岗的标出）',
    tag: TAG,
    access: 'workflow:read',
    query: ZWorkflowOrgQuery,
    handler: async (c, { query }) => {
      const ctx = c.get('ctx');
      const node = await nodeInScope(ctx, query.org);
      const today = todayIso();
      const rows = await listSecondments(ctx.db, ctx.actor.scope, node.path);
      return {
        items: rows.map((r) => ({
          ...r.request,
          name: r.name,
          communityName: r.communityName ?? '',
          streetName: r.streetName ?? '',
          overdue: r.request.status === '已批准' && r.request.toOn < today,
        })),
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/secondments',
    summary: '申请借调或挂职锻炼（按政策检查期限、次数和街道比例，不符合的当即拒绝并说明依据）',
    tag: TAG,
    access: 'workflow:write',
    body: ZCreateSecondment,
    status: 201,
    handler: async (c, { body }) => requestSecondment(c.get('ctx'), body),
  }),
  defineRoute({
    method: 'post',
    path: '/api/secondments/:id/approve',
    summary: '批准借调（记入人事档案）',
    tag: TAG,
    access: 'workflow:approve',
    params: ZId,
    body: ZDecideProposal,
    handler: async (c, { params, body }) =>
      decideSecondment(c.get('ctx'), params.id, { approve: true, note: body.note }),
  }),
  defineRoute({
    method: 'post',
    path: '/api/secondments/:id/reject',
    summary: '驳回借调申请',
    tag: TAG,
    access: 'workflow:approve',
    params: ZId,
    body: ZRejectProposal,
    handler: async (c, { params, body }) =>
      decideSecondment(c.get('ctx'), params.id, { approve: false, note: body.note }),
  }),
  defineRoute({
    method: 'post',
    path: '/api/secondments/:id/return',
    summary: '期满返回原社区（归岗）',
    tag: TAG,
    access: 'workflow:write',
    params: ZId,
    body: ZReturnSecondment,
    handler: async (c, { params, body }) =>
      returnSecondment(c.get('ctx'), params.id, body.returnedOn),
  }),
];
