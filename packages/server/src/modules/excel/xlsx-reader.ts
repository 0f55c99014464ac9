import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import zlib from 'node:zlib';
import { AppError } from '@shegong/shared';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { EMPTY_CELL, type TRawCell } from './cells.ts';
import { sheetScanner } from './sheet-scanner.ts';

// The import's .xlsx reader: the zip's central directory gives each entry, the workbook's
// metadata (sheet names and states, relationships, number formats, shared strings) is read
// whole, and each visible sheet is inflated a chunk at a time into saxes (the XML parser ExcelJS
// itself uses), whose events become plain cells — no row, cell or style objects, which were most
// of the ExcelJS streaming reader's time and garbage (docs/performance.md, Import). The entries
// are found by the directory, so their order in the zip does not matter (exceljs/exceljs#3064),
// and a character split across two inflated chunks is decoded whole (exceljs/exceljs#2084).
// ExcelJS stays for writing: exports, templates and the error report.

/** A row as read: its sheet's name, the row number Excel shows, and its cells from column A. */
export type TXlsxRow = { sheet: string; row: number; cells: TRawCell[] };

type TEntry = { name: string; method: number; compressed: number; size: number; data: number };

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const END64 = 0x06064b50;
const END64_LOCATOR = 0x07064b50;

export class XlsxFormatError extends Error {}

/** The entries of a zip by name, from its central directory (zip64 too). */
const zipEntries = (zip: Buffer): Map<string, TEntry> => {
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === END) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new XlsxFormatError('no end of central directory');
  let count = zip.readUInt16LE(end + 10);
  let cdOffset = zip.readUInt32LE(end + 16);
  if ((count === 0xffff || cdOffset === 0xffffffff) && end >= 20) {
    if (zip.readUInt32LE(end - 20) === END64_LOCATOR) {
      const at = Number(zip.readBigUInt64LE(end - 12));
      if (zip.readUInt32LE(at) !== END64) throw new XlsxFormatError('bad zip64 end');
      count = Number(zip.readBigUInt64LE(at + 32));
      cdOffset = Number(zip.readBigUInt64LE(at + 48));
    }
  }
  const entries = new Map<string, TEntry>();
  let at = cdOffset;
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== CENTRAL) throw new XlsxFormatError('bad central directory');
    const method = zip.readUInt16LE(at + 10);
    let compressed = zip.readUInt32LE(at + 20);
    let size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    let offset = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    // Zip64: the sizes and offset that do not fit are in the extra field 0x0001, in this order.
    let x = at + 46 + nameLength;
    const xEnd = x + extraLength;
    while (x + 4 <= xEnd) {
      const id = zip.readUInt16LE(x);
      const len = zip.readUInt16LE(x + 2);
      if (id === 0x0001) {
        let v = x + 4;
        if (size === 0xffffffff) {
          size = Number(zip.readBigUInt64LE(v));
          v += 8;
        }
        if (compressed === 0xffffffff) {
          compressed = Number(zip.readBigUInt64LE(v));
          v += 8;
        }
        if (offset === 0xffffffff) offset = Number(zip.readBigUInt64LE(v));
      }
      x += 4 + len;
    }
    if (zip.readUInt32LE(offset) !== LOCAL) throw new XlsxFormatError('bad local header');
    const data = offset + 30 + zip.readUInt16LE(offset + 26) + zip.readUInt16LE(offset + 28);
    if (data + compressed > zip.length) throw new XlsxFormatError('entry past the end');
    entries.set(name, { name, method, compressed, size, data });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
};

const CHUNK = 64 * 1024;

// Limits of what an uploaded file may unpack to (a zip bomb: a 50 MB upload of repeated XML can
// inflate a thousandfold). Excel's own limits are 1,048,576 rows and 16,384 columns (XFD); a
// sheet of a million rows of 7 columns is about 400 MB of XML; the workbook's metadata entries
// and the shared strings are held in memory whole.
export const XLSX_LIMITS = {
  rows: 1_048_576,
  columns: 16_384,
  sheetBytes: 2 * 1024 ** 3,
  metadataBytes: 256 * 1024 ** 2,
};

const tooLarge = (what: string) =>
  new AppError('BAD_REQUEST', `文件解压后过大：${what}；请检查文件，或分成几个文件导入`);

/** An entry's bytes inflated a chunk at a time (memory does not grow with the entry); the
 * inflating runs in libuv's thread pool while the caller parses the previous chunk. More than
 * `limit` bytes inflated is an error saying `what` is too large. */
