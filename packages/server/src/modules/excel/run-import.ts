import crypto from 'node:crypto';
import {
  AppError,
  IMPORT_KIND_LABELS,
  IMPORT_SPECS,
  type TImportCounts,
  type TImportIssue,
  type TImportKind,
  type TImportOnError,
} from '@shegong/shared';
import { sql } from 'drizzle-orm';
import { writeAudit } from '../../audit/audit.ts';
import { inTransaction, type TCtx } from '../../context.ts';
import { newId } from '../../security/ids.ts';
import { findOrgInScope } from '../org/org.repo.ts';
import {
  findBatchInScope,
  insertBatch,
  readFileCipher,
  replaceIssues,
  saveFile,
  type TImportBatchRow,
  updateBatch,
} from './import.repo.ts';
import { archiveImporter } from './import-archive.ts';
import { orgImporter } from './import-orgs.ts';
import { workerImporter } from './import-workers.ts';
import type { TImporterFactory, TImportMode, TKindImporter } from './importer.ts';
import { issue, type TSheetLayout } from './parse-file.ts';
import { sniffFormat } from './read-sheet.ts';
import { readRecordBatchesInThread, warmReadThread } from './read-thread.ts';
import { recordChecks } from './record-checks.ts';

const IMPORTERS: Record<TImportKind, TImporterFactory> = {
  workers: workerImporter,
  communities: orgImporter('community'),
  grids: orgImporter('grid'),
  assessments: archiveImporter('assessment'),
  trainings: archiveImporter('training'),
};

export type TImportProgress = {
  phase: 'read' | 'check' | 'write';
  /** Percent of the file read (read), else 100. */
  percent: number;
  rows: number;
  message: string;
};

export type TImportOutcome = {
  batchId: string;
  status: 'checked' | 'committed' | 'rejected';
  counts: TImportCounts;
  errorCount: number;
  warningCount: number;
};

const MAX_FILE_BYTES = 50 * 1024 * 1024;

/** New workers from one file beyond which the table's statistics are refreshed. */
const ANALYZE_AFTER = 5000;

/**
 * Takes a file in for a node of the caller's scope: the batch row and the file (encrypted) are
 * stored; nothing else is written until a commit. Rows for places outside the node are errors.
 */
export const createImportBatch = async (
  ctx: TCtx,
  input: { kind: TImportKind; orgCode: string; fileName: string; file: Uint8Array },
): Promise<TImportBatchRow> => {
  if (input.file.length === 0) throw new AppError('BAD_REQUEST', '上传的文件是空的');
  if (input.file.length > MAX_FILE_BYTES) {
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      '文件过大（上限 50 MB）：请拆分后分批导入，或用 CSV 格式',
    );
  }
  sniffFormat(input.file);
  // Its check follows: a large file's reader thread loads its modules meanwhile.
  warmReadThread(input.file.length);
  const node = await findOrgInScope(ctx.db, ctx.actor.scope, input.orgCode);
  if (!node)
    throw new AppError('NOT_FOUND', `机构 ${input.orgCode} 不存在`, { where: { field: 'org' } });
  const id = newId();
  const row = {
    id,
    kind: input.kind,
    fileName: input.fileName.slice(0, 200) || `${IMPORT_KIND_LABELS[input.kind]}.xlsx`,
    fileSha256: crypto.createHash('sha256').update(input.file).digest('hex'),
    fileSize: input.file.length,
    status: 'checking',
    createdBy: ctx.actor.id,
    createdByName: ctx.actor.username,
    orgPath: node.path,
  };
  await inTransaction(ctx, async (tx) => {
    await insertBatch(tx.db, row);
    await saveFile(
      tx.db,
      id,
      ctx.services.crypto.encrypt(Buffer.from(input.file).toString('base64')),
    );
  });
  return (await findBatchInScope(ctx.db, ctx.actor.scope, id))!;
};

const loadBatch = async (ctx: TCtx, batchId: string) => {
  const batch = await findBatchInScope(ctx.services.database.db, ctx.actor.scope, batchId);
  if (!batch) throw new AppError('NOT_FOUND', '导入批次不存在');
  const cipher = await readFileCipher(ctx.services.database.db, batchId);
  if (!cipher) throw new AppError('NOT_FOUND', '导入文件已不存在，请重新上传');
  const file = Buffer.from(ctx.services.crypto.decrypt(cipher), 'base64');
  return { batch, file };
};

