import { hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { AppError } from '@shegong/shared';
import { type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { type PgDatabase, PgDialect, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import type { TLogger } from '../logger.ts';
import { acquireDirLock, type TDirLock } from './dir-lock.ts';
import { PgliteStatements } from './pglite-statements.ts';
import { cancelOnAbort, statementGate, type TCancelStats } from './request-signal.ts';
import * as schema from './schema/index.ts';

export type TSchema = typeof schema;
/** A database or a transaction: every repository function takes one of these. */
export type TExecutor = PgDatabase<PgQueryResultHKT, TSchema>;

export type TDatabase = {
  kind: 'pglite' | 'postgres';
  db: TExecutor;
  /** The PGlite instance (embedded mode only), for COPY and dumps. */
  pglite?: PGlite;
  /** The node-postgres pool (PostgreSQL mode only). */
  pool?: pg.Pool;
  /** Counters of the statement cancels of disconnected requests (PostgreSQL mode only). */
  cancels?: TCancelStats;
  /**
   * Maintenance that need not hold up an answer (the VACUUM (ANALYZE) after a bulk load), run
   * after the answer, one task after another; a failure goes to `onError`, never to the caller.
   * `close` waits for what is queued.
   */
  afterwards: (task: () => Promise<unknown>, onError: (error: unknown) => void) => void;
  /** Resolves when the tasks given to `afterwards` so far have run. */
  settled: () => Promise<void>;
  close: () => Promise<void>;
};

/** `afterwards` and `settled` of a database: a queue of one task at a time. */
const backgroundQueue = (): Pick<TDatabase, 'afterwards' | 'settled'> => {
  let last: Promise<void> = Promise.resolve();
  return {
    afterwards: (task, onError) => {
      last = last.then(task).then(
        () => undefined,
        (error: unknown) => {
          try {
            onError(error);
          } catch {
            // A failing logger must not break the queue.
          }
        },
      );
    },
    settled: () => last,
  };
};

const migrationsFolder = path.join(import.meta.dirname, 'migrations');

// node-postgres parses int8 into strings and dates at local midnight; keep both exact.
pg.types.setTypeParser(20, (v) => Number(v)); // int8: counts and fen amounts stay below 2^53
pg.types.setTypeParser(1082, (v) => v); // date: keep 'YYYY-MM-DD'

/** Interval of PGlite's checkpoints (see openDatabase). */
const CHECKPOINT_MS = 5 * 60_000;

export type TOpenOptions =
  | { kind: 'pglite'; dataDir?: string; loadDataDir?: Blob; lock?: boolean }
  | {
      kind: 'postgres';
      url: string;
      max?: number;
      /** Statement cancels in flight at once (config DB_CANCEL_MAX_INFLIGHT). */
      maxCancels?: number;
      /** Where skipped cancels are reported (warn). */
      log?: Pick<TLogger, 'warn'>;
    };

/** Default of DB_CANCEL_MAX_INFLIGHT. */
export const DEFAULT_MAX_CANCELS = 4;

/**
 * Opens PGlite in a data directory (holding a lock file so a second process cannot open it)
 * or a PostgreSQL pool.
 */
export const openDatabase = async (options: TOpenOptions): Promise<TDatabase> => {
  if (options.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: options.url, max: options.max ?? 10 });
    pool.on('error', () => {
      // An idle client lost its connection; the pool replaces it on next use.
    });
    const cancels = cancelOnAbort(
      pool,
      options.url,
      options.maxCancels ?? DEFAULT_MAX_CANCELS,
      options.log,
    );
    const db = drizzlePg(pool, { schema, logger: statementGate }) as unknown as TExecutor;
    const background = backgroundQueue();
    return {
      kind: 'postgres',
      db,
      pool,
      cancels,
      ...background,
      close: async () => {
        await background.settled();
        await pool.end();
      },
    };
  }
  let lock: TDirLock | undefined;
  if (options.dataDir) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    if (options.lock !== false) lock = acquireDirLock(options.dataDir);
  }
  try {
    const pglite = await PGlite.create({
      dataDir: options.dataDir ? path.join(options.dataDir, 'pgdata') : undefined,
      loadDataDir: options.loadDataDir,
    });
    // Every statement through PgliteStatements: parsed once per text and kept as a named statement
    // of the one backend, run in one call into PGlite, its rows read from the answer's bytes.
    const db = drizzlePglite(new PgliteStatements(pglite) as unknown as PGlite, {
      schema,
      logger: statementGate,
    }) as unknown as TExecutor;
    // PGlite is one backend without a checkpointer: it never checkpoints by time or by WAL
    // volume (measured: 131 MB of WAL past max_wal_size = 32MB, redo point unmoved), so a killed
    // process replays all WAL since it opened the directory. A checkpoint every few minutes (as
    // checkpoint_timeout does for PostgreSQL) bounds the replay; jobs also checkpoint at their end.
    const checkpoints = options.dataDir
      ? setInterval(() => {
          pglite.exec('checkpoint').catch(() => undefined);
        }, CHECKPOINT_MS)
      : undefined;
    checkpoints?.unref();
    const background = backgroundQueue();
    return {
      kind: 'pglite',
      db,
      pglite,
      ...background,
      close: async () => {
        await background.settled();
        clearInterval(checkpoints);
        await pglite.close();
        lock?.release();
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
};

/** Applies the versioned migrations (the same SQL files on both drivers). */
export const runMigrations = async (database: TDatabase): Promise<void> => {
  if (database.kind === 'pglite') {
    // biome-ignore lint/suspicious/noExplicitAny: the migrator wants the concrete driver type
    await migratePglite(database.db as any, { migrationsFolder });
  } else {
    const [row] = await queryRows<{ version: string }>(
      database.db,
      sql`select current_setting('server_version_num') as version`,
    );
    assertPostgresVersion(Number(row?.version));
    // biome-ignore lint/suspicious/noExplicitAny: the migrator wants the concrete driver type
    await migratePg(database.db as any, { migrationsFolder });
  }
};

/** The oldest PostgreSQL the SQL is written for: `split_part` with a negative field (14). */
export const MIN_POSTGRES_VERSION = 140000;

/** Refuses, before any migration, a server older than the SQL needs (`server_version_num`). */
export const assertPostgresVersion = (versionNum: number): void => {
  if (versionNum >= MIN_POSTGRES_VERSION) return;
  const major = Math.floor(versionNum / 10000);
  throw new AppError(
    'CONFIG_INVALID',
    `PostgreSQL 版本过低：当前为 ${major}，需要 ${MIN_POSTGRES_VERSION / 10000} 或更高版本`,
    { where: { key: 'DATABASE_URL' } },
  );
};

export const assertDatabaseUrl = (url: string): void => {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new AppError('CONFIG_INVALID', 'DATABASE_URL 必须以 postgres:// 开头', {
      where: { key: 'DATABASE_URL' },
    });
  }
};

/** Runs raw SQL and returns its rows (both drivers answer `{ rows }`). */
export const queryRows = async <T>(db: TExecutor, query: SQL): Promise<T[]> =>
  ((await db.execute(query)) as unknown as { rows: T[] }).rows;

const dialect = new PgDialect();

/**
 * `queryRows` as a named (prepared) statement on PostgreSQL: each pooled connection parses and
 * plans the statement once, and after five executions PostgreSQL may keep one generic plan for
 * it (plan_cache_mode auto) — so use it only for a statement whose best plan does not depend on
 * its parameters' values (not, e.g., a `like $1` that must become an index range). The name is
 * `prefix` and a hash of the SQL text, so each shape of a statement built from filters is
 * prepared apart. On PGlite the name is not used: every statement there is kept as a named
 * statement by its text (`PgliteStatements`), this one as any other.
 */
export const queryRowsPrepared = async <T>(
  db: TExecutor,
  prefix: string,
  query: SQL,
): Promise<T[]> => runPrepared<T>(prepareSql(db, prefix, query));

/** A prepared statement (`prepareSql`). */
export type TPreparedSql = ReturnType<TExecutor['_']['session']['prepareQuery']>;

/**
 * The named statement of `queryRowsPrepared`, built once: for a statement kept and run many
 * times, its values given as `sql.placeholder`s at each run (`runPrepared`) — drizzle's
 * building of it and the hash of its text are then not paid per request.
 */
export const prepareSql = (db: TExecutor, prefix: string, query: SQL): TPreparedSql => {
  const built = dialect.sqlToQuery(query);
  const name = `${prefix}_${hash('sha1', built.sql, 'hex').slice(0, 24)}`;
  return db._.session.prepareQuery(built, undefined, name, false);
};

/** Per database (or transaction), the statements `keptSql` built, by prefix and shape. */
const keptStatements = new WeakMap<TExecutor, Map<string, TPreparedSql>>();

/**
 * A statement built once per database and shape and run with each request's values as
 * `sql.placeholder`s (`runPrepared`): drizzle's building of it (and for a named statement the hash
 * of its text) is paid once, not per request. `shape` names what `build` puts in the statement
 * besides its placeholders — which conditions, the scope's kind — and must change whenever the
 * SQL would. `named`: a named statement, as `prepareSql` (PostgreSQL plans it once per
 * connection, for a plan that does not depend on the values); false: unnamed, parsed and planned
 * with its values on every run, as `queryRows` runs a statement (a `like $1` that must become an
 * index range).
 */
export const keptSql = (
  db: TExecutor,
  prefix: string,
  shape: string,
  build: () => SQL,
  named = true,
): TPreparedSql => {
  let byShape = keptStatements.get(db);
  if (!byShape) {
    byShape = new Map();
    keptStatements.set(db, byShape);
  }
  const key = `${prefix}:${shape}`;
  let prepared = byShape.get(key);
  if (!prepared) {
    prepared = named
      ? prepareSql(db, prefix, build())
      : db._.session.prepareQuery(dialect.sqlToQuery(build()), undefined, undefined, false);
    byShape.set(key, prepared);
  }
  return prepared;
};

/** Runs a prepared statement with its placeholders' values; its rows. */
export const runPrepared = async <T>(
  prepared: TPreparedSql,
  values?: Record<string, unknown>,
): Promise<T[]> => ((await prepared.execute(values)) as unknown as { rows: T[] }).rows;

/**
 * A query builder's statement run as a named (prepared) statement, as `queryRowsPrepared` does
 * for raw SQL (same caveat: only for a plan that does not depend on the values). The builder's
 * SQL is built twice (for the name, then to run): ≈ 20 µs for a primary-key read.
 */
export const executePrepared = <R>(
  prefix: string,
  query: { toSQL(): { sql: string }; prepare(name: string): { execute(): Promise<R> } },
): Promise<R> =>
  query.prepare(`${prefix}_${hash('sha1', query.toSQL().sql, 'hex').slice(0, 24)}`).execute();
