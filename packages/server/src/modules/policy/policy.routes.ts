import { EVALUATIONS, type TEvaluation } from '@shegong/policy';
import { AppError, todayIso, ZIsoDate } from '@shegong/shared';
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';

export const policyRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/policy/packs',
    summary: '政策包列表',
    tag: '政策',
    access: 'policy:read',
    handler: async (c) => ({ items: c.get('services').policies.list() }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/policy/packs/:id',
    summary: '政策包在某日的内容：来源、可选解读、参数、岗位、规则（只读）',
    tag: '政策',
    access: 'policy:read',
    params: z.object({ id: z.string().regex(/^[a-z0-9-]+$/, '政策包编号格式不正确') }),
    query: z.object({ date: ZIsoDate.optional() }),
    handler: async (c, { params, query }) => {
      const { policies } = c.get('services');
      if (!policies.has(params.id)) throw new AppError('NOT_FOUND', `政策包 ${params.id} 不存在`);
      return policies.describe(params.id, query.date ?? todayIso());
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/policy/packs/:id/eval',
    summary: '按政策包试算：岗位等级、薪酬、职数、招聘资格、提醒、达标情况（含依据）',
    tag: '政策',
    access: 'policy:read',
    params: z.object({ id: z.string().regex(/^[a-z0-9-]+$/, '政策包编号格式不正确') }),
    body: z.object({
      evaluation: z.enum(EVALUATIONS, { error: `求值类型应为：${EVALUATIONS.join('、')}` }),
      date: ZIsoDate.optional(),
      input: z.record(z.string(), z.unknown()),
    }),
    handler: async (c, { params, body }) => {
      const { policies } = c.get('services');
      if (!policies.has(params.id)) throw new AppError('NOT_FOUND', `政策包 ${params.id} 不存在`);
      // The engine validates the input and answers bad input with a Chinese AppError.
      const pack = policies.at(params.id, body.date ?? todayIso());
      return pack[body.evaluation as TEvaluation](body.input as never);
    },
  }),
];