async function* inflateChunks(
  zip: Buffer,
  entry: TEntry,
  limit: { bytes: number; what: string },
  onBytes?: (compressedRead: number) => void,
): AsyncGenerator<Buffer> {
  const raw = zip.subarray(entry.data, entry.data + entry.compressed);
  if (entry.method === 0) {
    if (raw.length > limit.bytes) throw tooLarge(limit.what);
    for (let at = 0; at < raw.length; at += CHUNK) yield raw.subarray(at, at + CHUNK);
    return;
  }
  if (entry.method !== 8) throw new XlsxFormatError(`compression method ${entry.method}`);
  if (entry.size <= CHUNK) {
    // The directory's size may lie: never inflate more than it says here.
    yield inflateAtMost(raw, CHUNK, () => new XlsxFormatError(`${entry.name} larger than stated`));
    return;
  }
  let inflated = 0;
  const inflate = Readable.from(
    (function* () {
      for (let at = 0; at < raw.length; at += CHUNK / 4) {
        onBytes?.(at);
        yield raw.subarray(at, at + CHUNK / 4);
      }
      onBytes?.(raw.length);
    })(),
  ).pipe(zlib.createInflateRaw({ chunkSize: CHUNK }));
  try {
    for await (const chunk of inflate) {
      inflated += (chunk as Buffer).length;
      if (inflated > limit.bytes) throw tooLarge(limit.what);
      yield chunk as Buffer;
    }
  } finally {
    inflate.destroy();
  }
}

/** `raw` inflated whole, refused past `max` bytes with the error `tooMuch` makes. */
const inflateAtMost = (raw: Buffer, max: number, tooMuch: () => Error): Buffer => {
  try {
    return zlib.inflateRawSync(raw, { maxOutputLength: max });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooMuch();
    throw error;
  }
};

/** The whole text of a metadata entry (relationships, workbook, styles). */
const entryText = (zip: Buffer, entry: TEntry): string => {
  const raw = zip.subarray(entry.data, entry.data + entry.compressed);
  const what = `${entry.name} 超过 ${XLSX_LIMITS.metadataBytes / 1024 ** 2} MB`;
  if (entry.method === 0) {
    if (raw.length > XLSX_LIMITS.metadataBytes) throw tooLarge(what);
    return raw.toString('utf8');
  }
  if (entry.method !== 8) throw new XlsxFormatError(`compression method ${entry.method}`);
  return inflateAtMost(raw, XLSX_LIMITS.metadataBytes, () => tooLarge(what)).toString('utf8');
};

/** The local part of an element name (some writers prefix SpreadsheetML elements: `x:c`). */
const local = (name: string): string => {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
};

const parser = () => new SaxesParser({ position: false });

/** Walks the elements of a small XML text. */
const eachElement = (
  xml: string,
  fn: (name: string, attributes: Record<string, string>) => void,
) => {
  const p = parser();
  p.on('opentag', (tag) => fn(local(tag.name), (tag as SaxesTagPlain).attributes));
  p.write(xml).close();
};

type TRels = Map<string, { target: string; type: string }>;

const relsOf = (zip: Buffer, entries: Map<string, TEntry>, path: string): TRels => {
  const rels: TRels = new Map();
  const entry = findEntry(entries, path);
  if (!entry) return rels;
  eachElement(entryText(zip, entry), (name, a) => {
    if (name === 'Relationship' && a.Id && a.Target)
      rels.set(a.Id, { target: a.Target, type: a.Type ?? '' });
  });
  return rels;
};

const findEntry = (entries: Map<string, TEntry>, path: string): TEntry | undefined => {
  const exact = entries.get(path);
  if (exact) return exact;
  const lower = path.toLowerCase();
  for (const [name, e] of entries) if (name.toLowerCase() === lower) return e;
  return undefined;
};

/** A relationship target as an entry name: relative to the source's folder, or absolute. */
const resolve = (folder: string, target: string): string => {
  const parts = (target.startsWith('/') ? target.slice(1) : `${folder}${target}`).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p !== '.' && p !== '') out.push(p);
  }
  return out.join('/');
};

// Built-in number formats that show dates or times (ECMA-376 18.8.30, with the ids East Asian
// Excel uses for 年月日 forms).
const BUILTIN_DATE = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51,
  52, 53, 54, 55, 56, 57, 58,
]);

/** Whether a number format code shows a date (as ExcelJS decides it). */
export const isDateFormat = (code: string): boolean =>
  /[ymdhMsb]+/.test(code.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));

/** For each cell style (the `s` of a cell), whether its number format shows a date. */
const dateStyles = (xml: string): boolean[] => {
  const formats = new Map<number, string>();
  const styles: boolean[] = [];
  let inCellXfs = false;
  const p = parser();
  p.on('opentag', (tag) => {
    const name = local(tag.name);
    const a = (tag as SaxesTagPlain).attributes;
    if (name === 'numFmt') formats.set(Number(a.numFmtId), a.formatCode ?? '');
    else if (name === 'cellXfs') inCellXfs = true;
    else if (name === 'xf' && inCellXfs) {
      const id = Number(a.numFmtId ?? 0);
      const code = formats.get(id);
      styles.push(code !== undefined ? isDateFormat(code) : BUILTIN_DATE.has(id));
    }
  });
  p.on('closetag', (tag) => {
    if (local(tag.name) === 'cellXfs') inCellXfs = false;
  });
  p.write(xml).close();
  return styles;
};

