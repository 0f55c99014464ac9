import fs from 'node:fs';
import path from 'node:path';
import { allIssues, findBatchInScope } from '@shegong/server/modules/excel/import.repo.ts';
import { buildErrorReport } from '@shegong/server/modules/excel/report.ts';
import { createImportBatch, runImport } from '@shegong/server/modules/excel/run-import.ts';
import {
  AppError,
  IMPORT_BATCH_STATUS_LABELS,
  IMPORT_KIND_LABELS,
  IMPORT_KINDS,
  IMPORT_SPECS,
  type TImportKind,
} from '@shegong/shared';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { withServices } from './db-context.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);

type TImportOpts = { dryRun?: boolean; skipInvalid?: boolean; org: string; report?: string };

export const registerImportCommand = (program: Command): void => {
  program
    .command('import')
    .description('从 Excel（.xlsx）或 CSV 导入：先检查全部行，再一次性写入（全部有效行或全部不写）')
    .argument(
      '<kind>',
      `导入类型：${IMPORT_KINDS.map((k) => `${k}（${IMPORT_KIND_LABELS[k]}）`).join('、')}`,
    )
    .argument('<file>', '文件路径')
    .option('--dry-run', '只检查，不写入')
    .option('--skip-invalid', '跳过有误的行，导入其余有效行（默认：有任何错误则全部不导入）')
    .option('--org <code>', '导入到的机构（行中超出该机构的地点视为错误）', '000000')
    .option('--report <file>', '把错误报告（原文件加“错误说明”列）写到此文件')
    .action(async (kind: string, file: string, opts: TImportOpts) => {
      if (!IMPORT_KINDS.includes(kind as TImportKind)) {
        throw new AppError('VALIDATION_FAILED', `导入类型应为：${IMPORT_KINDS.join('、')}`);
      }
      if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', `文件不存在：${file}`);
      const bar = new SingleBar({
        format: '{phase} [{bar}] {percentage}% | {rows} 行 | 用时 {duration_formatted}',
        hideCursor: true,
      });
      const outcome = await withServices(async (ctx) => {
        const content = fs.readFileSync(file);
        const batch = await createImportBatch(ctx, {
          kind: kind as TImportKind,
          orgCode: opts.org,
          fileName: path.basename(file),
          file: content,
        });
        bar.start(100, 0, { phase: '读取', rows: 0 });
        let result: Awaited<ReturnType<typeof runImport>>;
        try {
          result = await runImport(
            ctx,
            batch.id,
            opts.dryRun ? undefined : { onError: opts.skipInvalid ? 'skip' : 'stop' },
            (p) =>
              bar.update(p.percent, {
                phase: { read: '读取', check: '比对', write: '写入' }[p.phase],
                rows: p.rows,
              }),
          );
          bar.update(100);
        } finally {
          bar.stop();
        }
        const issues = await allIssues(ctx.db, batch.id);
        if (opts.report) {
          const stored = await findBatchInScope(ctx.db, ctx.actor.scope, batch.id);
          fs.writeFileSync(
            opts.report,
            await buildErrorReport(
              content,
              stored!.fileName,
              IMPORT_SPECS[kind as TImportKind],
              issues,
            ),
          );
        }
        return { result, issues };
      });
      const { result, issues } = outcome;
      const c = result.counts;
      out(`批次 ${result.batchId}：${IMPORT_BATCH_STATUS_LABELS[result.status]}`);
      out(
        `共 ${c.rows} 行：有效 ${c.valid}，有误 ${c.invalid}；新增 ${c.created}，修改 ${c.updated}，无变化 ${c.unchanged}${c.skipped ? `，跳过 ${c.skipped}` : ''}`,
      );
      for (const i of issues.slice(0, 30)) {
        out(
          `  ${i.severity === 'error' ? '错误' : '提示'} ${i.sheet} 第${i.row}行${i.columnLetter ? ` ${i.columnLetter}列` : ''}：${i.message}`,
        );
      }
      if (issues.length > 30) out(`  ……另有 ${issues.length - 30} 条（用 --report 导出完整报告）`);
      if (result.status === 'rejected') {
        out('有错误，未导入任何数据：修正后重新导入，或加 --skip-invalid 只导入有效行');
        process.exitCode = 1;
      }
    });
};
