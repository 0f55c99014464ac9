import fs from 'node:fs';
import path from 'node:path';
import { AppError, todayIso, ZBudgetRequest, ZWhatIfRequest } from '@shegong/shared';
import type { TCtx } from '../../context.ts';
import { defineRoute } from '../../http/route.ts';
import { startJob, type TJobReporter } from '../../jobs/jobs.ts';
import { newId } from '../../security/ids.ts';
import { findOrgInScope } from '../org/org.repo.ts';
import { writeBudgetWorkbook, writeWhatIfWorkbook } from './budget-xlsx.ts';
import { computeBudget } from './compute-budget.ts';
import { computeWhatIf, prepareWhatIf } from './what-if.ts';

/**
 * Runs a computation as a background job that also writes its workbook: the job's result holds
 * the view and the file (`/api/exports/:jobId/file` downloads it, as for every export).
 */
const startWithWorkbook = async <V>(
  ctx: TCtx,
  meta: { kind: string; title: string; fileName: string },
  run: (report: TJobReporter, out: fs.WriteStream) => Promise<V>,
) => {
  const dir = path.join(ctx.services.config.dataDir, 'exports');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const fileId = newId();
  const file = path.join(dir, `${fileId}.xlsx`);
  return startJob(
    ctx,
    { kind: `export-${meta.kind}`, title: meta.title, total: 100 },
    async (report) => {
      const out = fs.createWriteStream(file, { mode: 0o600 });
      // A failing file (the directory removed, the disk full) fails the job, not the process.
      let failure: Error | undefined;
      out.on('error', (error) => {
        failure = error;
      });
      try {
        const view = await run(report, out);
        if (failure) throw failure;
        return { fileId, fileName: meta.fileName, format: 'xlsx', view };
      } catch (error) {
        out.destroy();
        fs.rmSync(file, { force: true });
        throw error;
      }
    },
  );
};

const nodeOrFail = async (ctx: TCtx, org: string) => {
  const node = await findOrgInScope(ctx.db, ctx.actor.scope, org);
  if (!node) throw new AppError('NOT_FOUND', `机构 ${org} 不存在`, { where: { field: 'org' } });
  return node;
};

export const budgetRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/budget/projection',
    summary: '年度经费测算：各县薪酬、预算项目与分担（后台任务，批量引擎；结果含 Excel）',
    tag: '经费测算',
    access: 'pay:read',
    body: ZBudgetRequest,
    status: 202,
    handler: async (c, { body }) => {
      const ctx = c.get('ctx');
      const node = await nodeOrFail(ctx, body.org);
      const job = await startWithWorkbook(
        ctx,
        {
          kind: 'budget',
          title: `${node.name} ${body.year}年经费测算`,
          fileName: `${node.name}-${body.year}年经费测算-${todayIso()}.xlsx`,
        },
        async (report, out) => {
          const { view } = await computeBudget(ctx, body, report);
          await writeBudgetWorkbook(out, view);
          return view;
        },
      );
      return { jobId: job.id };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/budget/what-if',
    summary: '政策测算：草稿政策包与现行政策包对比（总额、各县、升降人数、职数变化；后台任务）',
    tag: '经费测算',
    access: 'pay:read',
    body: ZWhatIfRequest,
    status: 202,
    handler: async (c, { body }) => {
      const ctx = c.get('ctx');
      const node = await nodeOrFail(ctx, body.org);
      // The draft is checked now, so a wrong edit is answered at once with its place.
      prepareWhatIf(ctx, body);
      const job = await startWithWorkbook(
        ctx,
        {
          kind: 'what-if',
          title: `${node.name} ${body.year}年政策测算`,
          fileName: `${node.name}-${body.year}年政策测算-${todayIso()}.xlsx`,
        },
        async (report, out) => {
          const { view, diffs } = await computeWhatIf(ctx, body, report);
          await writeWhatIfWorkbook(out, view, diffs);
          return view;
        },
      );
      return { jobId: job.id };
    },
  }),
];
