import { ZProposeHonour, ZWorkflowOrgQuery } from '@shegong/shared';
import { defineRoute } from '../../http/route.ts';
import { nodeInScope } from '../todo/scope-node.ts';
import { listHonours } from './list-honours.ts';
import { proposeHonour } from './propose-honour.ts';

export const honoursRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/honours',
    summary: '表彰与发展：达到政策规定年限的人员（长期服务奖励、事业单位招聘渠道）',
    tag: '表彰',
    access: 'workflow:read',
    query: ZWorkflowOrgQuery,
    handler: async (c, { query }) => {
      const ctx = c.get('ctx');
      const node = await nodeInScope(ctx, query.org);
      return { org: { code: node.code, name: node.name }, ...(await listHonours(ctx, node.path)) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/honours/proposals',
    summary: '提出表彰奖励（或发展渠道）建议（待审批）',
    tag: '表彰',
    access: 'workflow:write',
    body: ZProposeHonour,
    status: 201,
    handler: async (c, { body }) => proposeHonour(c.get('ctx'), body),
  }),
];