/** The caller narrowed to the batch's node: rows may only touch places under it. */
const batchCtx = (ctx: TCtx, batch: TImportBatchRow): TCtx => {
  const orgCode = batch.orgPath.split('/').filter(Boolean).at(-1) ?? ctx.actor.scope.orgCode;
  return { ...ctx, actor: { ...ctx.actor, scope: { kind: 'org', path: batch.orgPath, orgCode } } };
};

const sheetOrder = (issues: TImportIssue[]) => {
  const order = new Map<string, number>();
  for (const i of issues) if (!order.has(i.sheet)) order.set(i.sheet, order.size);
  return [...issues].sort(
    (a, b) => (order.get(a.sheet) ?? 0) - (order.get(b.sheet) ?? 0) || a.row - b.row,
  );
};

type TChecked = {
  counts: TImportCounts;
  issues: TImportIssue[];
  errorCount: number;
  warningCount: number;
  importer: TKindImporter;
};

/** A stop-on-error commit that met errors: thrown to roll the transaction back. */
class Rejected extends Error {
  constructor(readonly checked: TChecked) {
    super('import rejected');
  }
}

/** Reads the file through a kind's importer and checks it against the database. */
const readAndCheck = async (
  ctx: TCtx,
  batch: TImportBatchRow,
  file: Uint8Array,
  mode: TImportMode,
  reason: string,
  onProgress: (p: TImportProgress) => Promise<void> | void,
): Promise<TChecked> => {
  const kind = batch.kind as TImportKind;
  const spec = IMPORT_SPECS[kind];
  const importer = IMPORTERS[kind](ctx, batch.id, spec, mode);
  await importer.prepare(reason);
  const issues: TImportIssue[] = [];
  const invalidRows = new Set<string>();
  let rows = 0;
  let percent = 0;
  const layouts = new Map<string, TSheetLayout>();
  const checks = recordChecks(kind, spec);
  // A large file is read in a worker thread, which also runs the checks that need no database
  // (`record.checked`); the rest, and the writes, happen here.
  for await (const records of readRecordBatchesInThread(file, spec, {
    kind,
    rowCheck: importer.rowCheckData?.(),
    log: ctx.log,
    fileName: batch.fileName,
    issues,
    onBytes: (read) => {
      percent = Math.min(99, Math.floor((read / file.length) * 100));
    },
    onLayout: (layout) => {
      const missing = importer.checkColumns(layout);
      for (const message of missing) {
        issues.push(
          issue(layout.sheet, layout.headerRow, `工作表“${layout.sheet}”${message}，该表未导入`),
        );
      }
      layouts.set(layout.sheet, layout);
      return missing.length === 0;
    },
  })) {
    for (const record of records) {
      const layout = layouts.get(record.sheet)!;
      if (record.checked ? record.checked.example : checks.isExample(record)) {
        issues.push(checks.exampleIssue(record));
        continue;
      }
      rows++;
      if (!record.checked) checks.markRequired(record, layout);
      const added = importer.add(record, layout);
      const found = Array.isArray(added) ? added : await added;
      issues.push(...found);
      if (found.some((i) => i.severity === 'error'))
        invalidRows.add(`${record.sheet}|${record.row}`);
      if (rows % 500 === 0) {
        await onProgress({ phase: 'read', percent, rows, message: `已读取 ${rows} 行` });
      }
    }
  }
  await onProgress({
    phase: 'check',
    percent: 100,
    rows,
    message: `已读取 ${rows} 行，正在比对数据库`,
  });
  const checked = await importer.check();
  issues.push(...checked.issues);
  for (const i of checked.issues)
    if (i.severity === 'error') invalidRows.add(`${i.sheet}|${i.row}`);
  const sorted = sheetOrder(issues);
  const errorCount = sorted.filter((i) => i.severity === 'error').length;
  return {
    counts: {
      rows,
      valid: rows - invalidRows.size,
      invalid: invalidRows.size,
      created: checked.created,
      updated: checked.updated,
      unchanged: checked.unchanged,
      skipped: 0,
    },
    issues: sorted,
    errorCount,
    warningCount: sorted.length - errorCount,
    importer,
  };
};

const reportOf = (c: TChecked) => ({
  ...c.counts,
  errorCount: c.errorCount,
  warningCount: c.warningCount,
});

/**
 * Reads the batch's file, checks every row with the shared schemas and against the database,
 * and — for a commit — writes the valid rows. A dry run (`commit` undefined) writes nothing but
 * the report. A commit reads the file again inside one transaction (new records are written as
 * they are read): with `onError: 'stop'` any error rolls it all back; with `'skip'` the valid
 * rows are written and the invalid ones listed.
 */
