import {
  type PGlite,
  protocol,
  type QueryOptions,
  type Results,
  type Transaction,
} from '@electric-sql/pglite';

/**
 * The client drizzle is given on PGlite: every statement run as a named statement of PGlite's one
 * backend, parsed once per text and kept (at most `max`, the oldest closed first), each run one
 * call into PGlite (Bind, Execute, Sync) whose answer is read here.
 *
 * PGlite's own `query` parses and plans the text on every call, sends five messages and a Sync in
 * six calls into its WebAssembly (each answer parsed into message objects), then builds the rows
 * from those. Here the rows are built straight from the answer's bytes, with the same parsers
 * (PGlite's, the array types it found at start, and the call's own, as drizzle passes them) and
 * the same shape of result (`rows` as objects or arrays, `fields`, `affectedRows`, `rowCount`).
 *
 * The same locks as `query`: a statement outside a transaction waits for a transaction in course
 * and for the statement before it; one inside a transaction (drizzle's `transaction`, through
 * PGlite's) waits only for the statement before it. A database error is thrown as PGlite throws
 * it (its `DatabaseError`, with `query`, `params` and `queryOptions`); the backend then discards
 * the rest up to the Sync, as it does for `query`. A COPY with a Blob goes PGlite's own way
 * (`ownPath`).
 *
 * Planning: a kept statement is planned with its values for its first five runs, then PostgreSQL
 * may keep one generic plan for it (plan_cache_mode auto), as on a PostgreSQL connection.
 */
export class PgliteStatements {
  readonly #pglite: PGlite;
  readonly #max: number;
  /** Kept statements by text, oldest first (a Map keeps insertion order; a hit moves to the end). */
  readonly #kept = new Map<string, TKept>();
  #next = 0;
  /** Names of statements forgotten (`#forgetAll`), closed with the next parse. */
  #closing: string[] = [];

  constructor(pglite: PGlite, max = 500) {
    this.#pglite = pglite;
    this.#max = max;
  }

  /** Statements kept now (tests). */
  get size(): number {
    return this.#kept.size;
  }

  query<T>(text: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>> {
    const pglite = this.#pglite;
    if (ownPath(options)) return pglite.query<T>(text, params, options);
    return pglite._runExclusiveTransaction(() =>
      pglite._runExclusiveQuery(() => this.#run<T>(text, params ?? [], options, false)),
    );
  }

  /** As PGlite's `transaction`; its statements go through `query` here too. */
  transaction<T>(callback: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.#pglite.transaction((tx) => {
      const inner: Transaction = Object.create(tx, {
        query: {
          value: <R>(text: string, params?: unknown[], options?: QueryOptions) => {
            if (ownPath(options)) return tx.query<R>(text, params, options);
            if (tx.closed) throw new Error('Transaction is closed');
            return this.#pglite._runExclusiveQuery(() =>
              this.#run<R>(text, params ?? [], options, true),
            );
          },
        },
      });
      return callback(inner);
    });
  }

  exec(text: string, options?: QueryOptions): Promise<Results[]> {
    return this.#pglite.exec(text, options);
  }

  async #run<T>(
    text: string,
    params: unknown[],
    options: QueryOptions | undefined,
    inTransaction: boolean,
  ): Promise<Results<T>> {
    await this.#pglite._checkReady();
    let kept = this.#kept.get(text);
    if (kept && !sameTypes(kept.paramTypes, options?.paramTypes)) {
      // The same text with other declared parameter types: parsed again, the old one closed.
      this.#kept.delete(text);
      this.#closing.push(kept.name);
      kept = undefined;
    }
    if (kept) {
      this.#kept.delete(text);
      this.#kept.set(text, kept);
    } else {
      kept = await this.#prepare(text, params, options);
    }
    const values = params.map((param, i) => {
      if (param === null || param === undefined) return null;
      const oid = kept.paramOids[i]!;
      const serialize = options?.serializers?.[oid] ?? this.#pglite.serializers[oid];
      return serialize ? serialize(param) : String(param);
    });
    const message = new Writer();
    message.bind(kept.name, values);
    message.execute();
    message.sync();
    const answer = await this.#call(message.bytes());
    if (!inTransaction) await this.#pglite.syncToFs();
    const result = readResult<T>(
      answer,
      kept.fields,
      this.#parsers(kept.fields, options),
      options,
      text,
      params,
    );
    if (result.command !== undefined && SCHEMA_CHANGES.has(result.command)) this.#forgetAll();
    return result;
  }

  /**
   * After a change of the schema (a migration's statements come this way), every kept statement
   * is closed at the next parse: one kept across it could have a plan whose columns changed
   * ("cached plan must not change result type"), which an unnamed statement never meets.
   */
  #forgetAll() {
    for (const kept of this.#kept.values()) this.#closing.push(kept.name);
    this.#kept.clear();
  }

  /** Parses `text` as a new named statement (closing the oldest beyond `max`). */
  async #prepare(text: string, params: unknown[], options?: QueryOptions): Promise<TKept> {
    const message = new Writer();
    for (const closing of this.#closing) message.close(closing);
    this.#closing = [];
    if (this.#kept.size >= this.#max) {
      const [oldestText, oldest] = this.#kept.entries().next().value as [string, TKept];
      this.#kept.delete(oldestText);
      message.close(oldest.name);
    }
    const name = `s${++this.#next}`;
    message.parse(name, text, options?.paramTypes ?? []);
    message.describeStatement(name);
    message.sync();
    const answer = await this.#call(message.bytes());
    const description = readDescription(answer);
    if (description.error) {
      throw withQuery(description.error, text, params, options);
    }
    const kept: TKept = {
      name,
      paramTypes: options?.paramTypes,
      paramOids: description.paramOids,
      fields: description.fields,
    };
    this.#kept.set(text, kept);
    return kept;
  }

  /** Each column's parser: the call's own (drizzle passes its dates and intervals as text), else PGlite's. */
  #parsers(fields: TField[], options?: QueryOptions): (TParser | undefined)[] {
    const own = options?.parsers as Record<number, TParser> | undefined;
    const pglite = this.#pglite.parsers as Record<number, TParser>;
    return fields.map((f) => own?.[f.dataTypeID] ?? pglite[f.dataTypeID]);
  }

  /** One call into PGlite; the answer's bytes (copied out of its memory). */
  async #call(message: Uint8Array): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    let length = 0;
    await this.#pglite.execProtocolRawStream(message, {
      syncToFs: false,
      onRawData: (bytes: Uint8Array) => {
        chunks.push(bytes.slice());
        length += bytes.length;
      },
    });
    if (chunks.length === 1) return chunks[0]!;
    const all = new Uint8Array(length);
    let at = 0;
    for (const chunk of chunks) {
      all.set(chunk, at);
      at += chunk.length;
    }
    return all;
  }
}

