import {
  AppError,
  EXPORT_FORMATS,
  ZConversionCreate,
  ZConversionLinesQuery,
  ZPayCompute,
  ZPayExplainQuery,
  ZPayRunAction,
  ZPayRunsQuery,
  ZWorkerPayQuery,
} from '@shegong/shared';
import { z } from 'zod';
import { defineRoute } from '../../http/route.ts';
import { startJob } from '../../jobs/jobs.ts';
import { download } from '../excel/excel.routes.ts';
import { findOrgInScope } from '../org/org.repo.ts';
import {
  approveConversion,
  listConversionLines,
  startConversionExport,
} from './approve-conversion.ts';
import { computePayRuns } from './compute-pay-runs.ts';
import { createConversion, findConversionInScope, listConversions } from './create-conversion.ts';
import { explainPayLine, workerPayForMonth } from './explain-pay.ts';
import { exportPaySheet } from './export-pay-sheet.ts';
import { getPayRun, listPayStreets } from './list-pay-runs.ts';
import { toLineViewOfRow } from './pay-views.ts';
import { lockPayRun, reviewPayRun } from './review-pay-run.ts';

const ZId = z.object({ id: z.uuid('编号无效') });
const ZFormat = z.object({
  format: z.enum(EXPORT_FORMATS, { error: '格式应为 xlsx 或 csv' }).default('xlsx'),
});
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const payRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/pay/runs',
    summary: '工资发放表：某月各街道的状态与合计',
    tag: '薪酬',
    access: 'pay:read',
    query: ZPayRunsQuery,
    handler: async (c, { query }) => listPayStreets(c.get('ctx'), query.org, query.month),
  }),
  defineRoute({
    method: 'post',
    path: '/api/pay/runs/compute',
    summary: '计算某月工资发放表（街道，或县、市下的全部街道；后台任务，批量引擎）',
    tag: '薪酬',
    access: 'pay:write',
    body: ZPayCompute,
    status: 202,
    handler: async (c, { body }) => {
      const ctx = c.get('ctx');
      const node = await findOrgInScope(ctx.db, ctx.actor.scope, body.org);
      if (!node)
        throw new AppError('NOT_FOUND', `机构 ${body.org} 不存在`, { where: { field: 'org' } });
      const job = await startJob(
        ctx,
        { kind: 'pay-compute', title: `计算${node.name} ${body.month} 工资发放表` },
        (report) => computePayRuns(ctx, body.org, body.month, report),
      );
      return { jobId: job.id };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/pay/runs/:id',
    summary: '一张工资发放表及其明细（含补发扣回）',
    tag: '薪酬',
    access: 'pay:read',
    params: ZId,
    handler: async (c, { params }) => getPayRun(c.get('ctx'), params.id),
  }),
  defineRoute({
    method: 'post',
    path: '/api/pay/runs/:id/review',
    summary: '审核工资发放表',
    tag: '薪酬',
    access: 'pay:write',
    params: ZId,
    body: ZPayRunAction,
    handler: async (c, { params, body }) => reviewPayRun(c.get('ctx'), params.id, body.version),
  }),
  defineRoute({
    method: 'post',
    path: '/api/pay/runs/:id/lock',
    summary: '锁定工资发放表（锁定后不再变动，更正以补发扣回计入以后月份；审核人不能锁定）',
    tag: '薪酬',
    access: 'pay:lock',
    params: ZId,
    body: ZPayRunAction,
    handler: async (c, { params, body }) => lockPayRun(c.get('ctx'), params.id, body.version),
  }),
  defineRoute({
    method: 'get',
    path: '/api/pay/runs/:id/export',
    summary: '导出工资发放表（.xlsx）',
    tag: '薪酬',
    access: 'pay:read',
    params: ZId,
    query: ZFormat,
    handler: async (c, { params, query }) => {
      const { buffer, fileName } = await exportPaySheet(c.get('ctx'), params.id, query.format);
      return download(buffer, fileName, query.format === 'csv' ? 'text/csv; charset=utf-8' : XLSX);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/pay/runs/:id/lines/:workerId/explain',
    summary: '工资明细的计算依据（为什么）：按计算时的数据重算并列出规则与条款',
    tag: '薪酬',
    access: 'pay:read',
    params: z.object({ id: z.uuid('编号无效'), workerId: z.uuid('编号无效') }),
    query: ZPayExplainQuery,
    handler: async (c, { params, query }) =>
      explainPayLine(c.get('ctx'), params.id, params.workerId, query.forMonth),
  }),
  defineRoute({
    method: 'get',
    path: '/api/pay/workers/:id',
    summary: '一名工作者某月的等级与薪酬（按现有档案试算，含依据；不写入）',
    tag: '薪酬',
    access: 'pay:read',
    params: ZId,
    query: ZWorkerPayQuery,
    handler: async (c, { params, query }) => {
      const r = await workerPayForMonth(c.get('ctx'), params.id, query.month);
      return { line: toLineViewOfRow(r.line, r.explanation.name), explanation: r.explanation };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/pay/conversions',
    summary: '薪酬套改列表',
    tag: '薪酬',
    access: 'pay:read',
    query: z.object({
      org: z
        .string()
        .regex(/^\d{6,15}$/, '机构代码应为6–15位数字')
        .optional(),
    }),
    handler: async (c, { query }) => {
      const ctx = c.get('ctx');
      const node = await findOrgInScope(
        ctx.db,
        ctx.actor.scope,
        query.org ?? ctx.actor.scope.orgCode,
      );
      if (!node) throw new AppError('NOT_FOUND', `机构 ${query.org} 不存在`);
      return { items: await listConversions(ctx, node.path) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/pay/conversions',
    summary: '发起薪酬套改：按政策包新版本计算每名工作者套改前后（后台任务）',
    tag: '薪酬',
    access: 'pay:write',
    body: ZConversionCreate,
    status: 202,
    handler: async (c, { body }) => {
      const r = await createConversion(c.get('ctx'), body);
      return { id: r.id, jobId: r.jobId };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/pay/conversions/:id',
    summary: '薪酬套改：合计与每名工作者的前后对比',
    tag: '薪酬',
    access: 'pay:read',
    params: ZId,
    query: ZConversionLinesQuery,
    handler: async (c, { params, query }) => listConversionLines(c.get('ctx'), params.id, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/pay/conversions/:id/approve',
    summary: '审批薪酬套改：新薪酬写入人事档案；已锁定月份在下月补发',
    tag: '薪酬',
    access: 'workflow:approve',
    params: ZId,
    status: 202,
    handler: async (c, { params }) => {
      const r = await approveConversion(c.get('ctx'), params.id);
      return { jobId: r.jobId, lockedMonths: r.lockedMonths };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/pay/conversions/:id/export',
    summary: '导出薪酬套改表（后台任务）',
    tag: '薪酬',
    access: 'pay:read',
    params: ZId,
    body: ZFormat,
    status: 202,
    handler: async (c, { params, body }) => {
      const ctx = c.get('ctx');
      if (!(await findConversionInScope(ctx, params.id)))
        throw new AppError('NOT_FOUND', '套改不存在');
      const r = await startConversionExport(ctx, params.id, body.format);
      return { jobId: r.jobId };
    },
  }),
];
