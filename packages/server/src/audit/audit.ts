import crypto from 'node:crypto';
import { asc, gt, type SQL, sql } from 'drizzle-orm';
import { queryRowsPrepared, type TDatabase, type TExecutor } from '../db/client.ts';
import { auditCheckpoint, auditLog } from '../db/schema/index.ts';
import { CopyLines, copyRaw, rawLine } from '../modules/excel/copy.ts';
import { suiteHash, type TCryptoSuite } from '../security/crypto-suite.ts';
import type { TFieldCrypto } from '../security/field-crypto.ts';
import { newId } from '../security/ids.ts';

export type TAuditEntry = {
  actorId: string | null;
  actorName: string;
  action: string;
  entity: string;
  entityId: string;
  orgPath?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
};

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with sorted keys, so the same content always hashes the same. */
export const canonicalJson = (value: unknown): string => {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
};

type THashed = {
  id: string;
  at: string;
  actorId: string | null;
  actorName: string;
  action: string;
  entity: string;
  entityId: string;
  orgPath: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
};

/**
 * The hash of a row over the previous hash and the row's content: SHA-256 as 64 hex digits
 * (suite `intl`, the first release's form) or `sm3:` + SM3 hex (suite `gm`). Each row names its
 * algorithm, so a chain stays verifiable across a change of CRYPTO_SUITE.
 */
export const auditHash = (prevHash: string, row: THashed, suite: TCryptoSuite = 'intl'): string => {
  const content = canonicalJson([
    row.id,
    row.at,
    row.actorId,
    row.actorName,
    row.action,
    row.entity,
    row.entityId,
    row.orgPath,
    row.before ?? null,
    row.after ?? null,
    row.reason,
  ]);
  return chainHash(prevHash, content, suite);
};

/** The hash of a row's canonical content after the previous hash, in the suite's form. */
/** A chain hash as stored: SM3 digests carry their algorithm (`hashSuiteOf`). */
const taggedHash = (suite: TCryptoSuite, hex: string): string =>
  suite === 'gm' ? `sm3:${hex}` : hex;

const chainHash = (prevHash: string, content: string, suite: TCryptoSuite): string =>
  // One-shot hash of the concatenation: the same digest as digestHex(suite, prevHash, content)
  // (prevHash is ASCII), at half the cost per row.
  taggedHash(suite, crypto.hash(suiteHash(suite), prevHash + content, 'hex'));

/** `chainHash` of content given in pieces (a large one already UTF-8), without joining them. */
const chainHashPieces = (
  prevHash: string,
  pieces: readonly (string | Buffer)[],
  suite: TCryptoSuite,
): string => {
  const h = crypto.createHash(suiteHash(suite)).update(prevHash);
  for (const piece of pieces) h.update(piece);
  return taggedHash(suite, h.digest('hex'));
};

/** The suite a stored hash was made with. */
export const hashSuiteOf = (hash: string): TCryptoSuite =>
  hash.startsWith('sm3:') ? 'gm' : 'intl';

let writeSuite: TCryptoSuite = 'intl';

/** Sets the hash of new audit rows for this process (CRYPTO_SUITE, at start-up). */
export const setAuditHashSuite = (suite: TCryptoSuite): void => {
  writeSuite = suite;
};

/** The suite new audit rows are hashed with in this process (`setAuditHashSuite`). */
export const auditHashSuite = (): TCryptoSuite => writeSuite;

/**
 * The chain's head for a writer, in one statement (`audit_chain_head()`, migration 0016): takes
 * the chain's advisory lock for the rest of the transaction, then reads the last row's hash with
 * a snapshot taken after the lock was granted, and the database's clock as the rows' `at`.
 */
const chainHead = async (tx: TExecutor): Promise<{ hash: string; at: string }> =>
  (await queryRowsPrepared<{ hash: string; at: string }>(tx, 'audit_head', HEAD_SQL))[0]!;

const HEAD_SQL = sql`select hash, at from audit_chain_head()`;

