import os from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  AppError,
  type TAppErrorCode,
  type TErrorWhere,
  type TFieldIssue,
  type TImportIssue,
  type TImportKind,
  type TImportKindSpec,
} from '@shegong/shared';
import type { TLogger } from '../../logger.ts';
import {
  readRecordBatches,
  type TReadOptions,
  type TRecord,
  type TSheetLayout,
} from './parse-file.ts';

// Reading an import's file in a worker thread: the xlsx (or CSV) reader, the cells, the header
// and the checks that need no database (the example row, required cells, a kind's row check
// such as the workers' shared schema, place and 身份证号) run there, and the calling thread gets
// the records a batch at a time — it keeps what needs the database and the writes
// (docs/performance.md, Import, sixth round). Same records, issues and errors as reading here.

export type TStartRead = {
  type: 'start';
  file: Uint8Array;
  fileName: string;
  kind: TImportKind;
  /** The data of the kind's row check (`TKindImporter.rowCheckData`), if it has one. */
  rowCheck?: unknown;
  /** Batches the thread may post before the caller asks for more. */
  ahead: number;
  /** What the calling thread read itself while this thread started: records up to `seq`, the
   * first `issues` issues and the answers to the first layouts — not repeated. */
  skip: { seq: number; issues: number; answers: boolean[] };
};

export type TToThread =
  | TStartRead
  | { type: 'more' }
  | { type: 'layout'; ok: boolean }
  | { type: 'fail' };

export type TThreadError =
  | {
      app: true;
      code: TAppErrorCode;
      message: string;
      where: TErrorWhere | undefined;
      issues: TFieldIssue[] | undefined;
      cause: TThreadError | undefined;
    }
  | { app: false; message: string; stack: string | undefined };

/** Each message carries the reader's issues found since the last and the bytes read so far
 * (but `ready`: the thread's modules are loaded). */
export type TFromThread =
  | { type: 'ready' }
  | ({ issues: TImportIssue[]; bytes: number } & (
      | { type: 'layout'; layout: TSheetLayout }
      | { type: 'batch'; records: TRecord[] }
      | { type: 'end' }
      | { type: 'error'; error: TThreadError }
    ));

export const readThreadConfig = {
  /**
   * Smaller files are read in the calling thread: a new thread took 0.7–1.9 s to load its
   * modules (tsx and zod) at load 2–3, longer than reading a 1 MB file (about 20,000 rows). With fewer than
   * 4 cores no file is: the thread's own CPU (loading, and copying the records between the
   * threads: about 1.4 s of a 100,000-row import) competes with PostgreSQL and the encryption
   * thread, and on 2 cores the import took longer (docs/performance.md, Import, sixth round).
   */
  minBytes: os.availableParallelism() >= 4 ? 1024 * 1024 : Number.POSITIVE_INFINITY,
  /** Batches in flight between the threads (a few hundred rows each, one per 64 KB of sheet
   * XML): bounds the memory, and lets the thread read on while the importer waits for a chunk's
   * writes. */
  ahead: 32,
  /** Records are read here while a new thread loads its modules, then by the thread from there
   * (false in tests of the thread alone). */
  readWhileStarting: true,
  /** An idle thread is kept this long for the next import, then ended. */
  idleMs: 60_000,
  /** Tests: the thread's entry (a missing file: the thread cannot start). */
  entry: new URL('./read-thread-boot.mjs', import.meta.url) as URL | string,
  /** Tests: the thread dies after posting this many batches. */
  failAfterBatches: undefined as number | undefined,
};

/** Files given to a reader thread, threads seen ready by a read (tests). */
export const readThreadStats = { files: 0, ready: 0 };

type TKept = { thread: Worker; timer: NodeJS.Timeout; ready: boolean; off: () => void };
let idle: TKept | undefined;

/** A kept thread, or a new one; `ready` when its modules are loaded (it posts 'ready'). */
const startThread = (): { thread: Worker; ready: boolean } => {
  if (idle) {
    const { thread, timer, ready, off } = idle;
    idle = undefined;
    clearTimeout(timer);
    off();
    thread.ref();
    return { thread, ready };
  }
  return { thread: new Worker(readThreadConfig.entry), ready: false };
};

