import os from 'node:os';
import { AppError } from '@shegong/shared';
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { TCtx } from '../context.ts';
import type { TExecutor } from '../db/client.ts';
import { outsideRequest } from '../db/request-signal.ts';
import { job } from '../db/schema/index.ts';
import { pathInScope } from '../modules/org/org-scope.ts';
import { newId } from '../security/ids.ts';

export type TJobRow = typeof job.$inferSelect;

/** Reports progress; writes are throttled so a tight loop can call it for every row. */
export type TJobReporter = (done: number, total?: number, message?: string) => Promise<void>;

export type TJobHandle<T> = { id: string; finished: Promise<T | undefined> };

const THROTTLE_MS = 400;
const PROCESS_OWNER = `${os.hostname()}:${process.pid}`;
const HEARTBEAT_MS = 20_000;
/** A running job without a heartbeat for this long belongs to a process that is gone. */
export const STALE_JOB_MS = 90_000;

const errorJson = (error: unknown) =>
  error instanceof AppError
    ? error.toJSON()
    : { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };

/**
 * Starts a long task in the background of this process and returns its id at once; the task
 * reports progress into the `job` table (readable by any process) and ends as succeeded with a
 * result or failed with a Chinese error. The task must be atomic or resumable on its own: a
 * crash leaves the job 'interrupted' (see `markInterruptedJobs`), never half-reported as done.
 */
export const startJob = async <T>(
  ctx: TCtx,
  meta: { kind: string; title: string; total?: number },
  run: (report: TJobReporter) => Promise<T>,
): Promise<TJobHandle<T>> => {
  // The task outlives the request that starts it: its statements run whatever that client does.
  const tracked = await outsideRequest(() => trackJob(ctx, meta, run));
  return {
    id: tracked.id,
    finished: tracked.finished.catch((error) => {
      ctx.log.warn({ err: error, jobId: tracked.id }, 'job failed');
      return undefined;
    }),
  };
};

/**
 * Runs a long task in the foreground (a CLI command) with the same job row as `startJob`: its
 * progress is readable by a server on the same database, and a process killed during the task
 * leaves the row 'running' for `markInterruptedJobs` to mark 'interrupted'. Resolves with the
 * task's result; rejects with its error after recording it.
 */
export const runJob = async <T>(
  ctx: TCtx,
  meta: { kind: string; title: string; total?: number },
  run: (report: TJobReporter) => Promise<T>,
): Promise<{ id: string; result: T }> => {
  const tracked = await trackJob(ctx, meta, run);
  return { id: tracked.id, result: await tracked.finished };
};

