import { AsyncLocalStorage } from 'node:async_hooks';
import { AppError } from '@shegong/shared';
import type { Logger } from 'drizzle-orm';
import pg from 'pg';
import type { TLogger } from '../logger.ts';

/**
 * The abort signal of the HTTP request being served, seen by the database layer without being
 * passed through every use case and repository: a request whose client has disconnected stops
 * at its next statement (`statementGate`), and on PostgreSQL its running statement is cancelled
 * (`cancelOnAbort`). Work that must outlive the request (a job it starts) runs `outsideRequest`.
 */
const requestSignal = new AsyncLocalStorage<AbortSignal>();

/** Runs `fn` (the rest of a request's handling) with `signal` as the request's signal. */
export const runWithRequestSignal = <T>(signal: AbortSignal, fn: () => T): T =>
  requestSignal.run(signal, fn);

/** Runs `fn` detached from the request being served: its statements run whatever the client. */
export const outsideRequest = <T>(fn: () => T): T => requestSignal.exit(fn);

const clientGone = (cause?: unknown) =>
  new AppError('CLIENT_CLOSED', '客户端已断开连接，请求已停止，未提交的修改已撤销', { cause });

/**
 * Statements that always run: `rollback` undoes the transaction of a stopped request, and
 * drizzle's node-postgres transaction gives its pooled connection back only once `begin` has
 * run (the statement after it stops the transaction instead).
 */
const ALWAYS_RUN = /^\s*(begin|rollback)\b/i;

/**
 * Throws CLIENT_CLOSED before a statement of a request whose client has gone. drizzle calls its
 * logger's `logQuery` before sending every statement, on both drivers, inside and outside
 * transactions: the one place that sees them all. A use case stopped this way is one
 * transaction, so it is rolled back whole.
 */
export const statementGate: Logger = {
  logQuery(query) {
    if (requestSignal.getStore()?.aborted && !ALWAYS_RUN.test(query)) throw clientGone();
  },
};

/** The name the cancels' connections carry in pg_stat_activity. */
export const CANCEL_APPLICATION_NAME = 'shegong-cancel';

/** How long a cancel may take to connect; the request's answer waits for it at most this long. */
const CANCEL_CONNECT_TIMEOUT_MS = 3_000;

/** Skipped cancels are logged at most this often (with the counters). */
const SKIP_LOG_INTERVAL_MS = 60_000;

/** Counters of the cancels of one process (exposed on the database as `cancels`). */
export type TCancelStats = {
  /** Cancels allowed at once (each opens a connection of its own). */
  readonly maxInflight: number;
  /** Cancel connections open now, and the most at once. */
  inflight: number;
  peak: number;
  /** Cancels delivered (`pg_cancel_backend` ran), and those that could not connect or run. */
  sent: number;
  failed: number;
  /** Statements left to run to their end because `maxInflight` cancels were already in flight. */
  skipped: number;
};

/**
 * Asks PostgreSQL to cancel what backend `pid` is running, from a connection of its own (one
 * statement in autocommit: nothing is left open). (A shared pool of two for the cancels was
 * tried: under the load bench's end, 200 connections closed mid-write, one transaction was left
 * idle holding the audit chain's advisory lock and every later write waited on it; cause not
 * established, fb3a9da. The bound is now a count of cancels in flight, `cancelOnAbort`, with no
 * queue: no request waits behind another's cancel.)
 */
const cancelBackend = async (url: string, pid: number, stats: TCancelStats) => {
  const client = new pg.Client({
    connectionString: url,
    application_name: CANCEL_APPLICATION_NAME,
    connectionTimeoutMillis: CANCEL_CONNECT_TIMEOUT_MS,
  });
  client.on('error', () => {
    // A connection lost after its cancel; nothing to do.
  });
  try {
    await client.connect();
    await client.query('select pg_cancel_backend($1)', [pid]);
    stats.sent++;
  } catch {
    // The statement ends on its own; the next one stops at the gate.
    stats.failed++;
  } finally {
    await client.end().catch(() => undefined);
  }
};

