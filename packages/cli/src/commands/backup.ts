import path from 'node:path';
import { loadConfig, openConfiguredDatabase } from '@shegong/server';
import { backupDatabase } from '@shegong/server/ops/backup.ts';
import type { Command } from 'commander';

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');

export const registerBackupCommand = (program: Command): void => {
  program
    .command('backup')
    .description(
      '备份整个数据库到一个文件（内嵌库须先停止服务；PostgreSQL 可在线备份），并写出清单 <文件>.json',
    )
    .option('-o, --out <file>', '备份文件（默认 backups/shegong-<库类型>-<时间>.tar.gz 或 .dump）')
    .addHelpText(
      'after',
      '\n备份不含数据加密主密钥（SHEGONG_DATA_KEY 或数据目录中的 secret.key）：请另行安全保存，恢复时需要。',
    )
    .action(async (opts: { out?: string }) => {
      const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
      const kind = config.DATABASE_URL ? 'postgres' : 'pglite';
      const out = path.resolve(
        opts.out ?? `backups/shegong-${kind}-${stamp()}.${kind === 'pglite' ? 'tar.gz' : 'dump'}`,
      );
      const started = Date.now();
      // Opening PGlite takes the data-dir lock: a running server makes this fail clearly.
      const database = await openConfiguredDatabase(config);
      try {
        const manifest = await backupDatabase(database, { out, url: config.DATABASE_URL });
        const rows = Object.values(manifest.tables).reduce((s, t) => s + t.rows, 0);
        process.stdout.write(
          `备份完成：${out}\n${Object.keys(manifest.tables).length} 张表，${rows} 行，${(manifest.bytes / 1048576).toFixed(1)} MB，用时 ${((Date.now() - started) / 1000).toFixed(1)} 秒\nSHA-256：${manifest.sha256}\n`,
        );
      } finally {
        await database.close();
      }
    });
};
