import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Transaction } from '@electric-sql/pglite';
import type pg from 'pg';
import { from as copyStream } from 'pg-copy-streams';
import type { TDatabase, TExecutor } from '../../db/client.ts';

export type TCopyValue = string | number | boolean | null | undefined;

/** One value in COPY's CSV format: null unquoted and empty, text always quoted. */
const csvValue = (v: TCopyValue): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  return `"${v.replaceAll('"', '""')}"`;
};

/** One row as a line of COPY CSV text. */
export const csvText = (row: readonly TCopyValue[]): string => `${row.map(csvValue).join(',')}\n`;

const TEXT_SPECIAL = /[\\\n\r\t]/;
const TEXT_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** One value in COPY's text format: `\N` for null; a string is copied only when it holds a
 * backslash, tab or line break (JSON and ciphertexts rarely do), which keeps bulk loads cheap. */
const textValue = (v: TCopyValue): string => {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  return TEXT_SPECIAL.test(v) ? v.replace(/[\\\n\r\t]/g, (c) => TEXT_ESCAPES[c]!) : v;
};

/** One row as a line of COPY text format (for `copyText`). */
export const textLine = (row: readonly TCopyValue[]): string => {
  if (row.length === 0) return '\n';
  // join builds one flat string; appending field by field, or the line break after the join,
  // makes a rope the encoder flattens again (a copy of every line).
  const values = row.map(textValue);
  values[values.length - 1] += '\n';
  return values.join('\t');
};

/** The quote of `rawLine`'s CSV: U+0001, which JSON text never holds unescaped. */
const RAW_QUOTE = '\u0001';
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0001 is the CSV quote here
const RAW_SPECIAL = /[\t\n\r\u0001]/;

/** One value of `rawLine`: null empty, a string as it is unless it is empty or holds a tab,
 * line break or the quote (then quoted, the quote doubled). */
const rawValue = (v: TCopyValue): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  return v === '' || RAW_SPECIAL.test(v)
    ? `${RAW_QUOTE}${v.replaceAll(RAW_QUOTE, RAW_QUOTE + RAW_QUOTE)}${RAW_QUOTE}`
    : v;
};

/**
 * One row as a line of CSV with a tab between values and U+0001 as the quote (for `copyRaw`):
 * JSON text goes as it is. In COPY's text format each of its backslashes is doubled — an
 * import's snapshot document (each record's values as JSON text inside JSON) holds about
 * 180,000 of them.
 */
export const rawLine = (row: readonly TCopyValue[]): string => `${row.map(rawValue).join('\t')}\n`;

/** Bytes of UTF-8 buffers for COPY: 1 MB each, filled line by line. */
const COPY_BUFFER = 1024 * 1024;

/**
 * COPY text lines, encoded to UTF-8 as they are added. Appending lines to one string and
 * encoding it at the end costs about four times as much for Chinese text (the string is
 * flattened, two bytes a character, then encoded): 8 µs against 2 µs for a 1 KB audit line.
 */
export class CopyLines {
  private chunks: Buffer[] = [];
  private buf = Buffer.allocUnsafe(0);
  private at = 0;
  /** Lines added since the last `take`. */
  count = 0;

  add(line: string): void {
    this.write(line);
    this.count++;
  }

  /** Encodes text after the bytes so far. */
  private write(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (this.at + text.length * 3 > this.buf.length) {
      if (this.at > 0) this.chunks.push(this.buf.subarray(0, this.at));
      this.buf = Buffer.allocUnsafe(Math.max(COPY_BUFFER, text.length * 3));
      this.at = 0;
    }
    this.at += this.buf.write(text, this.at);
  }

  /**
   * Adds one line made of pieces: strings encoded as `add` does, buffers (UTF-8 already, e.g.
   * a large value encoded once for a hash too) taken as they are, without a copy.
   */
  addPieces(pieces: readonly (string | Buffer)[]): void {
    for (const piece of pieces) {
      if (typeof piece === 'string') this.write(piece);
      else {
        if (this.at > 0) this.chunks.push(this.buf.subarray(0, this.at));
        this.chunks.push(piece);
        this.buf = this.buf.subarray(this.at);
        this.at = 0;
      }
    }
    this.count++;
  }

