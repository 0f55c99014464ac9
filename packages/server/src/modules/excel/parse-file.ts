import type { TImportColumn, TImportIssue, TImportKindSpec } from '@shegong/shared';
import { cellText, columnLetter, normalizeHeader, parseCell, type TRawCell } from './cells.ts';
import { readRowBatches, type TSheetRow } from './read-sheet.ts';

/** Rows looked at for the header (title rows, merged banners and notes may sit above it). */
const HEADER_SCAN = 30;

export type TMappedColumn = {
  index: number;
  header: string;
  letter: string;
  column: TImportColumn;
};

/** A data row with its cells read by column type; problems of single cells already found. */
export type TRecord = {
  sheet: string;
  row: number;
  /** Position in the file over all sheets. */
  seq: number;
  values: Record<string, unknown>;
  /** Fields whose cell could not be read (the message is in `issues`). */
  badFields: Set<string>;
  issues: TImportIssue[];
  /**
   * Set when the record was read in the reader's thread (`read-thread.ts`), which runs the
   * checks that need no database there: `example` — the template's example row; `row` — the
   * kind's own row check (`TKindImporter.rowCheckData`), whose result replaces `values`, `issues`
   * and `badFields` (left empty, not to be copied between the threads).
   */
  checked?: { example: boolean; row?: unknown };
};

export type TSheetLayout = {
  sheet: string;
  headerRow: number;
  columns: TMappedColumn[];
  byField: Map<string, TMappedColumn>;
};

type TMatcher = (header: string) => { column?: TImportColumn; ignored?: boolean } | undefined;

/** Matches a header cell to a column of the kind: exact, then without a bracketed note. */
export const headerMatcher = (spec: TImportKindSpec): TMatcher => {
  const known = new Map<string, TImportColumn>();
  for (const column of spec.columns) {
    for (const h of [column.header, ...column.synonyms]) {
      const key = normalizeHeader(h);
      if (!known.has(key)) known.set(key, column);
    }
  }
  const ignored = new Set(spec.ignored.map(normalizeHeader));
  return (header) => {
    const full = normalizeHeader(header);
    if (full === '') return undefined;
    for (const key of [full, full.replace(/\(.*\)$/, ''), full.replace(/^\d+[.、]/, '')]) {
      const column = known.get(key);
      if (column) return { column };
      if (ignored.has(key)) return { ignored: true };
    }
    return undefined;
  };
};

const rowScore = (row: TSheetRow, match: TMatcher) =>
  row.cells.reduce((n, c) => (c.kind === 'text' && match(c.text) ? n + 1 : n), 0);

export const issue = (
  sheet: string,
  row: number,
  message: string,
  where: {
    column?: TMappedColumn | undefined;
    field?: string;
    severity?: 'error' | 'warning';
  } = {},
): TImportIssue => ({
  severity: where.severity ?? 'error',
  sheet,
  row,
  column: where.column?.header ?? null,
  columnLetter: where.column?.letter ?? null,
  field: where.field ?? where.column?.column.field ?? null,
  message,
});

/** The columns of a header row; unknown and repeated headers become warnings. */
const layoutOf = (header: TSheetRow, match: TMatcher, issues: TImportIssue[]): TSheetLayout => {
  const columns: TMappedColumn[] = [];
  const byField = new Map<string, TMappedColumn>();
  header.cells.forEach((cell, i) => {
    const text = cellText(cell).trim();
    if (text === '') return;
    const letter = columnLetter(i + 1);
    const m = match(text);
    const at = { column: undefined, severity: 'warning' as const };
    if (!m) {
      issues.push({
        ...issue(header.sheet, header.row, `未识别的列“${text}”（${letter}列），已忽略`, at),
        column: text,
        columnLetter: letter,
      });
      return;
    }
    if (!m.column) return;
    const mapped = { index: i, header: text, letter, column: m.column };
    if (byField.has(m.column.field)) {
      const first = byField.get(m.column.field)!;
      issues.push(
        issue(
          header.sheet,
          header.row,
          `“${text}”（${letter}列）与“${first.header}”（${first.letter}列）是同一列，只读取${first.letter}列`,
          at,
        ),
      );
      return;
    }
    columns.push(mapped);
    byField.set(m.column.field, mapped);
  });
  return { sheet: header.sheet, headerRow: header.row, columns, byField };
};

const TOTAL_WORDS = new Set(['合计', '总计', '小计', '共计']);

const isBlank = (row: TSheetRow, layout: TSheetLayout) =>
  layout.columns.every((c) => {
    const cell = row.cells[c.index];
    return !cell || cell.kind === 'empty' || (cell.kind === 'text' && cell.text.trim() === '');
  });

const isTotalRow = (row: TSheetRow) =>
  row.cells.some((c) => c.kind === 'text' && TOTAL_WORDS.has(c.text.replace(/\s/g, '')));

