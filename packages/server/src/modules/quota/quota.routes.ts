import { ZQuotaExplainQuery, ZQuotaQuery } from '@shegong/shared';
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import { explainQuota } from './explain-quota.ts';
import { getQuotaView } from './get-quota-view.ts';

const ZCodeParam = z.object({ code: z.string().regex(/^\d{6,15}$/, '机构代码应为6–15位数字') });

export const quotaRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/quota/:code',
    summary: '职数核定：本级与下级（县、街道、社区）的核定职数、实有人数、差额、缺网格员的网格',
    tag: '职数核定',
    access: 'quota:read',
    params: ZCodeParam,
    query: ZQuotaQuery,
    handler: async (c, { params, query }) => getQuotaView(c.get('ctx'), params.code, query.date),
  }),
  defineRoute({
    method: 'get',
    path: '/api/quota/:code/explain',
    summary: '职数的计算依据：政策包规则与条款（为什么）',
    tag: '职数核定',
    access: 'quota:read',
    params: ZCodeParam,
    query: ZQuotaExplainQuery,
    handler: async (c, { params, query }) => explainQuota(c.get('ctx'), params.code, query.date),
  }),
];
