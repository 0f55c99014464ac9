import {
  ZCreateWorkItemRequest,
  ZDecideProposal,
  ZRejectProposal,
  ZWorkflowOrgQuery,
} from '@shegong/shared';
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import { nodeInScope } from '../todo/scope-node.ts';
import { admissionList, decideWorkItem, listRequests, requestWorkItem } from './admission.ts';

const ZId = z.object({ id: z.uuid('编号无效') });
const TAG = '准入清单';

export const admissionRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/admission/items',
    summary: '社区工作事项准入清单（政策规定的事项和经批准新增的事项）',
    tag: TAG,
    access: 'workflow:read',
    query: ZWorkflowOrgQuery,
    handler: async (c, { query }) => {
      const ctx = c.get('ctx');
      return admissionList(ctx, await nodeInScope(ctx, query.org));
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/admission/requests',
    summary: '新增准入事项的申请',
    tag: TAG,
    access: 'workflow:read',
    query: ZWorkflowOrgQuery,
    handler: async (c, { query }) => {
      const ctx = c.get('ctx');
      const node = await nodeInScope(ctx, query.org);
      const rows = await listRequests(ctx, node);
      return { items: rows.map((r) => ({ ...r.request, orgName: r.orgName ?? '' })) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/admission/requests',
    summary: '申请新增准入事项（费随事转）',
    tag: TAG,
    access: 'workflow:write',
    body: ZCreateWorkItemRequest,
    status: 201,
    handler: async (c, { body }) => requestWorkItem(c.get('ctx'), body),
  }),
  defineRoute({
    method: 'post',
    path: '/api/admission/requests/:id/approve',
    summary: '批准新增准入事项',
    tag: TAG,
    access: 'workflow:approve',
    params: ZId,
    body: ZDecideProposal,
    handler: async (c, { params, body }) =>
      decideWorkItem(c.get('ctx'), params.id, { approve: true, note: body.note }),
  }),
  defineRoute({
    method: 'post',
    path: '/api/admission/requests/:id/reject',
    summary: '驳回新增准入事项',
    tag: TAG,
    access: 'workflow:approve',
    params: ZId,
    body: ZRejectProposal,
    handler: async (c, { params, body }) =>
      decideWorkItem(c.get('ctx'), params.id, { approve: false, note: body.note }),
  }),
];