/** Inserts the job row and runs the task; `finished` rejects when the task fails. */
const trackJob = async <T>(
  ctx: TCtx,
  meta: { kind: string; title: string; total?: number },
  run: (report: TJobReporter) => Promise<T>,
): Promise<{ id: string; finished: Promise<T> }> => {
  const { db } = ctx.services.database;
  const id = newId();
  await db.insert(job).values({
    id,
    kind: meta.kind,
    status: 'running',
    title: meta.title,
    total: meta.total ?? null,
    owner: PROCESS_OWNER,
    createdBy: ctx.actor.id,
    orgPath: ctx.actor.scope.path,
  });
  let last = 0;
  // The latest progress, written at the end even when the throttle skipped it.
  let latest: { done?: number; total?: number; message?: string } = {};
  const progressSet = () => ({
    ...(latest.done === undefined ? {} : { done: latest.done }),
    ...(latest.total === undefined ? {} : { total: latest.total }),
    ...(latest.message ? { message: latest.message } : {}),
  });
  const report: TJobReporter = async (done, total, message) => {
    latest = {
      done,
      total: total ?? latest.total,
      message: message || latest.message,
    };
    const now = Date.now();
    if (now - last < THROTTLE_MS) return;
    last = now;
    await db
      .update(job)
      .set({ ...progressSet(), updatedAt: new Date().toISOString() })
      .where(eq(job.id, id));
  };
  // A heartbeat while the task runs, so a job whose process died can be told from a slow one.
  const heartbeat = setInterval(() => {
    db.update(job)
      .set({ updatedAt: new Date().toISOString() })
      .where(eq(job.id, id))
      .catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const finished = (async () => {
    try {
      const result = await run(report);
      await db
        .update(job)
        .set({
          ...progressSet(),
          status: 'succeeded',
          result: (result ?? null) as never,
          finishedAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
        })
        .where(eq(job.id, id));
      return result;
    } catch (error) {
      await db
        .update(job)
        .set({
          ...progressSet(),
          status: 'failed',
          error: errorJson(error),
          finishedAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
        })
        .where(eq(job.id, id))
        .catch(() => undefined);
      throw error;
    } finally {
      clearInterval(heartbeat);
      await checkpointEmbedded(ctx);
    }
  })();
  return { id, finished };
};

/**
 * PGlite runs without a checkpointer process: a checkpoint happens only when max_wal_size (1 GB)
 * of WAL has been written or at a clean close, so a process killed after a few large jobs (an
 * import, a pay recomputation) replays all of their WAL at the next start — measured in
 * minutes on a busy machine (docs/reliability.md). A checkpoint after each job bounds the replay
 * to the job that was running.
 */
const checkpointEmbedded = async (ctx: TCtx) => {
  if (ctx.services.database.kind !== 'pglite') return;
  try {
    await ctx.services.database.db.execute(sql`checkpoint`);
  } catch (error) {
    ctx.log.warn({ err: error }, 'checkpoint after job failed');
  }
};

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * At start-up (of the server, and of CLI commands that run jobs): jobs left running by a process
 * that died are marked interrupted — at once when that process ran on this host and is gone,
 * otherwise when its heartbeat has been silent for STALE_JOB_MS (another server of a cluster, or
 * a CLI run elsewhere). Jobs of live processes are left alone. Returns the jobs it marked.
 */
export const markInterruptedJobs = async (
  db: TExecutor,
  now = Date.now(),
): Promise<Array<{ id: string; kind: string; title: string; createdAt: string }>> => {
  const running = await db
    .select({
      id: job.id,
      kind: job.kind,
      title: job.title,
      owner: job.owner,
      createdAt: job.createdAt,
      updatedAt: job.updatedAt,
    })
    .from(job)
    .where(inArray(job.status, ['queued', 'running']));
  const dead = running.filter((j) => {
    const [host, pid] = (j.owner ?? '').split(':');
    if (host === os.hostname() && pid && Number(pid) !== process.pid) return !isAlive(Number(pid));
    return new Date(j.updatedAt).getTime() < now - STALE_JOB_MS;
  });
  if (dead.length === 0) return [];
  await db
    .update(job)
    .set({
      status: 'interrupted',
      message: '进程终止，任务中断（已提交的部分保留，未提交的未写入；可重新执行）',
      finishedAt: new Date(now).toISOString(),
    })
    .where(
      inArray(
        job.id,
        dead.map((j) => j.id),
      ),
    );
  return dead.map(({ id, kind, title, createdAt }) => ({ id, kind, title, createdAt }));
};

export const findJobInScope = async (ctx: TCtx, id: string) =>
  (
    await ctx.db
      .select()
      .from(job)
      .where(and(eq(job.id, id), pathInScope(job.orgPath, ctx.actor.scope)))
      .limit(1)
  )[0];

export const listMyJobs = (ctx: TCtx) =>
  ctx.db
    .select()
    .from(job)
    .where(eq(job.createdBy, ctx.actor.id))
    .orderBy(desc(job.createdAt))
    .limit(50);

export const toJobView = (row: TJobRow) => ({
  id: row.id,
  kind: row.kind,
  title: row.title,
  status: row.status as 'running' | 'succeeded' | 'failed' | 'interrupted' | 'queued',
  done: row.done,
  total: row.total,
  message: row.message,
  result: row.result,
  error: row.error,
  createdAt: row.createdAt,
  finishedAt: row.finishedAt,
});
