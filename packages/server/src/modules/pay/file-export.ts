import fs from 'node:fs';
import path from 'node:path';
import type { TExportFormat } from '@shegong/shared';
import type { TCtx } from '../../context.ts';
import { startJob } from '../../jobs/jobs.ts';
import { newId } from '../../security/ids.ts';

/**
 * A large table written as a background job into `DATA_DIR/exports`, downloaded by its owner
 * through `/api/exports/:jobId/file` (kind `export-…`, result `{ fileId, fileName, format }`) —
 * the same contract as the roster and 配备明细表 exports.
 */
export const startFileExport = (
  ctx: TCtx,
  meta: { kind: string; title: string; fileName: string; format: TExportFormat },
  run: (
    out: fs.WriteStream,
    report: (done: number, total: number) => Promise<void>,
  ) => Promise<{ rows: number }>,
) => {
  const dir = path.join(ctx.services.config.dataDir, 'exports');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const fileId = newId();
  const file = path.join(dir, `${fileId}.${meta.format}`);
  return startJob(ctx, { kind: `export-${meta.kind}`, title: meta.title }, async (report) => {
    const out = fs.createWriteStream(file, { mode: 0o600 });
    // A failing file (the directory removed, the disk full) fails the job, not the process.
    let failure: Error | undefined;
    out.on('error', (error) => {
      failure = error;
    });
    try {
      const { rows } = await run(out, (done, total) => report(done, total, `已写入 ${done} 行`));
      if (failure) throw failure;
      return { fileId, fileName: meta.fileName, format: meta.format, rows };
    } catch (error) {
      out.destroy();
      fs.rmSync(file, { force: true });
      throw error;
    }
  });
};
