import type { TImportIssue, TImportKindSpec } from '@shegong/shared';
import type { z } from 'zod';
import type { TCtx } from '../../context.ts';
import { issue, type TRecord, type TSheetLayout } from './parse-file.ts';

/** A check (dry run: nothing is written) or a commit (inside the commit's transaction). */
export type TImportMode = { commit: boolean };

/**
 * What a kind's importer does with the records of a file. At a commit the importer's `ctx.db`
 * is the commit's transaction: the whole file is read, checked and written in it.
 */
export type TKindImporter = {
  /** Problems of a sheet's columns (a required column missing): the sheet cannot be read. */
  checkColumns: (layout: TSheetLayout) => string[];
  /** Loads what row checks need (the org tree of the scope, …); `reason` goes on audit rows. */
  prepare: (reason: string) => Promise<void>;
  /** After `prepare`: the data of the kind's row check, for the reader's thread
   * (`ROW_CHECKS` of read-thread-worker.ts), which then gives `add` records with `checked.row`. */
  rowCheckData?: () => unknown;
  /** Checks one record; a valid one is kept (or, at a commit, may be written already). Returns
   * its problems — a promise only when it had to wait (bulk importers: an await per row of a
   * 100,000-row file costs more than the row's checks). */
  add: (record: TRecord, layout: TSheetLayout) => TImportIssue[] | Promise<TImportIssue[]>;
  /** Checks against the database after all rows; returns row problems (those rows are dropped)
   * and what a commit does. */
  check: () => Promise<{
    issues: TImportIssue[];
    created: number;
    updated: number;
    unchanged: number;
  }>;
  /** Commit only: writes what is left (with the audit rows), in the commit's transaction. */
  apply: () => Promise<{ created: number; updated: number; unchanged: number }>;
};

export type TImporterFactory = (
  ctx: TCtx,
  batchId: string,
  spec: TImportKindSpec,
  mode: TImportMode,
) => TKindImporter;

/** Zod issues of a record as import issues on the record's columns. */
export const zodIssues = (
  record: TRecord,
  layout: TSheetLayout,
  spec: TImportKindSpec,
  error: z.ZodError,
  fieldAlias: Record<string, string[]> = {},
): TImportIssue[] => {
  const out: TImportIssue[] = [];
  const seen = new Set<string>();
  for (const zi of error.issues) {
    const field = String(zi.path[0] ?? '');
    if (record.badFields.has(field)) continue;
    const column =
      layout.byField.get(field) ??
      (fieldAlias[field] ?? []).map((f) => layout.byField.get(f)).find(Boolean);
    const label = column?.header ?? spec.columns.find((c) => c.field === field)?.header ?? field;
    const message = `${label}：${zi.message}`;
    if (seen.has(message)) continue;
    seen.add(message);
    out.push(issue(record.sheet, record.row, message, { column, field }));
  }
  return out;
};

/** Missing required columns of a sheet, as messages. */
export const missingColumns = (
  layout: TSheetLayout,
  spec: TImportKindSpec,
  oneOf: string[][] = [],
): string[] => {
  const messages: string[] = [];
  const inGroup = new Set(oneOf.flat());
  for (const c of spec.columns) {
    if (c.required && !inGroup.has(c.field) && !layout.byField.has(c.field)) {
      messages.push(`缺少必填列“${c.header}”`);
    }
  }
  for (const group of oneOf) {
    if (!group.some((f) => layout.byField.has(f))) {
      const names = group.map((f) => `“${spec.columns.find((c) => c.field === f)?.header ?? f}”`);
      messages.push(`缺少必填列：${names.join('或')}至少填一列`);
    }
  }
  return messages;
};
