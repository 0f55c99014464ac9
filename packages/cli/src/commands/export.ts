import fs from 'node:fs';
import { exportRoster } from '@shegong/server/modules/excel/export-roster.ts';
import { exportStaffing } from '@shegong/server/modules/excel/export-staffing.ts';
import {
  AppError,
  EXPORT_KINDS,
  ROLE_PERMISSIONS,
  ROSTER_EXPORT_COLUMNS,
  ZRosterExport,
} from '@shegong/shared';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { withServices } from './db-context.ts';

type TExportOpts = { out: string; org?: string; status?: string; columns?: string; date?: string };

export const registerExportCommand = (program: Command): void => {
  program
    .command('export')
    .description(
      '导出 Excel 表格：roster（花名册）、staffing（配备明细表）；.csv 结尾则导出带 BOM 的 CSV',
    )
    .argument('<kind>', `导出类型：${EXPORT_KINDS.join('、')}`)
    .requiredOption('-o, --out <file>', '输出文件（.xlsx 或 .csv）')
    .option('--org <code>', '只导出该机构及其下级')
    .option('--status <status>', '只导出该状态的工作者（roster）')
    .option(
      '--columns <keys>',
      `导出列，逗号分隔（roster）：${ROSTER_EXPORT_COLUMNS.map((c) => `${c.key}=${c.header}`).join('、')}`,
    )
    .option('--date <yyyy-mm-dd>', '核定职数的日期（staffing，默认今天）')
    .action(async (kind: string, opts: TExportOpts) => {
      if (!(EXPORT_KINDS as readonly string[]).includes(kind)) {
        throw new AppError('VALIDATION_FAILED', `导出类型应为：${EXPORT_KINDS.join('、')}`);
      }
      const format = opts.out.toLowerCase().endsWith('.csv') ? 'csv' : 'xlsx';
      const bar = new SingleBar({
        format: '导出 [{bar}] {percentage}% | {value}/{total} 行 | 剩余 {eta_formatted}',
        hideCursor: true,
      });
      const result = await withServices(async (system) => {
        // The operator of the CLI holds the data key: the export shows what a system admin sees.
        const ctx = {
          ...system,
          actor: { ...system.actor, permissions: ROLE_PERMISSIONS['system-admin'] },
        };
        const stream = fs.createWriteStream(opts.out);
        let started = false;
        const progress = (done: number, total: number) => {
          if (!started) {
            bar.start(total, 0);
            started = true;
          }
          bar.update(done);
        };
        try {
          if (kind === 'roster') {
            const parsed = ZRosterExport.safeParse({
              org: opts.org,
              status: opts.status,
              columns: opts.columns?.split(',').map((s) => s.trim()),
              format,
            });
            if (!parsed.success)
              throw new AppError('VALIDATION_FAILED', parsed.error.issues[0]!.message);
            return await exportRoster(ctx, parsed.data, stream, progress);
          }
          return await exportStaffing(
            ctx,
            { org: opts.org, onDate: opts.date, format },
            stream,
            progress,
          );
        } finally {
          if (started) bar.stop();
        }
      });
      process.stdout.write(`完成：${result.rows} 行，已写入 ${opts.out}\n`);
    });
};