/**
 * On PostgreSQL, a statement still running when its request's client disconnects is cancelled
 * (`pg_cancel_backend` from a connection of its own), so a long read (an export, a broad list)
 * stops at once rather than at its end. The answer (and the connection's return to the pool)
 * waits until the cancel was delivered: a late cancel cannot reach the next request's
 * statement. At most `maxCancels` cancels are in flight in the process (each is one more
 * connection to the server): when many clients leave at once, the statements beyond that are not
 * cancelled — they run to their end, the request stops at its next statement, and they are
 * counted as `skipped`. PGlite runs a statement in this thread without interruption; there the
 * next statement stops. Streams and cursors (a query object with `submit`, e.g. COPY) are passed
 * through untouched: they stop at the gate of their next statement. Skips are logged on `log`,
 * at most once a minute. Returns the counters.
 */
export const cancelOnAbort = (
  pool: pg.Pool,
  url: string,
  maxCancels: number,
  log?: Pick<TLogger, 'warn'>,
): TCancelStats => {
  const stats: TCancelStats = {
    maxInflight: maxCancels,
    inflight: 0,
    peak: 0,
    sent: 0,
    failed: 0,
    skipped: 0,
  };
  let lastSkipLog = -Infinity;
  // pg-pool calls a waiting caller back from another caller's release: run the callback in the
  // waiting caller's request (or in none), so its statement is tied to its own signal.
  // (AsyncResource.bind does the same at several times the cost: measured 1.5% of the CPU.)
  const connect = pool.connect.bind(pool) as (callback?: (...a: unknown[]) => void) => unknown;
  pool.connect = ((callback?: (...a: unknown[]) => void) => {
    if (!callback) return connect();
    const signal = requestSignal.getStore();
    return connect((...a) =>
      signal ? requestSignal.run(signal, callback, ...a) : requestSignal.exit(callback, ...a),
    );
  }) as typeof pool.connect;
  pool.on('connect', (client) => {
    const query = client.query as (...a: unknown[]) => unknown;
    const pid = () => (client as unknown as { processID: number }).processID;
    client.query = function (this: pg.PoolClient, ...args: unknown[]) {
      const signal = requestSignal.getStore();
      const submittable = typeof (args[0] as { submit?: unknown } | null)?.submit === 'function';
      if (!signal || submittable) return query.apply(this, args);
      let cancelling: Promise<void> | undefined;
      const onAbort = () => {
        if (stats.inflight >= stats.maxInflight) {
          stats.skipped++;
          const now = performance.now();
          if (now - lastSkipLog >= SKIP_LOG_INTERVAL_MS) {
            lastSkipLog = now;
            log?.warn(
              { cancels: { ...stats } },
              `已有 ${stats.maxInflight} 个语句取消在进行（DB_CANCEL_MAX_INFLIGHT），客户端已断开的请求的语句未被取消，将运行至结束（累计 ${stats.skipped} 条）`,
            );
          }
          return;
        }
        stats.inflight++;
        stats.peak = Math.max(stats.peak, stats.inflight);
        cancelling = cancelBackend(url, pid(), stats).finally(() => {
          stats.inflight--;
        });
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const settled = async () => {
        signal.removeEventListener('abort', onAbort);
        await cancelling;
      };
      const failed = (error: unknown) => (signal.aborted ? clientGone(error) : error);
      const callback = args.at(-1);
      // pool.query calls back; a checked-out client (a transaction) is awaited.
      if (typeof callback === 'function') {
        args[args.length - 1] = (error: unknown, result: unknown) => {
          // Called back outside the promise, as pg would: a throw in it is not swallowed.
          void settled().then(() =>
            process.nextTick(callback as (...a: unknown[]) => void, error && failed(error), result),
          );
        };
        return query.apply(this, args);
      }
      return (query.apply(this, args) as Promise<unknown>).then(
        async (value) => {
          await settled();
          return value;
        },
        async (error) => {
          await settled();
          throw failed(error);
        },
      );
    } as typeof client.query;
  });
  return stats;
};