/** The shared strings: each `<si>`'s text runs joined, without phonetic runs (`<rPh>`). */
const sharedStrings = async (zip: Buffer, entry: TEntry): Promise<string[]> => {
  const strings: string[] = [];
  let text = '';
  let inT = false;
  let inPhonetic = false;
  const p = parser();
  p.on('opentag', (tag) => {
    switch (local(tag.name)) {
      case 'si':
        text = '';
        break;
      case 't':
        inT = !inPhonetic;
        break;
      case 'rPh':
        inPhonetic = true;
        break;
    }
  });
  p.on('text', (t) => {
    if (inT) text += t;
  });
  p.on('cdata', (t) => {
    if (inT) text += t;
  });
  p.on('closetag', (tag) => {
    switch (local(tag.name)) {
      case 'si':
        strings.push(text);
        break;
      case 't':
        inT = false;
        break;
      case 'rPh':
        inPhonetic = false;
        break;
    }
  });
  const decoder = new StringDecoder('utf8');
  const limit = {
    bytes: XLSX_LIMITS.metadataBytes,
    what: `共享字符串表超过 ${XLSX_LIMITS.metadataBytes / 1024 ** 2} MB`,
  };
  for await (const chunk of inflateChunks(zip, entry, limit)) p.write(decoder.write(chunk));
  p.write(decoder.end()).close();
  return strings;
};

export type TXlsxSheet = {
  name: string;
  hidden: boolean;
  /** Compressed size, for progress. */
  bytes: number;
  /** The sheet's rows, a chunk of the XML at a time; `onBytes` is told the compressed bytes read. */
  rows: (onBytes?: (read: number) => void) => AsyncGenerator<TXlsxRow[]>;
};

/** 1-based column of a cell reference (`AB12` → 28), or 0. */
const columnOf = (ref: string): number => {
  let col = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) col = col * 26 + c - 64;
    else if (c >= 97 && c <= 122) col = col * 26 + c - 96;
    else break;
  }
  return col;
};

/** Milliseconds of an Excel serial date (as ExcelJS converts it). */
const serialDate = (serial: number, date1904: boolean) =>
  new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 86_400_000));

/** The workbook of an .xlsx file: its sheets in the workbook's order. */
export const openXlsx = async (file: Uint8Array): Promise<TXlsxSheet[]> => {
  const zip = Buffer.from(file.buffer, file.byteOffset, file.length);
  const entries = zipEntries(zip);
  const root = relsOf(zip, entries, '_rels/.rels');
  let workbookPath = 'xl/workbook.xml';
  for (const r of root.values()) {
    if (r.type.endsWith('/officeDocument')) workbookPath = resolve('', r.target);
  }
  const workbookEntry = findEntry(entries, workbookPath);
  if (!workbookEntry) throw new XlsxFormatError('no workbook');
  const folder = workbookPath.slice(0, workbookPath.lastIndexOf('/') + 1);
  const rels = relsOf(zip, entries, `${folder}_rels/${workbookPath.slice(folder.length)}.rels`);
  const byType = (type: string, fallback: string) => {
    for (const r of rels.values()) if (r.type.endsWith(type)) return resolve(folder, r.target);
    return `${folder}${fallback}`;
  };
  const sstEntry = findEntry(entries, byType('/sharedStrings', 'sharedStrings.xml'));
  const stylesEntry = findEntry(entries, byType('/styles', 'styles.xml'));
  const strings = sstEntry ? await sharedStrings(zip, sstEntry) : [];
  const isDate = stylesEntry ? dateStyles(entryText(zip, stylesEntry)) : [];
  let date1904 = false;
  const sheets: { name: string; hidden: boolean; entry: TEntry | undefined }[] = [];
  eachElement(entryText(zip, workbookEntry), (name, a) => {
    if (name === 'workbookPr') date1904 = a.date1904 === '1' || a.date1904 === 'true';
    if (name !== 'sheet') return;
    const rId = a['r:id'] ?? Object.entries(a).find(([k]) => k.endsWith(':id'))?.[1];
    const rel = rId ? rels.get(rId) : undefined;
    sheets.push({
      name: a.name ?? '',
      hidden: a.state === 'hidden' || a.state === 'veryHidden',
      entry: rel ? findEntry(entries, resolve(folder, rel.target)) : undefined,
    });
  });
  return sheets
    .filter((s) => s.entry)
    .map((s) => ({
      name: s.name,
      hidden: s.hidden,
      bytes: s.entry!.compressed,
      rows: (onBytes) => sheetRows(zip, s.entry!, s.name, strings, isDate, date1904, onBytes),
    }));
};

