import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';

export const systemRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/health',
    summary: '健康检查：服务与数据库是否可用',
    tag: '系统',
    access: 'public',
    response: z.object({ status: z.literal('ok'), database: z.enum(['pglite', 'postgres']) }),
    handler: async (c) => {
      const { database } = c.get('services');
      await database.db.execute(sql`select 1`);
      return { status: 'ok' as const, database: database.kind };
    },
  }),
];