export type TReadOptions = {
  fileName: string;
  issues: TImportIssue[];
  onBytes?: (read: number) => void;
  /** Called with each sheet's layout before its rows; returns false to skip the sheet (a
   * promise when the answer comes from another thread, see `read-thread.ts`). */
  onLayout?: (layout: TSheetLayout) => boolean | Promise<boolean>;
};

/**
 * Reads a file into records of a kind: finds each sheet's header among its first rows (below
 * any title rows), maps known headers and their variants, reports unknown columns, skips blank
 * and total rows, and parses every cell by its column's type. Sheets without a recognisable
 * header are skipped with a warning.
 */
export async function* readRecords(
  file: Uint8Array,
  spec: TImportKindSpec,
  options: TReadOptions,
): AsyncGenerator<TRecord> {
  for await (const records of readRecordBatches(file, spec, options)) yield* records;
}

/** `readRecords` a batch at a time (the records of a chunk of rows, see `readRowBatches`). */
export async function* readRecordBatches(
  file: Uint8Array,
  spec: TImportKindSpec,
  options: TReadOptions,
): AsyncGenerator<TRecord[]> {
  const match = headerMatcher(spec);
  const { issues } = options;
  let seq = 0;
  let sheet: string | undefined;
  let pending: TSheetRow[] = [];
  let layout: TSheetLayout | undefined;
  let skipSheet = false;
  let sheetsWithHeader = 0;

  const decideHeader = async (): Promise<void> => {
    let best: TSheetRow | undefined;
    let bestScore = 1;
    for (const row of pending) {
      const score = rowScore(row, match);
      if (score > bestScore) {
        best = row;
        bestScore = score;
      }
    }
    if (!best) {
      if (pending.some((r) => r.cells.some((c) => c.kind !== 'empty'))) {
        issues.push(
          issue(
            pending[0]!.sheet,
            0,
            `工作表“${pending[0]!.sheet}”中没有找到可识别的表头，已跳过`,
            {
              severity: 'warning',
            },
          ),
        );
      }
      skipSheet = true;
      pending = [];
      return;
    }
    layout = layoutOf(best, match, issues);
    sheetsWithHeader++;
    skipSheet = options.onLayout ? !(await options.onLayout(layout)) : false;
    pending = pending.filter((r) => r.row > best.row);
  };

  const toRecord = (row: TSheetRow, l: TSheetLayout): TRecord | undefined => {
    if (isBlank(row, l)) return undefined;
    const record: TRecord = {
      sheet: row.sheet,
      row: row.row,
      seq: ++seq,
      values: {},
      badFields: new Set(),
      issues: [],
    };
    for (const c of l.columns) {
      const cell: TRawCell = row.cells[c.index] ?? { kind: 'empty' };
      const parsed = parseCell(c.column.type, cell, c.column.values);
      if (parsed.ok) {
        if (parsed.value !== undefined) record.values[c.column.field] = parsed.value;
      } else {
        record.badFields.add(c.column.field);
        record.issues.push(
          issue(row.sheet, row.row, `${c.header}：${parsed.message}`, { column: c }),
        );
      }
    }
    return record;
  };

  /** Records of rows of the current sheet, appended to `out`. */
  const recordsOf = (rows: TSheetRow[], out: TRecord[]): void => {
    if (!layout || skipSheet) return;
    for (const r of rows) {
      // The key first: a total row has none, and looking for the words costs more.
      if (isKeyEmpty(r, layout) && isTotalRow(r)) continue;
      const rec = toRecord(r, layout);
      if (rec) out.push(rec);
    }
  };

  for await (const rows of readRowBatches(file, {
    fileName: options.fileName,
    onBytes: options.onBytes,
  })) {
    const out: TRecord[] = [];
    for (const row of rows) {
      if (row.sheet !== sheet) {
        if (sheet !== undefined && !layout && !skipSheet) await decideHeader();
        recordsOf(pending, out);
        sheet = row.sheet;
        pending = [];
        layout = undefined;
        skipSheet = false;
      }
      if (skipSheet) continue;
      if (!layout) {
        pending.push(row);
        if (pending.length < HEADER_SCAN) continue;
        await decideHeader();
        recordsOf(pending, out);
        pending = [];
        continue;
      }
      recordsOf([row], out);
    }
    if (out.length > 0) yield out;
  }
  if (sheet !== undefined && !layout && !skipSheet) await decideHeader();
  const rest: TRecord[] = [];
  recordsOf(pending, rest);
  if (rest.length > 0) yield rest;
  if (sheetsWithHeader === 0) {
    issues.push(
      issue(
        sheet ?? '',
        0,
        `文件中没有找到“${spec.label}”的表头（如“${spec.columns[0]!.header}”“${spec.columns[1]!.header}”）：请使用下载的模板`,
      ),
    );
  }
}

/** Whether the row's first required column is empty (a total row has no key). */
const isKeyEmpty = (row: TSheetRow, layout: TSheetLayout) => {
  const key = layout.columns.find((c) => c.column.required);
  if (!key) return true;
  const cell = row.cells[key.index];
  return !cell || cell.kind === 'empty';
};
