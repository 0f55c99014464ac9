import { loadConfig, openConfiguredDatabase, runMigrations, systemActor } from '@shegong/server';
import { writeAudit } from '@shegong/server/audit/audit.ts';
import {
  backupKindOf,
  checkBackupFile,
  restorePglite,
  restorePostgres,
} from '@shegong/server/ops/backup.ts';
import { diffFingerprints, tableFingerprints } from '@shegong/server/ops/fingerprint.ts';
import { AppError } from '@shegong/shared';
import type { Command } from 'commander';

const out = (line: string) => process.stdout.write(`${line}\n`);

export const registerRestoreCommand = (program: Command): void => {
  program
    .command('restore <file>')
    .description('从备份文件恢复整个数据库（覆盖当前数据；须先停止所有服务进程），并逐表核对')
    .option('-y, --yes', '确认覆盖当前数据库')
    .action(async (file: string, opts: { yes?: boolean }) => {
      if (!opts.yes) {
        throw new AppError(
          'BAD_REQUEST',
          '恢复会覆盖当前数据库的全部数据：确认无误后加 --yes 再运行',
        );
      }
      const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
      const manifest = await checkBackupFile(file);
      const kind = backupKindOf(file);
      const target = config.DATABASE_URL ? 'postgres' : 'pglite';
      if (kind !== target) {
        throw new AppError(
          'BAD_REQUEST',
          kind === 'pglite'
            ? '这是内嵌数据库（PGlite）的备份：请不设置 DATABASE_URL 恢复到数据目录'
            : '这是 PostgreSQL（pg_dump）备份：请设置 DATABASE_URL 后恢复',
          { where: { file } },
        );
      }
      const started = Date.now();
      if (kind === 'pglite') {
        const { previous } = await restorePglite(file, config.dataDir);
        if (previous) out(`原数据已保留在 ${previous}（确认无误后可删除）`);
      } else {
        await restorePostgres(file, config.DATABASE_URL!);
      }
      const database = await openConfiguredDatabase(config);
      try {
        if (manifest) {
          const diff = diffFingerprints(manifest.tables, await tableFingerprints(database.db));
          if (diff.length > 0) {
            throw new AppError(
              'CONFLICT',
              `恢复后的数据与备份清单不符：${diff.map((d) => d.table).join('、')}`,
            );
          }
          out(
            `已逐表核对：${Object.keys(manifest.tables).length} 张表的行数与内容哈希均与备份一致`,
          );
        } else {
          out('（没有找到清单文件，未逐表核对）');
        }
        // A backup of an older release is brought up to the current schema.
        await runMigrations(database);
        const actor = systemActor();
        await database.db.transaction((tx) =>
          writeAudit(tx, {
            actorId: null,
            actorName: actor.username,
            action: 'restore',
            entity: 'system',
            entityId: 'database',
            after: {
              file,
              sha256: manifest?.sha256 ?? null,
              backupCreatedAt: manifest?.createdAt ?? null,
            },
          }),
        );
      } finally {
        await database.close();
      }
      out(
        `恢复完成，用时 ${((Date.now() - started) / 1000).toFixed(1)} 秒。启动服务时须使用备份时的数据加密主密钥。`,
      );
    });
};
