import path from 'node:path';
import { verifyAuditChain } from '@shegong/server/audit/audit.ts';
import {
  archiveAudit,
  listCheckpoints,
  sealAudit,
  verifyArchiveFile,
} from '@shegong/server/modules/audit/checkpoint.ts';
import { AppError } from '@shegong/shared';
import type { Command } from 'commander';
import { withServices } from './db-context.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);

export const registerAuditCommand = (program: Command): void => {
  const audit = program
    .command('audit')
    .description('审计日志：校验、封存、归档（审计记录只增不改，没有删除命令）');

  audit
    .command('verify')
    .description('校验整条审计哈希链与签名检查点；链断裂时以非零状态退出')
    .option('--archive <file>', '同时校验一个归档文件（与其检查点的 SHA-256 与哈希链）')
    .action(async (opts: { archive?: string }) => {
      await withServices(async (ctx) => {
        const { db } = ctx.services.database;
        const result = await verifyAuditChain(db, { crypto: ctx.services.crypto });
        if (!result.ok) throw new AppError('CONFLICT', result.message);
        out(
          `审计链完整：${result.count} 条记录${result.firstSeq && result.firstSeq > 1 ? `（自第 ${result.firstSeq} 条起，之前的已归档）` : ''}，${result.checkpointCount ?? 0} 个检查点签名有效`,
        );
        if (opts.archive) {
          const name = path.basename(opts.archive);
          const cp = (await listCheckpoints(db)).find((c) => c.fileName === name);
          if (!cp) throw new AppError('NOT_FOUND', `没有文件名为 ${name} 的归档检查点`);
          const file = await verifyArchiveFile(opts.archive, cp);
          if (!file.ok) throw new AppError('CONFLICT', file.message);
          out(`归档文件完整：${file.rows} 条记录，至第 ${cp.throughSeq} 条`);
        }
      });
    });

  audit
    .command('seal')
    .description('封存：校验后为链头记录一个签名检查点（建议每日定时执行）')
    .action(async () => {
      await withServices(async (ctx) => {
        const cp = await sealAudit(ctx.services.database.db, ctx.services.crypto, 'cli');
        out(`已封存至第 ${cp.throughSeq} 条（${cp.rowCount} 条记录）`);
      });
    });

  audit
    .command('archive')
    .description(
      '归档：把保留期（AUDIT_RETENTION_DAYS）以前的审计记录导出为文件并记录签名检查点；不删除任何记录',
    )
    .requiredOption(
      '-o, --out <file>',
      '归档文件（gzip 压缩的 JSON Lines），例如 audit-2025H1.jsonl.gz',
    )
    .option('--through <date>', '只归档此日期（含）之前的记录，须早于保留期，例如 2025-06-30')
    .action(async (opts: { out: string; through?: string }) => {
      let through: Date | undefined;
      if (opts.through) {
        through = new Date(`${opts.through}T23:59:59.999+08:00`);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.through) || Number.isNaN(through.getTime())) {
          throw new AppError('VALIDATION_FAILED', '--through 应为 YYYY-MM-DD', {
            where: { field: 'through' },
          });
        }
      }
      await withServices(async (ctx) => {
        const result = await archiveAudit(ctx.services.database.db, ctx.services.crypto, {
          out: path.resolve(opts.out),
          retentionDays: ctx.services.config.AUDIT_RETENTION_DAYS,
          through,
          createdBy: 'cli',
        });
        out(
          `已归档第 ${result.fromSeq}–${result.throughSeq} 条（${result.rows} 条）到 ${result.file}\nSHA-256：${result.sha256}\n记录仍在数据库中；按 docs/operations.md 由数据库管理员移出。`,
        );
      });
    });
};
