import { loadConfig, openConfiguredDatabase, runMigrations } from '@shegong/server';
import { applyCitusLayout, CITUS_LAYOUT_FILE } from '@shegong/server/db/citus/citus.ts';
import { AppError } from '@shegong/shared';
import type { Command } from 'commander';

export const registerCitusSetupCommand = (program: Command): void => {
  program
    .command('citus-setup')
    .description(
      '在 Citus 集群的协调节点上建立分片布局（按县级代码 county_code 分片；机构树为参考表）',
    )
    .addHelpText(
      'after',
      `\nSQL 文件：${CITUS_LAYOUT_FILE}\n说明见 docs/operations.md「多机部署：Citus」。`,
    )
    .action(async () => {
      const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
      if (!config.DATABASE_URL) {
        throw new AppError(
          'CONFIG_INVALID',
          'Citus 布局只适用于 PostgreSQL：请设置 DATABASE_URL（协调节点）',
          {
            where: { key: 'DATABASE_URL' },
          },
        );
      }
      const database = await openConfiguredDatabase(config);
      try {
        await runMigrations(database);
        await applyCitusLayout(database.db);
        process.stdout.write(
          'Citus 分片布局已建立：worker、archive_item、org_fact 按 county_code 分片；org、org_move 为参考表\n',
        );
      } finally {
        await database.close();
      }
    });
};
