import { Readable } from 'node:stream';
import { AppError } from '@shegong/shared';
import type ExcelJS from 'exceljs';
import { rawCellOf, type TRawCell } from './cells.ts';
import { WorkbookReader } from './exceljs-reader.ts';
import { metadataFirst } from './zip-order.ts';

/** A row of a sheet: its name, the row number Excel shows, and its cells from column A. */
export type TSheetRow = { sheet: string; row: number; cells: TRawCell[] };

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

const CHUNK = 64 * 1024;

/** The file as a stream of chunks, counting the bytes the reader has taken (for progress). */
const countingStream = (file: Uint8Array, onBytes?: (read: number) => void) =>
  Readable.from(
    (function* () {
      for (let at = 0; at < file.length; at += CHUNK) {
        onBytes?.(at);
        yield Buffer.from(file.buffer, file.byteOffset + at, Math.min(CHUNK, file.length - at));
      }
      onBytes?.(file.length);
    })(),
  );

type TReaderInternals = {
  model?: { sheets?: { name: string; rId: string; state?: string }[] };
  workbookRels?: { Id: string; Target: string }[];
};

/** The sheet's name from workbook.xml (the streaming reader only knows `sheetN.xml`). */
const sheetInfo = (reader: TReaderInternals, id: number | string) => {
  const rel = reader.workbookRels?.find((r) => r.Target.endsWith(`worksheets/sheet${id}.xml`));
  const sheet = rel ? reader.model?.sheets?.find((s) => s.rId === rel.Id) : undefined;
  return {
    name: sheet?.name ?? `Sheet${id}`,
    hidden: sheet?.state === 'hidden' || sheet?.state === 'veryHidden',
  };
};

/**
 * Rows of every visible sheet of an .xlsx file, read with the ExcelJS streaming reader (memory
 * does not grow with the number of rows), or of a CSV file (UTF-8 with or without BOM, or GBK
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
  // Metadata first: the streaming reader needs workbook.xml and the shared strings before sheets.
  const reader = new WorkbookReader(countingStream(metadataFirst(file), options.onBytes), {
    sharedStrings: 'cache',
    // Styles tell which numbers are dates (their number format).
    styles: 'cache',
    worksheets: 'emit',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  try {
    for await (const worksheet of reader) {
      // `parse()` is what the sheet's row iterator reads: the rows of each chunk as events.
      const ws = worksheet as unknown as {
        id: number;
        parse: () => AsyncIterable<{ eventType: string; value: unknown }[]>;
      };
      const info = sheetInfo(reader as unknown as TReaderInternals, ws.id);
      for await (const events of ws.parse()) {
        // A hidden sheet is drained: the zip is read in order.
        if (info.hidden) continue;
        const rows: TSheetRow[] = [];
        for (const { eventType, value } of events) {
          if (eventType !== 'row') continue;
          const row = value as ExcelJS.Row;
          const values = row.values as unknown[];
          const cells: TRawCell[] = [];
          for (let i = 1; i < values.length; i++) cells.push(rawCellOf(values[i]));
          rows.push({ sheet: info.name, row: row.number, cells });
        }
        if (rows.length > 0) yield rows;
      }
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
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
