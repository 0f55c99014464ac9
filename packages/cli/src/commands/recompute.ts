import { computePayRuns } from '@shegong/server/modules/pay/compute-pay-runs.ts';
import { AppError, ROLE_PERMISSIONS, ZPayMonth } from '@shegong/shared';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { withServices } from './db-context.ts';

const yuan = (fen: number) => `${(fen / 100).toFixed(2)}元`;

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
      const result = await withServices(async (system) => {
        const ctx = {
          ...system,
          actor: { ...system.actor, permissions: ROLE_PERMISSIONS['system-admin'] },
        };
        try {
          return await computePayRuns(ctx, opts.org, month.data, async (done, total, message) => {
            if (!started) {
              bar.start(total ?? done, 0, { message: '' });
              started = true;
            }
            if (total !== undefined) bar.setTotal(total);
            bar.update(done, { message: message ?? '' });
          });
        } finally {
          bar.stop();
        }
      });
      process.stdout.write(
        `完成：${result.computed} 个街道、${result.workers} 名工作者，应发合计 ${yuan(result.totalFen)}` +
          `（补发扣回 ${result.arrearsLines} 条，未核定 ${result.openCount} 人）` +
          (result.locked.length ? `；已锁定未变：${result.locked.length} 个街道` : '') +
          '\n',
      );
    });
};
