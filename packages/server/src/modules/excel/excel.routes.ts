import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  AppError,
  EXPORT_KIND_LABELS,
  IMPORT_KIND_LABELS,
  IMPORT_SPECS,
  type TExportKind,
  type TImportKind,
  todayIso,
  ZImportCommit,
  ZImportIssuesQuery,
  ZImportKind,
  ZRosterExport,
  ZStaffingExport,
} from '@shegong/shared';
import { z } from 'zod';
import type { TCtx } from '../../context.ts';
import { defineRoute } from '../../http/route.ts';
import { findJobInScope, startJob } from '../../jobs/jobs.ts';
import { newId } from '../../security/ids.ts';
import { findOrgInScope } from '../org/org.repo.ts';
import { exportRoster } from './export-roster.ts';
import { exportStaffing } from './export-staffing.ts';
import {
  allIssues,
  findBatchInScope,
  listBatches,
  listIssues,
  readFileCipher,
  toBatchView,
  toIssue,
  updateBatch,
} from './import.repo.ts';
import { buildErrorReport } from './report.ts';
import { createImportBatch, runImport } from './run-import.ts';
import { buildTemplate } from './template.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A download with its Chinese file name (RFC 6266 / 5987). */
export const download = (body: Buffer | ReadableStream, fileName: string, type: string) =>
  new Response(body as BodyInit, {
    headers: {
      'Content-Type': type,
      'Content-Disposition': `attachment; filename="${encodeURIComponent(fileName).replace(/%/g, '_')}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
    },
  });

const ZIdParam = z.object({ id: z.uuid('编号无效') });
const ZOrgQuery = z
  .string()
  .regex(/^\d{6,15}$/, '机构代码应为6–15位数字')
  .optional();

/** Runs a check or commit as a background job, keeping the job id on the batch. */
const startImportJob = async (
  ctx: TCtx,
  batchId: string,
  fileName: string,
  commit: { onError: 'skip' | 'stop' } | undefined,
) => {
  const handle = await startJob(
    ctx,
    {
      kind: commit ? 'import-commit' : 'import-check',
      title: `${commit ? '导入' : '检查'}：${fileName}`,
      total: 100,
    },
    async (report) => runImport(ctx, batchId, commit, (p) => report(p.percent, 100, p.message)),
  );
  await updateBatch(ctx.services.database.db, batchId, { jobId: handle.id });
  return handle;
};

const exportsDir = (ctx: TCtx) => path.join(ctx.services.config.dataDir, 'exports');

/** Export files are kept a day for download, then removed with the next export. */
const sweepExports = (dir: string) => {
  const cutoff = Date.now() - 24 * 3_600_000;
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const file = path.join(dir, name);
    if (fs.statSync(file).mtimeMs < cutoff) fs.rmSync(file, { force: true });
  }
};

const startExportJob = async (
  ctx: TCtx,
  kind: TExportKind,
  format: 'xlsx' | 'csv',
  run: (
    out: fs.WriteStream,
    report: (done: number, total: number) => Promise<void>,
  ) => Promise<{ rows: number }>,
) => {
  const dir = exportsDir(ctx);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  sweepExports(dir);
  const fileId = newId();
  const file = path.join(dir, `${fileId}.${format}`);
  const fileName = `${EXPORT_KIND_LABELS[kind]}-${todayIso().replaceAll('-', '')}.${format}`;
  return startJob(
    ctx,
    { kind: `export-${kind}`, title: `导出${EXPORT_KIND_LABELS[kind]}` },
    async (report) => {
      const out = fs.createWriteStream(file, { mode: 0o600 });
      try {
        const { rows } = await run(out, (done, total) => report(done, total, `已写入 ${done} 行`));
        return { fileId, fileName, format, rows };
      } catch (error) {
        out.destroy();
        fs.rmSync(file, { force: true });
        throw error;
      }
    },
  );
};

export const excelRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/imports/templates/:kind',
    summary: '下载导入模板（.xlsx：中文表头、示例行、下拉选项）',
    tag: 'Excel 导入导出',
    access: 'import:run',
    params: z.object({ kind: ZImportKind }),
    handler: async (_c, { params }) =>
      download(
        await buildTemplate(params.kind),
        `${IMPORT_KIND_LABELS[params.kind]}导入模板.xlsx`,
        XLSX,
      ),
  }),
  defineRoute({
    method: 'post',
    path: '/api/imports',
    summary: '上传 Excel（.xlsx）或 CSV 文件并检查（试导入：不写入数据）',
    tag: 'Excel 导入导出',
    access: 'import:run',
    query: z.object({
      kind: ZImportKind,
      /** The node the file is for (default: the caller's own); rows elsewhere are errors. */
      org: ZOrgQuery,
      fileName: z.string().max(200).optional(),
    }),
    status: 202,
    handler: async (c, { query }) => {
      const ctx = c.get('ctx');
      const file = new Uint8Array(await c.req.arrayBuffer());
      const batch = await createImportBatch(ctx, {
        kind: query.kind,
        orgCode: query.org ?? ctx.actor.scope.orgCode,
        fileName: query.fileName ?? `${IMPORT_SPECS[query.kind].label}.xlsx`,
        file,
      });
      const job = await startImportJob(ctx, batch.id, batch.fileName, undefined);
      return { batch: toBatchView({ ...batch, jobId: job.id }), jobId: job.id };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/imports',
    summary: '导入批次列表（本辖区，最近200个）',
    tag: 'Excel 导入导出',
    access: 'import:run',
    query: z.object({ org: ZOrgQuery }),
    handler: async (c, { query }) => {
      const ctx = c.get('ctx');
      let orgPath: string | undefined;
      if (query.org) {
        const node = await findOrgInScope(ctx.db, ctx.actor.scope, query.org);
        if (!node) throw new AppError('NOT_FOUND', `机构 ${query.org} 不存在`);
        orgPath = node.path;
      }
      return { items: (await listBatches(ctx.db, ctx.actor.scope, orgPath, 200)).map(toBatchView) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/imports/:id',
    summary: '导入批次：状态、行数统计',
    tag: 'Excel 导入导出',
    access: 'import:run',
    params: ZIdParam,
    handler: async (c, { params }) => {
      const batch = await findBatchInScope(c.get('ctx').db, c.get('actor')!.scope, params.id);
      if (!batch) throw new AppError('NOT_FOUND', '导入批次不存在');
      return toBatchView(batch);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/imports/:id/issues',
    summary: '导入批次的问题清单（工作表、行、列、中文说明）',
    tag: 'Excel 导入导出',
    access: 'import:run',
    params: ZIdParam,
    query: ZImportIssuesQuery,
    handler: async (c, { params, query }) => {
      const { db } = c.get('ctx');
      const batch = await findBatchInScope(db, c.get('actor')!.scope, params.id);
      if (!batch) throw new AppError('NOT_FOUND', '导入批次不存在');
      const rows = await listIssues(db, batch.id, query.offset, query.limit);
      return {
        items: rows.map((r) => ({ seq: r.seq, ...toIssue(r) })),
        total: batch.errorCount + batch.warningCount,
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/imports/:id/report',
    summary: '下载错误报告：原文件加“错误说明”列',
    tag: 'Excel 导入导出',
    access: 'import:run',
    params: ZIdParam,
    handler: async (c, { params }) => {
      const ctx = c.get('ctx');
      const batch = await findBatchInScope(ctx.db, ctx.actor.scope, params.id);
      if (!batch) throw new AppError('NOT_FOUND', '导入批次不存在');
      const cipher = await readFileCipher(ctx.db, batch.id);
      if (!cipher) throw new AppError('NOT_FOUND', '导入文件已不存在');
      const file = Buffer.from(ctx.services.crypto.decrypt(cipher), 'base64');
      const report = await buildErrorReport(
        file,
        batch.fileName,
        IMPORT_SPECS[batch.kind as TImportKind],
        await allIssues(ctx.db, batch.id),
      );
      const base = batch.fileName.replace(/\.(xlsx|csv|txt)$/i, '');
      return download(report, `${base}-错误报告.xlsx`, XLSX);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/imports/:id/commit',
    summary: '正式导入（全部有效行或全部不导入，由 onError 决定）',
    tag: 'Excel 导入导出',
    access: 'import:run',
    params: ZIdParam,
    body: ZImportCommit,
    status: 202,
    handler: async (c, { params, body }) => {
      const ctx = c.get('ctx');
      const batch = await findBatchInScope(ctx.db, ctx.actor.scope, params.id);
      if (!batch) throw new AppError('NOT_FOUND', '导入批次不存在');
      if (batch.status === 'committed') {
        throw new AppError('CONFLICT', '该批次已导入；如需再次导入，请重新上传文件');
      }
      if (batch.status === 'checking' || batch.status === 'committing') {
        throw new AppError('CONFLICT', '该批次正在处理中，请稍候');
      }
      const job = await startImportJob(ctx, batch.id, batch.fileName, body);
      return { jobId: job.id };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/exports/roster',
    summary: '导出花名册（选择列；无权查看者身份证号、手机号打码）',
    tag: 'Excel 导入导出',
    access: 'worker:read',
    body: ZRosterExport,
    status: 202,
    handler: async (c, { body }) => {
      const ctx = c.get('ctx');
      if (body.org && !(await findOrgInScope(ctx.db, ctx.actor.scope, body.org))) {
        throw new AppError('NOT_FOUND', `机构 ${body.org} 不存在`, { where: { field: 'org' } });
      }
      const job = await startExportJob(ctx, 'roster', body.format, (out, report) =>
        exportRoster(ctx, body, out, report),
      );
      return { jobId: job.id };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/exports/staffing',
    summary: '导出社区工作者配备明细表（职数与实有人数，分社区、分县）',
    tag: 'Excel 导入导出',
    access: 'quota:read',
    body: ZStaffingExport,
    status: 202,
    handler: async (c, { body }) => {
      const ctx = c.get('ctx');
      if (body.org && !(await findOrgInScope(ctx.db, ctx.actor.scope, body.org))) {
        throw new AppError('NOT_FOUND', `机构 ${body.org} 不存在`, { where: { field: 'org' } });
      }
      const job = await startExportJob(ctx, 'staffing', body.format, (out, report) =>
        exportStaffing(ctx, body, out, report),
      );
      return { jobId: job.id };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/exports/:id/file',
    summary: '下载导出文件（导出任务完成后24小时内）',
    tag: 'Excel 导入导出',
    access: 'authenticated',
    params: ZIdParam,
    handler: async (c, { params }) => {
      const ctx = c.get('ctx');
      const job = await findJobInScope(ctx, params.id);
      // Only the user who asked for an export downloads it.
      if (!job || job.createdBy !== ctx.actor.id || !job.kind.startsWith('export-')) {
        throw new AppError('NOT_FOUND', '导出任务不存在');
      }
      if (job.status !== 'succeeded') throw new AppError('CONFLICT', '导出尚未完成');
      const result = job.result as { fileId: string; fileName: string; format: 'xlsx' | 'csv' };
      const file = path.join(exportsDir(ctx), `${result.fileId}.${result.format}`);
      if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', '导出文件已过期，请重新导出');
      return download(
        Readable.toWeb(fs.createReadStream(file)) as ReadableStream,
        result.fileName,
        result.format === 'csv' ? 'text/csv; charset=utf-8' : XLSX,
      );
    },
  }),
];
