import { ZProbationEnd, ZSignContract, ZWorkflowOrgQuery } from '@shegong/shared';
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import { nodeInScope } from '../todo/scope-node.ts';
import { listContracts } from './list-contracts.ts';
import { proposeProbationEnd, signContract } from './sign-contract.ts';

const ZWorkerId = z.object({ workerId: z.uuid('工作者编号无效') });
const TAG = '合同';

export const contractRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/contracts',
    summary: '劳动合同（服务协议）：现合同、政策规定的形式、到期和任期届满提醒、不予续签情形',
    tag: TAG,
    access: 'workflow:read',
    query: ZWorkflowOrgQuery,
    handler: async (c, { query }) => {
      const ctx = c.get('ctx');
      const node = await nodeInScope(ctx, query.org);
      return {
        org: { code: node.code, name: node.name },
        ...(await listContracts(ctx, node.path)),
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/contracts/:workerId',
    summary: '签订或续签劳动合同（形式和期限按政策；政策禁止续签的情形拒绝并说明依据）',
    tag: TAG,
    access: 'workflow:write',
    params: ZWorkerId,
    body: ZSignContract,
    status: 201,
    handler: async (c, { params, body }) => signContract(c.get('ctx'), params.workerId, body),
  }),
  defineRoute({
    method: 'post',
    path: '/api/contracts/:workerId/probation-end',
    summary: '提请试用期满转正（待审批）',
    tag: TAG,
    access: 'workflow:write',
    params: ZWorkerId,
    body: ZProbationEnd,
    status: 201,
    handler: async (c, { params, body }) =>
      proposeProbationEnd(c.get('ctx'), params.workerId, body.on),
  }),
];