/**
 * The statement that appends one entry to the chain, hashed by the database: under the suite
 * `intl` the row's hash is SHA-256 over the previous hash and its canonical JSON, which
 * PostgreSQL computes as well as Node does (`sha256`) — so the lock, the head, the time and the
 * insert are one statement (three before), and a write holds the chain's lock for no round trip
 * of its own. The canonical JSON is made here (`auditHash`'s, with the head's time and — from
 * `source` — the org path spliced in, `to_json` writing a string as JSON.stringify does); a test
 * checks every row it writes against `auditHash` and `verifyAuditChain`. Under `gm` (SM3, which
 * PostgreSQL lacks) it is undefined: the caller takes `writeAudit`'s two statements instead.
 *
 * `source`: a relation (a CTE of the caller's statement) of one row whose `org_path` column is
 * the entry's org path — the archive write's worker in scope; without it, the entry's own.
 * No row in it: nothing is written (the lock may still be taken, until the statement's end).
 */
export const auditAppendSql = (entry: TAuditEntry, source?: SQL): SQL | undefined => {
  if (writeSuite !== 'intl') return undefined;
  const id = newId();
  const before = toJsonValue(entry.before);
  const after = toJsonValue(entry.after);
  const reason = entry.reason ?? null;
  // auditHash's canonicalJson of [id, at, actorId, actorName, action, entity, entityId, orgPath,
  // before, after, reason], in the pieces around the two values the database fills in.
  const pre = `[${canonicalJson(id)},"`;
  const mid = `",${[entry.actorId, entry.actorName, entry.action, entry.entity, entry.entityId].map(canonicalJson).join(',')},`;
  const tail = `,${canonicalJson(before)},${canonicalJson(after)},${canonicalJson(reason)}]`;
  const from = source ?? sql`(select ${entry.orgPath ?? null}::text as org_path)`;
  return sql`insert into audit_log (id, at, actor_id, actor_name, action, entity, entity_id, org_path, before, after, reason, prev_hash, hash)
select ${id}::uuid, h.at::timestamptz, ${entry.actorId}::uuid, ${entry.actorName}::text, ${entry.action}::text, ${entry.entity}::text, ${entry.entityId}::text, s.org_path, ${before === null ? null : JSON.stringify(before)}::jsonb, ${after === null ? null : JSON.stringify(after)}::jsonb, ${reason}::text, h.hash,
  encode(sha256(convert_to(h.hash || ${pre}::text || h.at || ${mid}::text || coalesce(to_json(s.org_path)::text, 'null') || ${tail}::text, 'UTF8')), 'hex')
from ${from} s cross join lateral audit_chain_head() h`;
};

/**
 * Appends entries to the hash-chained audit log. Call it inside the transaction of the change,
 * so the audit row and the change commit or roll back together. A transaction-scoped advisory
 * lock serialises writers, so the chain has no forks. One entry under `intl`: one statement
 * (`auditAppendSql`); else the head (lock, last hash, time: one statement), then the inserts.
 */
export const writeAudit = async (tx: TExecutor, entries: TAuditEntry | TAuditEntry[]) => {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return;
  const one = list.length === 1 ? auditAppendSql(list[0]!) : undefined;
  if (one) {
    await queryRowsPrepared(tx, 'audit_append', one);
    return;
  }
  const head = await chainHead(tx);
  let prevHash = head.hash;
  const at = head.at;
  const rows = list.map((entry) => {
    const row: THashed = {
      id: newId(),
      at,
      actorId: entry.actorId,
      actorName: entry.actorName,
      action: entry.action,
      entity: entry.entity,
      entityId: entry.entityId,
      orgPath: entry.orgPath ?? null,
      before: toJsonValue(entry.before),
      after: toJsonValue(entry.after),
      reason: entry.reason ?? null,
    };
    const hash = auditHash(prevHash, row, writeSuite);
    const stored = { ...row, prevHash, hash };
    prevHash = hash;
    return stored;
  });
  for (let i = 0; i < rows.length; i += 500) {
    await tx.insert(auditLog).values(rows.slice(i, i + 500));
  }
};

const toJsonValue = (value: unknown): unknown =>
  value === undefined ? null : JSON.parse(JSON.stringify(value));

const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

/** JSON.stringify's reading of a value (toJSON, boxed primitives), canonical; undefined where
 * JSON.stringify leaves the value out. */