/**
 * A COPY with a Blob (`/dev/blob`: the import's and pay's bulk writes) or a call that wants the
 * notices goes PGlite's own way, which handles both.
 */
const ownPath = (options: QueryOptions | undefined): boolean =>
  options?.blob !== undefined || options?.onNotice !== undefined;

/** Commands after which kept statements are forgotten (`#forgetAll`). */
const SCHEMA_CHANGES = new Set(['CREATE', 'ALTER', 'DROP']);

/** Commands whose tag's count is of rows written (`affectedRows`). */
const ROW_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'COPY', 'MERGE']);

type TField = { name: string; dataTypeID: number };
type TKept = {
  name: string;
  paramTypes: number[] | undefined;
  paramOids: number[];
  fields: TField[];
};

type TParser = (x: string, typeId?: number) => unknown;

const sameTypes = (a: number[] | undefined, b: number[] | undefined): boolean => {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return (a?.length ?? 0) === 0 && (b?.length ?? 0) === 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Frontend messages of the extended protocol, written into one growing buffer. */
class Writer {
  #buffer = new Uint8Array(256);
  #view = new DataView(this.#buffer.buffer);
  #at = 0;

  #room(n: number) {
    if (this.#at + n <= this.#buffer.length) return;
    let size = this.#buffer.length * 2;
    while (size < this.#at + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buffer.subarray(0, this.#at));
    this.#buffer = next;
    this.#view = new DataView(next.buffer);
  }
  #byte(b: number) {
    this.#room(1);
    this.#buffer[this.#at++] = b;
  }
  #int16(n: number) {
    this.#room(2);
    this.#view.setInt16(this.#at, n);
    this.#at += 2;
  }
  #int32(n: number) {
    this.#room(4);
    this.#view.setInt32(this.#at, n);
    this.#at += 4;
  }
  #cstring(s: string) {
    this.#room(s.length * 3 + 1);
    this.#at += encoder.encodeInto(s, this.#buffer.subarray(this.#at)).written;
    this.#buffer[this.#at++] = 0;
  }
  /** Starts a message: its code and room for its length; `#end` fills the length in. */
  #begin(code: string): number {
    const start = this.#at;
    this.#byte(code.charCodeAt(0));
    this.#int32(0);
    return start;
  }
  #end(start: number) {
    this.#view.setInt32(start + 1, this.#at - start - 1);
  }

  parse(name: string, text: string, types: number[]) {
    const start = this.#begin('P');
    this.#cstring(name);
    this.#cstring(text);
    this.#int16(types.length);
    for (const t of types) this.#int32(t);
    this.#end(start);
  }
  describeStatement(name: string) {
    const start = this.#begin('D');
    this.#byte('S'.charCodeAt(0));
    this.#cstring(name);
    this.#end(start);
  }
  close(name: string) {
    const start = this.#begin('C');
    this.#byte('S'.charCodeAt(0));
    this.#cstring(name);
    this.#end(start);
  }
  bind(name: string, values: (string | null)[]) {
    const start = this.#begin('B');
    this.#cstring('');
    this.#cstring(name);
    this.#int16(0); // every parameter as text
    this.#int16(values.length);
    for (const value of values) {
      if (value === null) {
        this.#int32(-1);
        continue;
      }
      this.#room(value.length * 3 + 4);
      const lengthAt = this.#at;
      this.#at += 4;
      const written = encoder.encodeInto(value, this.#buffer.subarray(this.#at)).written;
      this.#view.setInt32(lengthAt, written);
      this.#at += written;
    }
    this.#int16(0); // every column as text
    this.#end(start);
  }
  execute() {
    const start = this.#begin('E');
    this.#cstring('');
    this.#int32(0);
    this.#end(start);
  }
  sync() {
    const start = this.#begin('S');
    this.#end(start);
  }
  bytes(): Uint8Array {
    return this.#buffer.subarray(0, this.#at);
  }
}

