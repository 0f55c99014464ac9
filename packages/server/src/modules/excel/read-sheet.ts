import { AppError } from '@shegong/shared';
import { rawCellOf } from './cells.ts';
import { openXlsx, type TXlsxRow } from './xlsx-reader.ts';

/** A row of a sheet: its name, the row number Excel shows, and its cells from column A. */
export type TSheetRow = TXlsxRow;

export type TFileFormat = 'xlsx' | 'csv';

/** The format by content, not by name: a .xlsx is a zip (PK), an old .xls an OLE2 file. */
export const sniffFormat = (file: Uint8Array): TFileFormat => {
  if (file[0] === 0x50 && file[1] === 0x4b) return 'xlsx';
  if (file[0] === 0xd0 && file[1] === 0xcf && file[2] === 0x11 && file[3] === 0xe0) {
    throw new AppError(
      'BAD_REQUEST',
      '不支持旧版 Excel 97-2003（.xls）文件：请在 Excel 中“另存为”Excel 工作簿（.xlsx）后上传',
      { where: { file: '' } },
    );
  }
  return 'csv';
};

/**
 * Rows of every visible sheet of an .xlsx file, in the workbook's order, read by `openXlsx`
 * (memory does not grow with the number of rows), or of a CSV file (UTF-8 with or without BOM, or GBK
 * as Excel saves it on Chinese Windows).
 */
export async function* readRows(
  file: Uint8Array,
  options: { fileName: string; onBytes?: (read: number) => void },
): AsyncGenerator<TSheetRow> {
  for await (const rows of readRowBatches(file, options)) yield* rows;
}

/**
 * `readRows` a batch at a time: the rows of each inflated chunk of a sheet (a few hundred) come
 * as one array. An async step per row costs more than reading the row's cells, so bulk readers
 * take the batches.
 */
export async function* readRowBatches(
  file: Uint8Array,
  options: { fileName: string; onBytes?: (read: number) => void },
): AsyncGenerator<TSheetRow[]> {
  if (sniffFormat(file) === 'csv') {
    let batch: TSheetRow[] = [];
    for await (const row of readCsvRows(file, options)) {
      batch.push(row);
      if (batch.length >= 500) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
    return;
  }
  try {
    const sheets = await openXlsx(file);
    const total = sheets.reduce((n, s) => n + s.bytes, 0) || 1;
    let done = 0;
    for (const sheet of sheets) {
      // A hidden sheet is not read at all.
      if (!sheet.hidden) {
        const at = done;
        yield* sheet.rows((read) =>
          options.onBytes?.(Math.round(((at + read) / total) * file.length)),
        );
      }
      done += sheet.bytes;
      options.onBytes?.(Math.round((done / total) * file.length));
    }
  } catch (error) {
    if (error instanceof AppError) {
      if (error.where?.file !== undefined) throw error;
      throw new AppError(error.code, error.message, {
        where: { file: options.fileName, ...error.where },
        issues: error.issues,
        cause: error,
      });
    }
    throw new AppError('BAD_REQUEST', '文件无法读取：不是有效的 Excel（.xlsx）文件，或文件已损坏', {
      where: { file: options.fileName },
      cause: error,
    });
  }
}

const decode = (file: Uint8Array): string => {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(file).replace(/^\ufeff/, '');
  } catch {
    return new TextDecoder('gb18030').decode(file);
  }
};

/** RFC 4180 CSV (quotes, doubled quotes, line breaks inside quotes); tab-separated if the
 * first line has tabs and no commas. */
async function* readCsvRows(
  file: Uint8Array,
  options: { fileName: string; onBytes?: (read: number) => void },
): AsyncGenerator<TSheetRow> {
  const text = decode(file);
  const firstLine = text.slice(0, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n'));
  const sep = firstLine.includes('\t') && !firstLine.includes(',') ? '\t' : ',';
  const sheet = options.fileName.replace(/\.[^.]*$/, '') || 'CSV';
  let row = 0;
  let field = '';
  let fields: string[] = [];
  let quoted = false;
  let i = 0;
  const toRow = (): TSheetRow => ({
    sheet,
    row,
    cells: fields.map((f) => rawCellOf(f)),
  });
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === sep) {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      field = '';
      row++;
      yield toRow();
      fields = [];
      if (row % 2000 === 0) options.onBytes?.(Math.round((i / text.length) * file.length));
    } else field += ch;
    i++;
  }
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    row++;
    yield toRow();
  }
  options.onBytes?.(file.length);
}