export const runImport = async (
  ctx0: TCtx,
  batchId: string,
  commit: { onError: TImportOnError } | undefined,
  onProgress: (p: TImportProgress) => Promise<void> | void = () => {},
): Promise<TImportOutcome> => {
  const { batch, file } = await loadBatch(ctx0, batchId);
  // Its modules load while the batch is marked and the importer prepared.
  warmReadThread(file.length);
  if (commit && batch.status === 'committed') {
    throw new AppError('CONFLICT', '该批次已导入；如需再次导入，请重新上传文件');
  }
  const ctx = batchCtx(ctx0, batch);
  const { database } = ctx.services;
  const db = database.db;
  const kind = batch.kind as TImportKind;
  await updateBatch(db, batchId, {
    status: commit ? 'committing' : 'checking',
    ...(commit ? { onError: commit.onError } : {}),
  });
  try {
    if (!commit) {
      const checked = await readAndCheck(ctx, batch, file, { commit: false }, '', onProgress);
      await replaceIssues(database, db, batchId, checked.issues);
      await updateBatch(db, batchId, { status: 'checked', ...reportOf(checked) });
      return {
        batchId,
        status: 'checked',
        counts: checked.counts,
        errorCount: checked.errorCount,
        warningCount: checked.warningCount,
      };
    }
    const reason = `Excel 导入：${batch.fileName}（批次 ${batchId}）`;
    // Inside the transaction the outer database must not be awaited (PGlite has one connection):
    // progress goes out without waiting for it.
    const progress = (p: TImportProgress) => {
      Promise.resolve(onProgress(p)).catch(() => undefined);
    };
    try {
      const written = await inTransaction(ctx, async (tx) => {
        const checked = await readAndCheck(tx, batch, file, { commit: true }, reason, progress);
        if (commit.onError === 'stop' && checked.errorCount > 0) throw new Rejected(checked);
        progress({
          phase: 'write',
          percent: 100,
          rows: checked.counts.rows,
          message: '正在写入数据库',
        });
        const done = await checked.importer.apply();
        const final = { ...checked.counts, ...done, skipped: checked.counts.invalid };
        if (done.created + done.updated > 0) {
          // One audit row for the batch; a re-import that changes nothing adds none.
          await writeAudit(tx.db, {
            actorId: ctx.actor.id,
            actorName: ctx.actor.username,
            action: 'import',
            entity: 'import-batch',
            entityId: batchId,
            orgPath: batch.orgPath,
            after: {
              kind,
              fileName: batch.fileName,
              fileSha256: batch.fileSha256,
              onError: commit.onError,
              ...final,
            },
          });
        }
        await replaceIssues(database, tx.db, batchId, checked.issues);
        await updateBatch(tx.db, batchId, {
          status: 'committed',
          ...reportOf(checked),
          ...final,
          committedAt: new Date().toISOString(),
        });
        return { checked, final };
      });
      if (kind === 'workers' && written.final.created >= ANALYZE_AFTER) {
        // The planner's row estimates for scope prefixes are stale after a bulk load (see
        // docs/performance.md, registry list) until autovacuum gets to the table; and the new
        // rows' pages are not yet marked all-visible, so the list's name-search count reads the
        // heap (a page a match) instead of the index alone — PGlite has no autovacuum to mark
        // them (docs/performance.md, Load: the name-prefix list). The rows are committed, so
        // the answer does not wait for it (0.7–0.95 s at 100,000 rows): it runs right after.
        database.afterwards(
          () => db.execute(sql`vacuum (analyze) worker`),
          (error) => ctx.log.warn({ err: error, batchId }, '导入后整理职工表（vacuum）失败'),
        );
      }
      return {
        batchId,
        status: 'committed',
        counts: written.final,
        errorCount: written.checked.errorCount,
        warningCount: written.checked.warningCount,
      };
    } catch (error) {
      if (!(error instanceof Rejected)) throw error;
      const { checked } = error;
      await replaceIssues(database, db, batchId, checked.issues);
      await updateBatch(db, batchId, { status: 'rejected', ...reportOf(checked) });
      return {
        batchId,
        status: 'rejected',
        counts: checked.counts,
        errorCount: checked.errorCount,
        warningCount: checked.warningCount,
      };
    }
  } catch (error) {
    await updateBatch(db, batchId, { status: 'failed' }).catch(() => undefined);
    throw error;
  }
};