/** Keeps a thread for the next file (one at most; unref'd, ended when idle). */
const keepThread = (thread: Worker, ready: boolean) => {
  if (idle) {
    void thread.terminate();
    return;
  }
  thread.unref();
  const timer = setTimeout(() => {
    if (idle?.thread === thread) idle = undefined;
    void thread.terminate();
  }, readThreadConfig.idleMs);
  timer.unref();
  const kept: TKept = { thread, timer, ready, off: () => {} };
  const drop = () => {
    if (idle === kept) idle = undefined;
    clearTimeout(timer);
  };
  const onMessage = (m: TFromThread) => {
    if (m.type === 'ready') kept.ready = true;
  };
  // Not removeAllListeners when taken: the Worker's own listeners start and ref its port.
  kept.off = () => {
    thread.off('error', drop);
    thread.off('exit', drop);
    thread.off('message', onMessage);
  };
  thread.on('error', drop);
  thread.on('exit', drop);
  thread.on('message', onMessage);
  // A 'message' listener refs the port: the kept thread must not keep the process alive.
  thread.unref();
  idle = kept;
};

/** Starts a reader thread ahead of a file of `bytes` (its modules load meanwhile). */
export const warmReadThread = (bytes: number): void => {
  if (bytes < readThreadConfig.minBytes || idle) return;
  try {
    keepThread(new Worker(readThreadConfig.entry), false);
  } catch {
    // Not started: the read starts one or reads here, and logs.
  }
};

/** Ends the thread kept for the next import, if any (tests; shutting down). */
export const endIdleReadThread = async (): Promise<void> => {
  const kept = idle;
  idle = undefined;
  if (!kept) return;
  clearTimeout(kept.timer);
  await kept.thread.terminate();
};

/** The error the thread met, as it was there: an AppError with its code, `where` and cause. */
const errorOf = (e: TThreadError): Error => {
  if (!e.app) {
    const error = new Error(e.message);
    if (e.stack) error.stack = e.stack;
    return error;
  }
  return new AppError(e.code, e.message, {
    ...(e.where ? { where: e.where } : {}),
    ...(e.issues ? { issues: e.issues } : {}),
    ...(e.cause !== undefined ? { cause: errorOf(e.cause) } : {}),
  });
};

/**
 * `readRecordBatches` in a worker thread (files of `readThreadConfig.minBytes` or more), with the
 * checks of `recordChecks` and the kind's row check (`rowCheck`, its data) done there: those
 * records come with `checked` set. `onLayout` is asked here, between the threads. While a new
 * thread loads its modules, and when it cannot start or dies, the file is read here (the
 * thread, or this thread, going on from where the other stopped: the same records and issues,
 * in the same order, each once) — a failure is logged.
 */
