import type { Command } from 'commander';
import { withServices } from './db-context.ts';

export const registerMigrateCommand = (program: Command): void => {
  program
    .command('migrate')
    .description('对配置的数据库（内嵌 PGlite 或 DATABASE_URL）执行数据库迁移')
    .action(async () => {
      await withServices(async (ctx) => {
        process.stdout.write(`数据库迁移完成（${ctx.services.database.kind}）\n`);
      });
    });
};
