import type { Writable } from 'node:stream';
import type { TExportFormat } from '@shegong/shared';
import ExcelJS from 'exceljs';

export type TColumnType = 'text' | 'date' | 'int' | 'money' | 'bool';
export type TTableColumn = { header: string; type: TColumnType; width?: number };
export type TCellOut = string | number | boolean | null | undefined;

/** Rows per sheet: Excel's 1,048,576 less the header. */
export const XLSX_MAX_ROWS = 1_048_575;

const NUM_FMT: Partial<Record<TColumnType, string>> = {
  text: '@',
  date: 'yyyy-mm-dd',
  int: '0',
  // Money is integer fen in the data; the sheet shows yuan with two decimals.
  money: '#,##0.00',
};

const csvField = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

const toCsv = (type: TColumnType, v: TCellOut): string => {
  if (v === null || v === undefined || v === '') return '';
  if (type === 'money') {
    const fen = Number(v);
    const sign = fen < 0 ? '-' : '';
    const abs = Math.abs(fen);
    return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  }
  if (type === 'bool') return v ? '是' : '否';
  return csvField(String(v));
};

const toXlsx = (type: TColumnType, v: TCellOut): ExcelJS.CellValue => {
  if (v === null || v === undefined || v === '') return null;
  switch (type) {
    case 'money':
      return Number(v) / 100;
    case 'bool':
      return v ? '是' : '否';
    case 'date':
      return new Date(`${String(v)}T00:00:00Z`);
    case 'int':
      return Number(v);
    default:
      return String(v);
  }
};

export type TTableWriter = {
  addRow: (values: readonly TCellOut[]) => void;
  /** Starts a new sheet (xlsx) — e.g. a summary after the detail; CSV takes one table only. */
  addSheet: (name: string, columns: readonly TTableColumn[]) => void;
  finish: () => Promise<void>;
  rows: () => number;
};

/**
 * A table written as it is produced: .xlsx through the ExcelJS streaming writer (Chinese
 * headers, frozen header row, formats set per column — no per-cell styles, so a million rows
 * stay cheap — and a new sheet every 1,048,575 rows), or CSV with a UTF-8 BOM so Excel opens
 * the Chinese text correctly.
 */
export const createTableWriter = (
  stream: Writable,
  format: TExportFormat,
  sheetName: string,
  columns: readonly TTableColumn[],
  /** Rows per sheet (tests lower it to see the split). */
  maxRows = XLSX_MAX_ROWS,
): TTableWriter => {
  let total = 0;
  if (format === 'csv') {
    stream.write('\ufeff');
    stream.write(`${columns.map((c) => csvField(c.header)).join(',')}\r\n`);
    let buffer = '';
    return {
      addRow: (values) => {
        buffer += `${columns.map((c, i) => toCsv(c.type, values[i])).join(',')}\r\n`;
        total++;
        if (buffer.length > 64 * 1024) {
          stream.write(buffer);
          buffer = '';
        }
      },
      addSheet: () => {},
      finish: async () => {
        await new Promise<void>((resolve, reject) => {
          stream.end(buffer, () => resolve());
          stream.once('error', reject);
        });
      },
      rows: () => total,
    };
  }
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream,
    useStyles: true,
    useSharedStrings: false,
  });
  let ws: ExcelJS.Worksheet | undefined;
  let current = columns;
  let name = sheetName;
  let part = 0;
  let inSheet = 0;
  const open = () => {
    part++;
    ws = wb.addWorksheet(part === 1 ? name : `${name}（${part}）`, {
      views: [{ state: 'frozen', ySplit: 1 }],
    });
    ws.columns = current.map((c) => ({
      header: c.header,
      width: c.width ?? Math.max(10, c.header.length * 2 + 4),
      style: NUM_FMT[c.type] ? { numFmt: NUM_FMT[c.type] } : {},
    }));
    const header = ws.getRow(1);
    header.font = { bold: true };
    header.alignment = { vertical: 'middle', horizontal: 'center' };
    header.commit();
    inSheet = 0;
  };
  open();
  return {
    addRow: (values) => {
      if (inSheet >= maxRows) {
        ws!.commit();
        open();
      }
      ws!.addRow(current.map((c, i) => toXlsx(c.type, values[i]))).commit();
      inSheet++;
      total++;
    },
    addSheet: (sheet, cols) => {
      ws!.commit();
      current = cols;
      name = sheet;
      part = 0;
      open();
    },
    finish: async () => {
      ws!.commit();
      await wb.commit();
    },
    rows: () => total,
  };
};