export async function* readRecordBatchesInThread(
  file: Uint8Array,
  spec: TImportKindSpec,
  options: TReadOptions & {
    kind: TImportKind;
    rowCheck?: unknown;
    log?: Pick<TLogger, 'warn'>;
  },
): AsyncGenerator<TRecord[]> {
  if (file.length < readThreadConfig.minBytes) {
    yield* readRecordBatches(file, spec, options);
    return;
  }
  const { issues, onBytes, onLayout } = options;
  /** What was handed to the caller: issues, layout answers, records (by `seq`), bytes. */
  let issuesDone = 0;
  const answers: boolean[] = [];
  let lastSeq = 0;
  let bytesDone = 0;
  const progress = (bytes: number) => {
    if (bytes <= bytesDone) return;
    bytesDone = bytes;
    onBytes?.(bytes);
  };
  let endedHere = false;

  /** Reads here, from where the caller is (a read from the start, repeating nothing); between
   * batches, stops when `until()`. */
  async function* here(until?: () => boolean): AsyncGenerator<TRecord[]> {
    const found: TImportIssue[] = [];
    let layouts = 0;
    const catchUp = () => {
      if (found.length > issuesDone) {
        issues.push(...found.slice(issuesDone));
        issuesDone = found.length;
      }
    };
    for await (const records of readRecordBatches(file, spec, {
      fileName: options.fileName,
      issues: found,
      onBytes: progress,
      onLayout: async (layout) => {
        const n = layouts++;
        if (n < answers.length) return answers[n]!;
        catchUp();
        const ok = onLayout ? await onLayout(layout) : true;
        answers.push(ok);
        return ok;
      },
    })) {
      catchUp();
      const rest = records.filter((r) => r.seq > lastSeq);
      if (rest.length > 0) {
        lastSeq = rest.at(-1)!.seq;
        yield rest;
      }
      if (until?.()) return;
    }
    catchUp();
    endedHere = true;
  }

  let failure: unknown;
  let started: ReturnType<typeof startThread> | undefined;
  try {
    started = startThread();
  } catch (error) {
    failure = error;
  }
  if (started) {
    const { thread } = started;
    let ready = started.ready;
    const queue: Exclude<TFromThread, { type: 'ready' }>[] = [];
    let wake: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    const onMessage = (m: TFromThread) => {
      if (m.type === 'ready') {
        ready = true;
        readThreadStats.ready++;
      } else queue.push(m);
      notify();
    };
    const onError = (error: unknown) => {
      failure ??= error;
      notify();
    };
    const onExit = (code: number) => {
      failure ??= new Error(`reader thread exited (code ${code})`);
      notify();
    };
    thread.on('message', onMessage);
    thread.on('error', onError);
    thread.on('exit', onExit);
    const release = () => {
      thread.off('message', onMessage);
      thread.off('error', onError);
      thread.off('exit', onExit);
    };
    let kept = false;
    try {
      if (!ready && readThreadConfig.readWhileStarting) {
        yield* here(() => ready || failure !== undefined);
        if (endedHere) {
          // Read here to its end before the thread was ready: kept for the next file.
          if (failure === undefined) {
            release();
            kept = true;
            keepThread(thread, ready);
          }
          return;
        }
      }
      if (failure === undefined) {
        // A copy of the file is moved to the thread (the caller's may be a view of a larger
        // buffer).
        const copy = new Uint8Array(file);
        const start: TStartRead = {
          type: 'start',
          file: copy,
          fileName: options.fileName,
          kind: options.kind,
          rowCheck: options.rowCheck,
          ahead: readThreadConfig.ahead,
          skip: { seq: lastSeq, issues: issuesDone, answers: [...answers] },
        };
        thread.postMessage(start, [copy.buffer]);
        readThreadStats.files++;
        let batches = 0;
        for (;;) {
          while (queue.length === 0 && failure === undefined) {
            await new Promise<void>((resolve) => (wake = resolve));
          }
          const m = queue.shift();
          if (!m) break;
          issues.push(...m.issues);
          issuesDone += m.issues.length;
          progress(m.bytes);
          if (m.type === 'layout') {
            const ok = onLayout ? await onLayout(m.layout) : true;
            answers.push(ok);
            thread.postMessage({ type: 'layout', ok } satisfies TToThread);
          } else if (m.type === 'batch') {
            batches++;
            if (batches === readThreadConfig.failAfterBatches) {
              thread.postMessage({ type: 'fail' } satisfies TToThread);
            } else thread.postMessage({ type: 'more' } satisfies TToThread);
            lastSeq = m.records.at(-1)?.seq ?? lastSeq;
            yield m.records;
          } else {
            // The thread read the file to its end (or to its error): it takes the next one.
            release();
            kept = true;
            keepThread(thread, true);
            if (m.type === 'error') throw errorOf(m.error);
            return;
          }
        }
      }
    } finally {
      // The caller stopped early (an error of its own), or the thread failed.
      if (!kept) void thread.terminate();
    }
  }
  options.log?.warn(
    { err: failure, recordsRead: lastSeq },
    '导入文件读取线程无法启动或异常退出：改在主线程读取（结果不变）',
  );
  yield* here();
}