/** The first database error of an answer, as PGlite's parser reads it. */
const databaseError = (answer: Uint8Array): Error => {
  let error: Error | undefined;
  new protocol.Parser().parse(answer, (message) => {
    if (!error && message instanceof Error && message.name === 'error') error = message;
  });
  return error ?? new Error('PGlite: an error without a message');
};

const withQuery = (error: Error, query: string, params: unknown[], options?: QueryOptions) =>
  Object.assign(error, { query, params, queryOptions: options });

const cstringEnd = (bytes: Uint8Array, at: number) => {
  let end = at;
  while (bytes[end] !== 0) end++;
  return end;
};

/** Reads the answer to Parse + Describe (statement) + Sync: parameter types and columns. */
const readDescription = (
  answer: Uint8Array,
): { paramOids: number[]; fields: TField[]; error?: Error } => {
  const view = new DataView(answer.buffer, answer.byteOffset, answer.byteLength);
  const paramOids: number[] = [];
  const fields: TField[] = [];
  let at = 0;
  while (at < answer.length) {
    const code = answer[at]!;
    const next = at + 1 + view.getInt32(at + 1);
    let p = at + 5;
    if (code === 0x45 /* E */) return { paramOids, fields, error: databaseError(answer) };
    if (code === 0x74 /* t */) {
      const n = view.getInt16(p);
      p += 2;
      for (let i = 0; i < n; i++, p += 4) paramOids.push(view.getUint32(p));
    } else if (code === 0x54 /* T */) {
      const n = view.getInt16(p);
      p += 2;
      for (let i = 0; i < n; i++) {
        const end = cstringEnd(answer, p);
        const name = decoder.decode(answer.subarray(p, end));
        p = end + 1;
        const dataTypeID = view.getUint32(p + 6);
        p += 18;
        fields.push({ name, dataTypeID });
      }
    }
    at = next;
  }
  return { paramOids, fields };
};

/** Reads the answer to Bind + Execute + Sync into PGlite's result shape (`parseResults`). */
const readResult = <T>(
  answer: Uint8Array,
  fields: TField[],
  columnParsers: (TParser | undefined)[],
  options: QueryOptions | undefined,
  text: string,
  params: unknown[],
): Results<T> => {
  const view = new DataView(answer.buffer, answer.byteOffset, answer.byteLength);
  const arrays = options?.rowMode === 'array';
  const rows: unknown[] = [];
  let affectedRows = 0;
  let result: Results<T> | undefined;
  let at = 0;
  while (at < answer.length) {
    const code = answer[at]!;
    const next = at + 1 + view.getInt32(at + 1);
    let p = at + 5;
    if (code === 0x44 /* D */) {
      const n = view.getInt16(p);
      p += 2;
      const row: Record<string, unknown> | unknown[] = arrays ? new Array(n) : {};
      for (let i = 0; i < n; i++) {
        const length = view.getInt32(p);
        p += 4;
        let value: unknown = null;
        if (length !== -1) {
          const raw = decoder.decode(answer.subarray(p, p + length));
          p += length;
          const parse = columnParsers[i];
          value = parse ? parse(raw, fields[i]!.dataTypeID) : raw;
        }
        if (arrays) (row as unknown[])[i] = value;
        else (row as Record<string, unknown>)[fields[i]!.name] = value;
      }
      rows.push(row);
    } else if (code === 0x43 /* C */) {
      const tag = decoder.decode(answer.subarray(p, cstringEnd(answer, p)));
      const parts = tag.split(' ');
      const command = parts[0]!;
      const rowCount = Number.parseInt(parts[parts.length - 1]!, 10);
      if (ROW_COMMANDS.has(command)) {
        affectedRows += rowCount;
      }
      result = {
        rows: rows as T[],
        fields: fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
        command,
        affectedRows,
      } as Results<T>;
      if (!Number.isNaN(rowCount)) result.rowCount = rowCount;
    } else if (code === 0x45 /* E */) {
      throw withQuery(databaseError(answer.subarray(at)), text, params, options);
    }
    at = next;
  }
  return result ?? ({ rows: [], fields: [], affectedRows: 0 } as Results<T>);
};