  /** The bytes added so far (for `copyText`), and a fresh start. */
  take(): Buffer[] {
    if (this.at > 0) this.chunks.push(this.buf.subarray(0, this.at));
    const chunks = this.chunks;
    this.chunks = [];
    this.buf = Buffer.allocUnsafe(0);
    this.at = 0;
    this.count = 0;
    return chunks;
  }
}

/** Rows as COPY CSV text. */
export const toCopyCsv = (rows: readonly TCopyValue[][]): string => {
  let out = '';
  for (const row of rows) out += csvText(row);
  return out;
};

type TPgliteQueryable = Pick<Transaction, 'query'>;

/** The driver's own client behind a Drizzle database or transaction (PGlite, its transaction,
 * a node-postgres pool or the pool client a transaction holds). */
const driverClientOf = (executor: TExecutor): unknown =>
  (executor as unknown as { session: { client: unknown } }).session.client;

/**
 * Loads rows with COPY … FROM, through the executor's own connection — so inside a transaction
 * the rows are part of it. PGlite reads the CSV from a Blob (`/dev/blob`), node-postgres
 * streams it with pg-copy-streams.
 */
export const copyInto = async (
  database: TDatabase,
  executor: TExecutor,
  table: string,
  columns: readonly string[],
  rows: readonly TCopyValue[][],
): Promise<void> => {
  if (rows.length === 0) return;
  await copyCsv(
    database,
    executor,
    table,
    columns,
    (function* () {
      // Chunks of ~1,000 rows keep memory flat for large loads.
      for (let i = 0; i < rows.length; i += 1000) yield toCopyCsv(rows.slice(i, i + 1000));
    })(),
  );
};

/**
 * COPY of CSV text already built (`csvText` lines), as one string or a sequence of chunks, into
 * a table through the executor's connection (see `copyInto`).
 */
export const copyCsv = (
  database: TDatabase,
  executor: TExecutor,
  table: string,
  columns: readonly string[],
  csv: string | Iterable<string>,
): Promise<void> => copyFrom(database, executor, table, columns, csv, ' WITH (FORMAT csv)');

/** COPY of `rawLine` lines (as text or `CopyLines` bytes), as `copyText`. */
export const copyRaw = (
  database: TDatabase,
  executor: TExecutor,
  table: string,
  columns: readonly string[],
  text: string | Iterable<string | Buffer>,
): Promise<void> =>
  copyFrom(
    database,
    executor,
    table,
    columns,
    text,
    " WITH (FORMAT csv, DELIMITER E'\\t', QUOTE E'\\x01')",
  );

/** COPY of lines in text format (`textLine`, as text or as `CopyLines` bytes), as `copyCsv`. */
export const copyText = (
  database: TDatabase,
  executor: TExecutor,
  table: string,
  columns: readonly string[],
  text: string | Iterable<string | Buffer>,
): Promise<void> => copyFrom(database, executor, table, columns, text, '');

const copyFrom = async (
  database: TDatabase,
  executor: TExecutor,
  table: string,
  columns: readonly string[],
  csv: string | Iterable<string | Buffer>,
  options: string,
): Promise<void> => {
  if (csv === '' || (Array.isArray(csv) && csv.length === 0)) return;
  const statement = `COPY ${table} (${columns.map((c) => `"${c}"`).join(', ')}) FROM STDIN${options}`;
  const client = driverClientOf(executor);
  if (database.kind === 'pglite') {
    const blob = new Blob(typeof csv === 'string' ? [csv] : ([...csv] as BlobPart[]));
    await (client as TPgliteQueryable).query(statement.replace('STDIN', "'/dev/blob'"), [], {
      blob,
    });
    return;
  }
  const isPool =
    typeof (client as pg.Pool).connect === 'function' && 'totalCount' in (client as object);
  const conn = isPool ? await (client as pg.Pool).connect() : (client as pg.PoolClient);
  try {
    const sink = conn.query(copyStream(statement));
    await pipeline(Readable.from(typeof csv === 'string' ? [csv] : csv), sink);
  } finally {
    if (isPool) conn.release();
  }
};
