import { ensureRootOrg } from '@shegong/server';
import { loadDemo } from '@shegong/server/demo/load-demo.ts';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { withServices } from './db-context.ts';

export const registerDemoCommand = (program: Command): void => {
  program
    .command('demo')
    .description('向空数据库载入确定性的演示数据（银川市、长春新区、温州市）')
    .option('-w, --workers <n>', '工作者人数', '3000')
    .option('-s, --seed <n>', '随机种子（相同种子生成相同数据）', '20240328')
    .action(async (opts: { workers: string; seed: string }) => {
      const workers = Number.parseInt(opts.workers, 10);
      const seed = Number.parseInt(opts.seed, 10);
      if (!Number.isFinite(workers) || workers < 1) throw new Error('--workers 必须是正整数');
      const bar = new SingleBar({
        format:
          '载入演示数据 [{bar}] {percentage}% | {value}/{total} 名工作者 | 剩余 {eta_formatted}',
        hideCursor: true,
      });
      const result = await withServices(async (ctx) => {
        await ensureRootOrg(ctx.services);
        bar.start(workers, 0);
        try {
          return await loadDemo(
            ctx.services.database,
            ctx.services.crypto,
            { workers, seed },
            (p) => bar.update(p.workers),
          );
        } finally {
          bar.stop();
        }
      });
      process.stdout.write(`完成：${result.orgs} 个机构节点，${result.workers} 名社区工作者\n`);
    });
};
