import { PassThrough } from 'node:stream';
import type { TImportIssue, TImportKindSpec } from '@shegong/shared';
import ExcelJS from 'exceljs';
import type { TRawCell } from './cells.ts';
import { headerMatcher } from './parse-file.ts';
import { readRows, type TSheetRow } from './read-sheet.ts';

const HEADER_SCAN = 30;

const cellValue = (cell: TRawCell | undefined): ExcelJS.CellValue => {
  if (!cell) return null;
  switch (cell.kind) {
    case 'empty':
      return null;
    case 'text':
    case 'error':
      return cell.text;
    case 'number':
      return cell.value;
    case 'bool':
      return cell.value;
    case 'date':
      return cell.date;
  }
};

const collect = async (stream: PassThrough): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/**
 * The file as uploaded, with a column 错误说明 after the last one: each row's problems in
 * Chinese (and the file's own problems on the header row), written with the streaming writer.
 * Values are kept as read (text stays text, dates stay dates); layout styles are not.
 */
export const buildErrorReport = async (
  file: Uint8Array,
  fileName: string,
  spec: TImportKindSpec,
  issues: TImportIssue[],
): Promise<Buffer> => {
  const byRow = new Map<string, string[]>();
  for (const i of issues) {
    const key = `${i.sheet}|${i.row}`;
    const list = byRow.get(key) ?? [];
    list.push(i.severity === 'warning' ? `（提示）${i.message}` : i.message);
    byRow.set(key, list);
  }
  const match = headerMatcher(spec);
  const out = new PassThrough();
  const done = collect(out);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  let ws: ExcelJS.Worksheet | undefined;
  let sheet: string | undefined;
  let pending: TSheetRow[] = [];
  let errorCol = 0;
  let headerRow = 0;
  const red = { color: { argb: 'FFC00000' } };

  const writeRow = (row: TSheetRow) => {
    const r = ws!.getRow(row.row);
    row.cells.forEach((c, i) => {
      const v = cellValue(c);
      if (v !== null) {
        const cell = r.getCell(i + 1);
        cell.value = v;
        if (c.kind === 'date') cell.numFmt = 'yyyy-mm-dd';
      }
    });
    if (row.row === headerRow) {
      const cell = r.getCell(errorCol);
      cell.value = '错误说明';
      cell.font = { bold: true, ...red };
    }
    const messages = byRow.get(`${row.sheet}|${row.row}`);
    if (messages && !(row.row === headerRow && messages.length === 0)) {
      const cell = r.getCell(errorCol + (row.row === headerRow ? 1 : 0));
      cell.value = messages.join('；');
      cell.font = red;
    }
    r.commit();
  };

  const startSheet = () => {
    // The header is where the import found it: the best-matching of the first rows.
    let best = pending[0];
    let bestScore = -1;
    for (const row of pending) {
      const score = row.cells.filter((c) => c.kind === 'text' && match(c.text)).length;
      if (score > bestScore) {
        best = row;
        bestScore = score;
      }
    }
    headerRow = best?.row ?? 1;
    errorCol = Math.max(1, ...pending.map((r) => r.cells.length)) + 1;
    ws = wb.addWorksheet(sheet ?? 'Sheet1', { views: [{ state: 'frozen', ySplit: headerRow }] });
    ws.getColumn(errorCol).width = 60;
    for (const row of pending) writeRow(row);
    pending = [];
  };

  for await (const row of readRows(file, { fileName })) {
    if (row.sheet !== sheet) {
      if (sheet !== undefined) {
        if (!ws) startSheet();
        ws!.commit();
      }
      sheet = row.sheet;
      ws = undefined;
      pending = [];
    }
    if (!ws) {
      pending.push(row);
      if (pending.length >= HEADER_SCAN) startSheet();
      continue;
    }
    writeRow(row);
  }
  if (sheet !== undefined) {
    if (!ws) startSheet();
    ws!.commit();
  }
  // Problems of the file as a whole (row 0), on a sheet of their own.
  const general = issues.filter((i) => i.row === 0);
  if (general.length > 0) {
    const s = wb.addWorksheet('文件问题');
    s.addRow(['问题']).commit();
    for (const i of general) s.addRow([i.message]).commit();
    s.commit();
  }
  await wb.commit();
  return done;
};
