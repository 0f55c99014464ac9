import type { TImportBatchView, TImportIssue, TImportKind } from '@shegong/shared';
import { IMPORT_KIND_LABELS } from '@shegong/shared';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { TScope } from '../../context.ts';
import type { TDatabase, TExecutor } from '../../db/client.ts';
import { importBatch, importFile, importIssue } from '../../db/schema/index.ts';
import { pathInScope } from '../org/org-scope.ts';
import { copyInto } from './copy.ts';

export type TImportBatchRow = typeof importBatch.$inferSelect;

export const insertBatch = (db: TExecutor, row: typeof importBatch.$inferInsert) =>
  db.insert(importBatch).values(row);

export const updateBatch = (
  db: TExecutor,
  id: string,
  set: Partial<typeof importBatch.$inferInsert>,
) =>
  db
    .update(importBatch)
    .set({ ...set, updatedAt: new Date().toISOString() })
    .where(eq(importBatch.id, id));

/** A batch if its place lies in the caller's scope; undefined otherwise (→ 404). */
export const findBatchInScope = async (db: TExecutor, scope: TScope, id: string) =>
  (
    await db
      .select()
      .from(importBatch)
      .where(and(eq(importBatch.id, id), pathInScope(importBatch.orgPath, scope)))
      .limit(1)
  )[0];

/** The batches of the scope (or of a node inside it), newest first. */
export const listBatches = (
  db: TExecutor,
  scope: TScope,
  orgPath: string | undefined,
  limit: number,
) =>
  db
    .select()
    .from(importBatch)
    .where(
      and(
        pathInScope(importBatch.orgPath, scope),
        orgPath ? sql`${importBatch.orgPath} like ${`${orgPath}%`}` : undefined,
      ),
    )
    .orderBy(desc(importBatch.createdAt))
    .limit(limit);

export const saveFile = (db: TExecutor, batchId: string, contentCipher: string) =>
  db.insert(importFile).values({ batchId, contentCipher });

export const readFileCipher = async (db: TExecutor, batchId: string) =>
  (await db.select().from(importFile).where(eq(importFile.batchId, batchId)).limit(1))[0]
    ?.contentCipher;

/** Replaces a batch's issues (the last check or commit is what the report shows). */
export const replaceIssues = async (
  database: TDatabase,
  db: TExecutor,
  batchId: string,
  issues: TImportIssue[],
) => {
  await db.delete(importIssue).where(eq(importIssue.batchId, batchId));
  await copyInto(
    database,
    db,
    'import_issue',
    [
      'batch_id',
      'seq',
      'severity',
      'sheet',
      'row',
      'column_header',
      'column_letter',
      'field',
      'message',
    ],
    issues.map((i, n) => [
      batchId,
      n + 1,
      i.severity,
      i.sheet,
      i.row,
      i.column,
      i.columnLetter,
      i.field,
      i.message,
    ]),
  );
};

export const listIssues = (db: TExecutor, batchId: string, offset: number, limit: number) =>
  db
    .select()
    .from(importIssue)
    .where(and(eq(importIssue.batchId, batchId), sql`${importIssue.seq} > ${offset}`))
    .orderBy(asc(importIssue.seq))
    .limit(limit);

export const allIssues = async (db: TExecutor, batchId: string): Promise<TImportIssue[]> =>
  (
    await db
      .select()
      .from(importIssue)
      .where(eq(importIssue.batchId, batchId))
      .orderBy(asc(importIssue.seq))
  ).map(toIssue);

export const toIssue = (r: typeof importIssue.$inferSelect): TImportIssue => ({
  severity: r.severity as 'error' | 'warning',
  sheet: r.sheet,
  row: r.row,
  column: r.columnHeader,
  columnLetter: r.columnLetter,
  field: r.field,
  message: r.message,
});

export const toBatchView = (r: TImportBatchRow): TImportBatchView => ({
  id: r.id,
  kind: r.kind as TImportKind,
  kindLabel: IMPORT_KIND_LABELS[r.kind as TImportKind] ?? r.kind,
  fileName: r.fileName,
  fileSize: r.fileSize,
  status: r.status as TImportBatchView['status'],
  onError: r.onError as TImportBatchView['onError'],
  counts: {
    rows: r.rows,
    valid: r.valid,
    invalid: r.invalid,
    created: r.created,
    updated: r.updated,
    unchanged: r.unchanged,
    skipped: r.skipped,
  },
  errorCount: r.errorCount,
  warningCount: r.warningCount,
  createdBy: r.createdByName,
  createdAt: r.createdAt,
  committedAt: r.committedAt,
  jobId: r.jobId,
});