const jsonOf = (value: unknown): string | undefined => {
  let v = value;
  if (v !== null && typeof v === 'object') {
    if (typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as Date).toJSON();
    else if (v instanceof Number || v instanceof String || v instanceof Boolean) v = v.valueOf();
  }
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? JSON.stringify(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return JSON.stringify(v); // throws, as writeAudit does
    case 'object': {
      if (v === null) return 'null';
      if (Array.isArray(v)) return `[${v.map((x) => jsonOf(x) ?? 'null').join(',')}]`;
      const parts: string[] = [];
      for (const [k, x] of Object.entries(v).sort(byKey)) {
        const json = jsonOf(x);
        if (json !== undefined) parts.push(`${JSON.stringify(k)}:${json}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      return undefined;
  }
};

/**
 * The canonical JSON of a before/after value as `writeAudit` stores and hashes it — equal to
 * `canonicalJson(JSON.parse(JSON.stringify(value)))` (undefined → null), without the round trip.
 */
export const auditJson = (value: unknown): string => jsonOf(value) ?? 'null';

/** An audit entry whose before/after are already `auditJson` text (null: none). */
export type TAuditJsonEntry = Omit<TAuditEntry, 'before' | 'after'> & {
  beforeJson?: string | null;
  afterJson?: string | null;
};

const AUDIT_COLUMNS = [
  'id',
  'at',
  'actor_id',
  'actor_name',
  'action',
  'entity',
  'entity_id',
  'org_path',
  'before',
  'after',
  'reason',
  'prev_hash',
  'hash',
] as const;

const jsonString = (v: string | null | undefined) => (v == null ? 'null' : JSON.stringify(v));

/** Rows per COPY of the bulk writer. */
const BULK_CHUNK = 5000;

/**
 * Entity of a snapshot document: the records one chunk of an import created, as one row of the
 * chain (`openAuditBulk().addCreated`). Its `entity_id` is the smallest id among them.
 */
export const SNAPSHOT_DOCUMENT = 'import_snapshots';

/**
 * A snapshot document's `after`: the created records' ids, and their snapshots as rows of
 * values under `columns` (the file's row number last, as `row`). Format 3 (`v: 3`, written
 * since 2026-12-07's ninth import round) keeps out of the rows what the records share: a value
 * every record has is named once in `fixed`, and a column of few distinct values lists them
 * once in `codes`, its rows holding a value's index there; `columns` names only what the rows
 * hold. Format 2 (`v: 2`) holds each row as the JSON text of its array of values, every
 * column in it — one jsonb string a record instead of 25 values, which PostgreSQL parses for
 * about a third of the CPU; format 1 (no `v`, the documents written before) holds the arrays
 * themselves. All are read (`snapshotRecord`, `findImportCreations`) and verified alike.
 */
export type TSnapshotDocument = {
  batchId: string;
  /** Format 3: a coded column's distinct values (its rows hold the index). */
  codes?: Record<string, TSnapshotValue[]>;
  columns: string[];
  entity: string;
  /** Format 3: the value every record of the document has, by column (not in the rows). */
  fixed?: Record<string, TSnapshotValue>;
  ids: string[];
  rows: string[] | unknown[][];
  v?: 2 | typeof SNAPSHOT_FORMAT;
};

type TSnapshotValue = string | number | boolean | null;

/** The format `addCreated` writes (`TSnapshotDocument`'s `v`). */
export const SNAPSHOT_FORMAT = 3;

/** The i-th record of a document, in any format: its values by column, `row` among them. */
export const snapshotRecord = (
  doc: TSnapshotDocument,
  i: number,
): Record<string, unknown> | undefined => {
  const row = doc.rows[i];
  if (row === undefined) return undefined;
  return snapshotRecordOf(
    doc,
    doc.v === undefined ? (row as unknown[]) : (JSON.parse(row as string) as unknown[]),
  );
};

/** A record from its row's values (parsed) and its document's `columns`, `fixed` and `codes`. */
export const snapshotRecordOf = (
  doc: Pick<TSnapshotDocument, 'columns' | 'fixed' | 'codes'>,
  values: readonly unknown[],
): Record<string, unknown> => {
  const record: Record<string, unknown> = { ...doc.fixed };
  doc.columns.forEach((c, j) => {
    const codes = doc.codes?.[c];
    record[c] = codes ? codes[values[j] as number] : values[j];
  });
  return record;
};

/** A record created by an import, for `addCreated`. */
export type TCreatedRecord = {
  entityId: string;
  orgPath: string | null;
  /** Row of the file. */
  row: number;
  /** The snapshot's values in the order of `columns` (primitives; JSON of them is canonical). */
  values: readonly (string | number | boolean | null)[];
};

/** The longest common path (whole segments) of the records' org paths: the narrowest org
 * holding them all. */
const recordsPath = (records: readonly TCreatedRecord[]): string | null => {
  let common: string | null = null;
  for (const r of records) {
    const p = r.orgPath;
    if (p === null) return null;
    if (common === null) common = p;
    else if (!p.startsWith(common)) {
      let i = 0;
      while (i < common.length && i < p.length && common[i] === p[i]) i++;
      common = common.slice(0, common.lastIndexOf('/', i - 1) + 1);
    }
  }
  return common;
};

export type TAuditBulkWriter = {
  /** Adds an entry (hashed now, written with the next COPY). */
  add: (entry: TAuditEntry) => Promise<void>;
  /** Adds an entry whose before/after are already canonical JSON (`auditJson`). */
  addJson: (entry: TAuditJsonEntry) => Promise<void>;
  /**
   * Records created by an import, in the compact form: one row of the chain for all of them
   * (entity `SNAPSHOT_DOCUMENT`, action `create`, `after` a `TSnapshotDocument`) instead of one
   * row each. `findImportCreations` finds a record's snapshot in it again (worker history).
   */
  addCreated: (
    entry: Pick<TAuditEntry, 'actorId' | 'actorName' | 'entity' | 'reason'> & {
      batchId: string;
      /** Names of the snapshot's values (sorted, without `id` and `row`). */
      columns: readonly string[];
      records: readonly TCreatedRecord[];
    },
  ) => Promise<void>;
  /** Writes what is pending; returns the number of rows written in all. */
  end: () => Promise<number>;
};

/** A string that JSON text holds as it is, and JSON text of that JSON text too: no quote,
 * backslash, control character or surrogate (a lone one is escaped by `JSON.stringify`). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const PLAIN_JSON = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A value in a snapshot row's text: its JSON text as part of a JSON string (`\"…\"` for a
 * plain string), as the two `JSON.stringify`s of `snapshotRowJson` write it. */
const rowValueJson = (v: string | number | boolean | null | undefined): string => {
  if (typeof v === 'string')
    return PLAIN_JSON.test(v) ? JSON.stringify(JSON.stringify(v)).slice(1, -1) : `\\"${v}\\"`;
  if (v === null || v === undefined) return 'null';
  return JSON.stringify(v);
};

/**
 * A snapshot document's row: `JSON.stringify(JSON.stringify([...held values, row]))`, written in
 * one pass — a plain string value as `\"…\"`, anything else through the two `JSON.stringify`s
 * (the same text, tested against them). `held`: the columns the row holds (format 3 leaves the
 * fixed ones out), `codeOf`: by held column, a coded column's value indexes (the row holds the
 * index). By default every column, none coded: format 2's row.
 */
export const snapshotRowJson = (
  values: readonly (string | number | boolean | null | undefined)[],
  row: number,
  held: readonly number[] = values.map((_, j) => j),
  codeOf: readonly (Map<TSnapshotValue, number> | undefined)[] = [],
): string => {
  let s = '"[';
  for (let k = 0; k < held.length; k++) {
    const v = values[held[k]!];
    const code = codeOf[k];
    s += `${code === undefined ? rowValueJson(v) : code.get(v ?? null)},`;
  }
  return `${s}${JSON.stringify(row)}]"`;
};

/** Distinct values a coded column of a snapshot document may have at most. */
const CODED_MAX = 64;

/** Text jsonb cannot hold as a string (NUL, and a lone surrogate's escape): a value holding
 * it stays in the rows, whose text escapes it once more. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what it finds
const NOT_IN_JSONB = /[\u0000\ud800-\udfff]/;

/**
 * How a format-3 document holds each column of its records: `fixed` (one value for all),
 * `coded` (the distinct values once, a row holds the index: at most `CODED_MAX`, and four
 * records or more a value) or in the rows as it is. Only null, booleans and strings jsonb holds
 * as they are leave the rows, so the document's text is canonical JSON as written.
 */
const snapshotLayout = (columns: readonly string[], records: readonly TCreatedRecord[]) => {
  const seen: (Map<TSnapshotValue, number> | undefined)[] = columns.map(() => new Map());
  for (const r of records) {
    const { values } = r;
    for (let j = 0; j < seen.length; j++) {
      const m = seen[j];
      if (m === undefined) continue;
      const v = values[j] ?? null;
      if (m.has(v)) continue;
      const storable =
        v === null || typeof v === 'boolean' || (typeof v === 'string' && !NOT_IN_JSONB.test(v));
      if (!storable || m.size === CODED_MAX) seen[j] = undefined;
      else m.set(v, m.size);
    }
  }
  return seen.map((m) =>
    m === undefined
      ? undefined
      : m.size === 1
        ? ('fixed' as const)
        : m.size * 4 <= records.length
          ? m
          : undefined,
  );
};

/** UTF-8 bytes written a piece at a time into a buffer that grows by doubling. */
class Utf8Builder {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private at = 0;

  write(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const need = this.at + text.length * 3;
    if (need > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(next, 0, 0, this.at);
      this.buf = next;
    }
    this.at += this.buf.write(text, this.at);
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

/**
 * A snapshot document (format 3) as UTF-8 bytes, for the hash and the COPY: no 1.7 MB string
 * to flatten and encode again. Its own function, and its rows' loop another, apart from the
 * async `addCreated`: in one large async function V8 deoptimised and recompiled the whole
 * (14 times, 0.8–1.6 s of compiling on its helper threads in a 100,000-row import).
 */
const snapshotDocument = (e: {
  batchId: string;
  columns: readonly string[];
  entity: string;
  records: readonly TCreatedRecord[];
}): Buffer => {
  const ids = idsJson(e.records);
  const layout = snapshotLayout(e.columns, e.records);
  const example = e.records[0]!.values;
  // Keys in sorted order: canonical JSON.
  const byName = (a: number, b: number) => (e.columns[a]! < e.columns[b]! ? -1 : 1);
  const all = e.columns.map((_, j) => j).sort(byName);
  const codes: string[] = [];
  const fixed: string[] = [];
  for (const j of all) {
    const how = layout[j];
    const name = JSON.stringify(e.columns[j]);
    if (how === 'fixed') fixed.push(`${name}:${JSON.stringify(example[j] ?? null)}`);
    else if (how !== undefined)
      codes.push(`${name}:[${[...how.keys()].map((v) => JSON.stringify(v)).join(',')}]`);
  }
  /** Columns the rows hold, in `columns`' order (a coded one as its index). */
  const held = e.columns.map((_, j) => j).filter((j) => layout[j] !== 'fixed');
  const codeOf = held.map((j) => {
    const how = layout[j];
    return how === 'fixed' ? undefined : how;
  });
  const columns = JSON.stringify([...held.map((j) => e.columns[j]), 'row']);
  const doc = new Utf8Builder();
  doc.write(
    `{"batchId":${JSON.stringify(e.batchId)},"codes":{${codes.join(',')}},"columns":${columns},"entity":${JSON.stringify(e.entity)},"fixed":{${fixed.join(',')}},"ids":[${ids}],"rows":[`,
  );
  snapshotRows(doc, e.records, held, codeOf);
  doc.write(`],"v":${SNAPSHOT_FORMAT}}`);
  return doc.bytes();
};

/** The records' ids as the elements of a JSON array. The loops over a chunk's records are
 * functions of their own, none in `snapshotDocument` or `addCreated`: V8 compiled those (on
 * stack, in the loop) and recompiled them when the code after the loop deoptimised (three
 * times each in a 100,000-row import); called once a chunk, without a loop they stay
 * uncompiled. */
const idsJson = (records: readonly TCreatedRecord[]): string => {
  let ids = '';
  for (const r of records)
    ids += ids === '' ? JSON.stringify(r.entityId) : `,${JSON.stringify(r.entityId)}`;
  return ids;
};

/** The smallest id of the records. */
const firstId = (records: readonly TCreatedRecord[]): string => {
  let first = records[0]!.entityId;
  for (const r of records) if (r.entityId < first) first = r.entityId;
  return first;
};

/** A format-3 document's rows (`snapshotRowJson` of the values each holds), written 32 rows at
 * a time: a write costs a call into the runtime and a flattening of its text. */
const snapshotRows = (
  doc: Utf8Builder,
  records: readonly TCreatedRecord[],
  held: readonly number[],
  codeOf: readonly (Map<TSnapshotValue, number> | undefined)[],
): void => {
  let text = '';
  let n = 0;
  for (const r of records) {
    const json = snapshotRowJson(r.values, r.row, held, codeOf);
    text += n > 0 ? `,${json}` : json;
    if (++n % 32 === 0) {
      doc.write(text);
      text = '';
    }
  }
  doc.write(text);
};

/**
 * The bulk form of `writeAudit`, for imports of many thousand records: the same rows, the same
 * hashes (suite of `setAuditHashSuite`) and the same chain, but loaded with COPY in chunks, and
 * before/after serialised once. Takes the chain's head as `writeAudit` does (`chainHead`: the
 * same advisory lock for the rest of the transaction, the database's clock as the rows' time);
 * call it inside the transaction of the change and `end()` before it commits.
 */
export const openAuditBulk = async (
  database: TDatabase,
  tx: TExecutor,
): Promise<TAuditBulkWriter> => {
  const head = await chainHead(tx);
  let prevHash = head.hash;
  const at = head.at;
  const atJson = JSON.stringify(at);
  const suite = writeSuite;
  const lines = new CopyLines();
  let written = 0;
  const flush = async () => {
    if (lines.count === 0) return;
    written += lines.count;
    // As CSV whose JSON goes as it is (`rawLine`): no backslash of a document doubled.
    await copyRaw(database, tx, 'audit_log', AUDIT_COLUMNS, lines.take());
  };
  const addJson = async (e: TAuditJsonEntry, afterBytes?: Buffer) => {
    const id = newId();
    const orgPath = e.orgPath ?? null;
    const reason = e.reason ?? null;
    const before = e.beforeJson ?? 'null';
    const after = e.afterJson ?? 'null';
    // canonicalJson of the row as auditHash reads it, assembled from its parts.
    const head = `[${JSON.stringify(id)},${atJson},${jsonString(e.actorId)},${JSON.stringify(e.actorName)},${JSON.stringify(e.action)},${JSON.stringify(e.entity)},${JSON.stringify(e.entityId)},${jsonString(orgPath)},${before},`;
    const tail = `,${jsonString(reason)}]`;
    const values = [id, at, e.actorId, e.actorName, e.action, e.entity, e.entityId, orgPath];
    // JSON null is stored as SQL NULL, as writeAudit stores it.
    const beforeValue = before === 'null' ? null : before;
    if (afterBytes) {
      // A snapshot document, encoded once: hashed as bytes and COPY'd as they are (JSON text
      // holds no tab, line break or U+0001, so rawLine would leave it unchanged).
      const hash = chainHashPieces(prevHash, [head, afterBytes, tail], suite);
      const start = rawLine([...values, beforeValue]);
      lines.addPieces([
        `${start.slice(0, -1)}\t`,
        afterBytes,
        `\t${rawLine([reason, prevHash, hash])}`,
      ]);
      prevHash = hash;
    } else {
      const hash = chainHash(prevHash, `${head}${after}${tail}`, suite);
      lines.add(
        rawLine([...values, beforeValue, after === 'null' ? null : after, reason, prevHash, hash]),
      );
      prevHash = hash;
    }
    if (lines.count >= BULK_CHUNK) await flush();
  };
  const addCreated: TAuditBulkWriter['addCreated'] = async (e) => {
    if (e.records.length === 0) return;
    const first = firstId(e.records);
    await addJson(
      {
        actorId: e.actorId,
        actorName: e.actorName,
        action: 'create',
        entity: SNAPSHOT_DOCUMENT,
        // The smallest id of its records (UUIDv7, made just before): `findImportCreations` looks
        // for a record's document among those whose id is at most the record's, by this index.
        entityId: first,
        orgPath: recordsPath(e.records),
        reason: e.reason,
      },
      snapshotDocument(e),
    );
    // Written now, while the import reads on (not all at `end`).
    await flush();
  };
  return {
    addJson,
    addCreated,
    add: ({ before, after, ...rest }) =>
      addJson({
        ...rest,
        beforeJson: before === undefined ? null : auditJson(before),
        afterJson: after === undefined ? null : auditJson(after),
      }),
    end: async () => {
      await flush();
      return written;
    },
  };
};

/** `writeAudit` for many entries at once, through `openAuditBulk`. */
export const writeAuditBulk = async (
  database: TDatabase,
  tx: TExecutor,
  entries: Iterable<TAuditEntry>,
): Promise<number> => {
  const writer = await openAuditBulk(database, tx);
  for (const entry of entries) await writer.add(entry);
  return writer.end();
};

export type TAuditVerification =
  | { ok: true; count: number; firstSeq?: number; checkpointCount?: number }
  | { ok: false; count: number; brokenAtSeq: number; message: string };

export type TCheckpointRow = typeof auditCheckpoint.$inferSelect;

/** The signed content of a checkpoint. */
export const checkpointPayload = (cp: Omit<TCheckpointRow, 'signature'>): string =>
  canonicalJson([
    cp.id,
    cp.kind,
    cp.throughSeq,
    cp.throughHash,
    new Date(cp.throughAt).toISOString(),
    cp.rowCount,
    cp.fileName,
    cp.fileSha256,
    cp.createdBy,
    new Date(cp.createdAt).toISOString(),
  ]);

/**
 * Recomputes the chain and reports the first row whose hash does not match. The chain starts at
 * genesis, or — once archived rows have left the database — at a signed archive checkpoint
 * whose hash the first remaining row continues. Every checkpoint must lie on the chain, and
 * with `crypto` its signature must verify, so a chain rewritten and re-hashed by someone
 * without the key is caught at the first checkpoint it crosses. An import's snapshot
 * document is a row like any other: its hash covers every record in it.
 */
export const verifyAuditChain = async (
  db: TExecutor,
  options: { crypto?: TFieldCrypto } = {},
): Promise<TAuditVerification> => {
  const checkpoints = await db
    .select()
    .from(auditCheckpoint)
    .orderBy(asc(auditCheckpoint.throughSeq));
  if (options.crypto) {
    for (const cp of checkpoints) {
      if (!options.crypto.verifySignature(checkpointPayload(cp), cp.signature)) {
        return {
          ok: false,
          count: 0,
          brokenAtSeq: cp.throughSeq,
          message: `第 ${cp.throughSeq} 条处的审计检查点签名无效：检查点被伪造或修改，或主密钥不符`,
        };
      }
    }
  }
  const bySeq = new Map(checkpoints.map((cp) => [cp.throughSeq, cp]));
  let prevHash = GENESIS_HASH;
  let lastSeq = 0;
  let count = 0;
  let firstSeq: number | undefined;
  for (;;) {
    const page = await db
      .select()
      .from(auditLog)
      .where(gt(auditLog.seq, lastSeq))
      .orderBy(asc(auditLog.seq))
      .limit(5000);
    if (page.length === 0) break;
    for (const row of page) {
      if (firstSeq === undefined) {
        firstSeq = row.seq;
        if (row.prevHash !== GENESIS_HASH) {
          // Older rows were archived: continue from a checkpoint that ends where this row starts.
          const start = checkpoints.find(
            (cp) => cp.throughSeq < row.seq && cp.throughHash === row.prevHash,
          );
          if (!start) {
            return {
              ok: false,
              count,
              brokenAtSeq: row.seq,
              message: `审计链在第 ${row.seq} 条记录之前缺失：记录被删除，且没有对应的归档检查点`,
            };
          }
          prevHash = start.throughHash;
        }
      }
      const expected = auditHash(
        prevHash,
        { ...row, at: new Date(row.at).toISOString() },
        hashSuiteOf(row.hash),
      );
      const cp = bySeq.get(row.seq);
      if (
        row.prevHash !== prevHash ||
        row.hash !== expected ||
        (cp && cp.throughHash !== row.hash)
      ) {
        return {
          ok: false,
          count,
          brokenAtSeq: row.seq,
          message: `审计链在第 ${row.seq} 条记录处断裂：记录被修改、删除或插入`,
        };
      }
      prevHash = row.hash;
      lastSeq = row.seq;
      count++;
    }
  }
  // A checkpoint beyond the last row means rows up to it were removed — unless every row was
  // archived (an empty log after an archive checkpoint).
  const last = checkpoints.at(-1);
  if (last && last.throughSeq > lastSeq && !(count === 0 && last.kind === 'archive')) {
    return {
      ok: false,
      count,
      brokenAtSeq: last.throughSeq,
      message: `审计链缺少第 ${lastSeq + 1}–${last.throughSeq} 条记录：检查点之前的记录被删除`,
    };
  }
  return { ok: true, count, firstSeq, checkpointCount: checkpoints.length };
};