// What the text of the element being read is for.
const NONE = 0;
const VALUE = 1;
const INLINE = 2;

/** The rows of a sheet: each inflated chunk's complete rows as one array. */
async function* sheetRows(
  zip: Buffer,
  entry: TEntry,
  sheet: string,
  strings: string[],
  isDate: boolean[],
  date1904: boolean,
  onBytes?: (read: number) => void,
): AsyncGenerator<TXlsxRow[]> {
  let out: TXlsxRow[] = [];
  let rowNumber = 0;
  let cells: TRawCell[] | undefined;
  let col = 0;
  // The cell being read.
  let type: string | undefined;
  let style = 0;
  let text = '';
  let hasValue = false;
  let into = NONE;
  let inPhonetic = false;

  const cellValue = (): TRawCell => {
    if (!hasValue) return EMPTY_CELL;
    switch (type) {
      case 's': {
        const s = strings[Number.parseInt(text, 10)];
        return s === undefined || s.trim() === '' ? EMPTY_CELL : { kind: 'text', text: s };
      }
      case 'str':
      case 'inlineStr':
        return text.trim() === '' ? EMPTY_CELL : { kind: 'text', text };
      case 'b':
        return { kind: 'bool', value: Number.parseInt(text, 10) !== 0 };
      case 'e':
        return { kind: 'error', text };
      case 'd': {
        const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`);
        return Number.isNaN(date.getTime()) ? EMPTY_CELL : { kind: 'date', date };
      }
      default: {
        const n = Number.parseFloat(text);
        if (!Number.isFinite(n)) return EMPTY_CELL;
        return isDate[style]
          ? { kind: 'date', date: serialDate(n, date1904) }
          : { kind: 'number', value: n };
      }
    }
  };

  const scanner = sheetScanner({
    wantText: () => into === VALUE || (into === INLINE && !inPhonetic),
    text: (t) => {
      text += t;
    },
    open: (name, a) => {
      switch (name) {
        case 'c': {
          if (!cells) return;
          const ref = a.r;
          col = ref ? columnOf(ref) || col + 1 : col + 1;
          if (col > XLSX_LIMITS.columns)
            throw new AppError(
              'BAD_REQUEST',
              `单元格超出 Excel 的最大列（XFD，第 ${XLSX_LIMITS.columns} 列）：${ref ?? `第 ${col} 列`}`,
              { where: { sheet, row: rowNumber } },
            );
          type = a.t;
          style = a.s ? Number.parseInt(a.s, 10) : 0;
          text = '';
          hasValue = false;
          into = NONE;
          return;
        }
        case 'v':
          if (cells) {
            into = VALUE;
            text = '';
            hasValue = true;
          }
          return;
        case 'is':
          if (cells) {
            into = INLINE;
            text = '';
            hasValue = true;
          }
          return;
        case 'rPh':
          inPhonetic = true;
          return;
        case 'row': {
          const r = a.r ? Number.parseInt(a.r, 10) : Number.NaN;
          rowNumber = Number.isFinite(r) ? r : rowNumber + 1;
          if (rowNumber > XLSX_LIMITS.rows || rowNumber < 1)
            throw new AppError(
              'BAD_REQUEST',
              `行号超出 Excel 的范围（1–${XLSX_LIMITS.rows}）：${a.r ?? rowNumber}`,
              { where: { sheet, row: rowNumber } },
            );
          cells = [];
          col = 0;
          return;
        }
      }
    },
    close: (name) => {
      switch (name) {
        case 'c': {
          if (!cells) return;
          const value = cellValue();
          if (value !== EMPTY_CELL && col > 0) {
            while (cells.length < col - 1) cells.push(EMPTY_CELL);
            cells[col - 1] = value;
          }
          into = NONE;
          return;
        }
        case 'v':
        case 'is':
          into = NONE;
          return;
        case 'rPh':
          inPhonetic = false;
          return;
        case 'row':
          if (cells) out.push({ sheet, row: rowNumber, cells });
          cells = undefined;
          return;
      }
    },
  });
  const decoder = new StringDecoder('utf8');
  const limit = {
    bytes: XLSX_LIMITS.sheetBytes,
    what: `工作表「${sheet}」超过 ${XLSX_LIMITS.sheetBytes / 1024 ** 3} GB`,
  };
  for await (const chunk of inflateChunks(zip, entry, limit, onBytes)) {
    scanner.write(decoder.write(chunk));
    if (out.length > 0) {
      yield out;
      out = [];
    }
  }
  scanner.write(decoder.end());
  scanner.end();
  if (out.length > 0) yield out;
}
