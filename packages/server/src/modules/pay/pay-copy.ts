import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Transaction } from '@electric-sql/pglite';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { TDatabase, TExecutor } from '../../db/client.ts';

// Bulk writes of pay lines with COPY … FROM (CSV), through the executor's own connection so the
// rows belong to its transaction: a whole city's month is written without a million INSERTs.

export type TCopyCell = string | number | boolean | null | undefined;

const cell = (v: TCopyCell): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  return `"${v.replaceAll('"', '""')}"`;
};

/** CSV text of up to `size` rows at a time: rows are built as they are written, never all held. */
function* csvChunks(rows: Iterable<readonly TCopyCell[]>, size = 2000): Generator<string> {
  let out = '';
  let n = 0;
  for (const row of rows) {
    out += `${row.map(cell).join(',')}\n`;
    if (++n === size) {
      yield out;
      out = '';
      n = 0;
    }
  }
  if (out) yield out;
}

const driverClientOf = (executor: TExecutor): unknown =>
  (executor as unknown as { session: { client: unknown } }).session.client;

/** COPY rows into a table inside the executor's transaction (PGlite: a Blob; PostgreSQL: a stream). */
export const copyRows = async (
  database: Pick<TDatabase, 'kind'>,
  executor: TExecutor,
  table: string,
  columns: readonly string[],
  rows: Iterable<readonly TCopyCell[]>,
): Promise<void> => {
  const statement = `COPY ${table} (${columns.map((c) => `"${c}"`).join(', ')}) FROM STDIN WITH (FORMAT csv)`;
  const client = driverClientOf(executor);
  if (database.kind === 'pglite') {
    const parts = [...csvChunks(rows)];
    if (parts.length === 0) return;
    await (client as Pick<Transaction, 'query'>).query(
      statement.replace('STDIN', "'/dev/blob'"),
      [],
      { blob: new Blob(parts) },
    );
    return;
  }
  const chunks = csvChunks(rows);
  const first = chunks.next();
  if (first.done) return;
  const isPool =
    typeof (client as pg.Pool).connect === 'function' && 'totalCount' in (client as object);
  const conn = isPool ? await (client as pg.Pool).connect() : (client as pg.PoolClient);
  try {
    await pipeline(
      Readable.from(
        (function* () {
          yield first.value;
          yield* chunks;
        })(),
      ),
      conn.query(copyFrom(statement)),
    );
  } finally {
    if (isPool) conn.release();
  }
};
