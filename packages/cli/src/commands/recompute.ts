import type { TCtx } from '@shegong/server';
import { markInterruptedJobs, runJob, type TJobReporter } from '@shegong/server/jobs/jobs.ts';
import { findOrgInScope } from '@shegong/server/modules/org/org.repo.ts';
import { computePayRuns } from '@shegong/server/modules/pay/compute-pay-runs.ts';
import { AppError, ROLE_PERMISSIONS, ZPayMonth } from '@shegong/shared';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { withServices } from './db-context.ts';

const yuan = (fen: number) => `${(fen / 100).toFixed(2)}元`;
const out = (line: string) => process.stdout.write(`${line}\n`);

/**
 * The pay computation of `shegong recompute`, recorded as a `pay-compute` job like the server's
 * (same row, progress and heartbeat): a CLI process killed midway leaves the job running with a
 * dead owner, and the next recompute (or server start) marks it 'interrupted' and says so.
 */
export const recomputeAsJob = async (
  system: TCtx,
  org: string,
  month: string,
  report: TJobReporter,
  warn: (line: string) => void = out,
) => {
  const ctx = {
    ...system,
    actor: { ...system.actor, permissions: ROLE_PERMISSIONS['system-admin'] },
  };
  for (const j of await markInterruptedJobs(ctx.services.database.db)) {
    warn(`注意：上次的任务未完成，已标记为中断：${j.title}（开始于 ${j.createdAt}，任务 ${j.id}）`);
  }
  const node = await findOrgInScope(ctx.db, ctx.actor.scope, org);
  if (!node) throw new AppError('NOT_FOUND', `机构 ${org} 不存在`, { where: { field: 'org' } });
  return runJob(
    { ...ctx, actor: { ...ctx.actor, scope: { kind: 'org', path: node.path, orgCode: org } } },
    { kind: 'pay-compute', title: `计算${node.name} ${month} 工资发放表（命令行）` },
    (progress) =>
      computePayRuns(ctx, org, month, async (done, total, message) => {
        await progress(done, total, message);
        await report(done, total, message);
      }),
  );
};

export const registerRecomputeCommand = (program: Command): void => {
  program
    .command('recompute')
    .description('计算某月工资发放表：街道，或县、市、省下的全部街道（批量引擎；已锁定的不变）')
    .requiredOption('--org <code>', '机构代码（街道或以上）')
    .requiredOption('--month <yyyy-mm>', '月份')
    .action(async (opts: { org: string; month: string }) => {
      const month = ZPayMonth.safeParse(opts.month);
      if (!month.success) throw new AppError('VALIDATION_FAILED', '--month 应为 YYYY-MM');
      const bar = new SingleBar({
        format: '计算工资 [{bar}] {percentage}% | {value}/{total} 名工作者 | {message}',
        hideCursor: true,
      });
      let started = false;
      const { result } = await withServices(async (system) => {
        try {
          return await recomputeAsJob(
            system,
            opts.org,
            month.data,
            async (done, total, message) => {
              if (!started) {
                bar.start(total ?? done, 0, { message: '' });
                started = true;
              }
              if (total !== undefined) bar.setTotal(total);
              bar.update(done, { message: message ?? '' });
            },
          );
        } finally {
          bar.stop();
        }
      });
      out(
        `完成：${result.computed} 个街道、${result.workers} 名工作者，应发合计 ${yuan(result.totalFen)}` +
          `（补发扣回 ${result.arrearsLines} 条，未核定 ${result.openCount} 人）` +
          (result.locked.length ? `；已锁定未变：${result.locked.length} 个街道` : ''),
      );
    });
};
