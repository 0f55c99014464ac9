import { rebuildStatRollup } from '@shegong/server/modules/stats/stat-maintenance.ts';
import type { Command } from 'commander';
import { withServices } from './db-context.ts';

export const registerStatsCommand = (program: Command): void => {
  const stats = program.command('stats').description('统计汇总表（stat_rollup）维护');
  stats
    .command('rebuild')
    .description('从工作者与机构数据重建统计汇总表（一个事务；绕过业务流程写入数据后使用）')
    .action(async () => {
      const result = await withServices(async (ctx) =>
        rebuildStatRollup(ctx.db, (done, total) => {
          process.stdout.write(`\r重建中：${done}/${total} 个县级单位`);
        }),
      );
      process.stdout.write(`\n完成：${result.rows} 行汇总，覆盖 ${result.workers} 名工作者\n`);
    });
};
