import { STAT_TABLE_LABELS, type TStatsDashboard, ZStatsExportQuery } from '@shegong/shared';
import type { Context } from 'hono';
import { z } from 'zod';
import type { TAppEnv } from '../../http/env.ts';
import { defineRoute } from '../../http/route.ts';
import { getStatsDashboardJson } from './get-stats-dashboard.ts';
import { reportWorkbook, tableWorkbook, xlsxResponse } from './stats-xlsx.ts';

const ZCodeParam = z.object({ code: z.string().regex(/^\d{6,15}$/, '机构代码应为6–15位数字') });

const dashboardJson = (c: Context<TAppEnv>, code: string) =>
  getStatsDashboardJson(
    {
      db: c.get('services').database.db,
      scope: c.get('actor')!.scope,
      policiesDir: c.get('services').config.policiesDir,
    },
    code,
  );

/** The exports take the figures of the page (the same kept answer). */
const dashboardFor = async (c: Context<TAppEnv>, code: string): Promise<TStatsDashboard> =>
  JSON.parse(await dashboardJson(c, code));

export const statsRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/stats/:code',
    summary: '统计看板：人数与变化、队伍结构、配备标准、职数、目标达成、下级对比',
    tag: '统计',
    access: 'stats:read',
    params: ZCodeParam,
    // The kept JSON as it is (c.json would stringify an object).
    handler: async (c, { params }) =>
      c.body(await dashboardJson(c, params.code), 200, { 'Content-Type': 'application/json' }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/stats/:code/export',
    summary: '导出统计看板的一张表（.xlsx）',
    tag: '统计',
    access: 'stats:read',
    params: ZCodeParam,
    query: ZStatsExportQuery,
    handler: async (c, { params, query }) => {
      const d = await dashboardFor(c, params.code);
      return xlsxResponse(
        await tableWorkbook(d, query.table),
        `${d.node.name}-${STAT_TABLE_LABELS[query.table]}-${d.asOf}.xlsx`,
      );
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/stats/:code/report',
    summary: '导出统计报表（本级与下级单位，.xlsx）',
    tag: '统计',
    access: 'stats:read',
    params: ZCodeParam,
    handler: async (c, { params }) => {
      const d = await dashboardFor(c, params.code);
      return xlsxResponse(await reportWorkbook(d), `${d.node.name}-统计报表-${d.asOf}.xlsx`);
    },
  }),
];
