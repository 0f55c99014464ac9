import { AppError } from '@shegong/shared';
import { z } from 'zod';
import { defineRoute } from '../http/route.ts';
import { findJobInScope, listMyJobs, toJobView } from './jobs.ts';

export const jobRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/jobs',
    summary: '我的后台任务（最近50个）',
    tag: '后台任务',
    access: 'authenticated',
    handler: async (c) => ({ items: (await listMyJobs(c.get('ctx'))).map(toJobView) }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/jobs/:id',
    summary: '后台任务进度与结果',
    tag: '后台任务',
    access: 'authenticated',
    params: z.object({ id: z.uuid('任务编号无效') }),
    handler: async (c, { params }) => {
      const row = await findJobInScope(c.get('ctx'), params.id);
      if (!row) throw new AppError('NOT_FOUND', '任务不存在');
      return toJobView(row);
    },
  }),
];
