import { AppError } from '@shegong/shared';
import type { MiddlewareHandler } from 'hono';
import { runWithRequestSignal } from '../db/request-signal.ts';
import type { TAppEnv } from './env.ts';

export type TRequestLimits = {
  /** Requests handled at once; the rest wait. */
  maxInflight: number;
  /** Requests allowed to wait; one more is refused. */
  maxQueue: number;
};

type TWaiter = { grant: (release: () => void) => void };

/**
 * Admission control: at most `maxInflight` holders at once, the others wait in arrival order
 * (FIFO), at most `maxQueue` of them. A waiter whose signal aborts leaves the queue and never
 * gets a slot. A small class of our own rather than p-queue: what is needed here (refusing when
 * full, leaving the queue on abort, the pace for Retry-After) would wrap a library as much.
 */
export class RequestQueue {
  readonly limits: TRequestLimits;
  #inflight = 0;
  /** Waiters in arrival order (a Set keeps insertion order and deletes in O(1)). */
  readonly #waiting = new Set<TWaiter>();
  /** Moving average of how long a slot is held, for the Retry-After estimate. */
  #meanHoldMs = 50;

  constructor(limits: TRequestLimits) {
    this.limits = limits;
  }

  get inflight() {
    return this.#inflight;
  }

  get waiting() {
    return this.#waiting.size;
  }

  /** True when a new request would have to wait and the queue has no room for it. */
  get full() {
    return this.#inflight >= this.limits.maxInflight && this.#waiting.size >= this.limits.maxQueue;
  }

  /**
   * A slot: at once when one is free and nobody waits, otherwise after everyone queued before.
   * Resolves to the function that gives the slot back, or to undefined when `signal` aborted
   * first (the waiter has left the queue). Rejects with OVERLOADED when the queue is full.
   */
  acquire(signal?: AbortSignal): Promise<(() => void) | undefined> {
    if (signal?.aborted) return Promise.resolve(undefined);
    if (this.#inflight < this.limits.maxInflight && this.#waiting.size === 0) {
      this.#inflight++;
      return Promise.resolve(this.#releaser());
    }
    if (this.full) return Promise.reject(overloaded(this));
    return new Promise((resolve) => {
      const onAbort = () => {
        this.#waiting.delete(waiter);
        resolve(undefined);
      };
      const waiter: TWaiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      this.#waiting.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Seconds until the requests waiting now should have had their turn, 1 to 60. */
  retryAfterSeconds() {
    const ms = (this.#waiting.size * this.#meanHoldMs) / this.limits.maxInflight;
    return Math.min(60, Math.max(1, Math.ceil(ms / 1000)));
  }

  #releaser() {
    const started = performance.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#meanHoldMs += (performance.now() - started - this.#meanHoldMs) / 16;
      this.#inflight--;
      this.#dispatch();
    };
  }

  #dispatch() {
    while (this.#inflight < this.limits.maxInflight) {
      const next = this.#waiting.values().next();
      if (next.done) return;
      this.#waiting.delete(next.value);
      this.#inflight++;
      next.value.grant(this.#releaser());
    }
  }
}

const overloaded = (queue: RequestQueue) =>
  new AppError(
    'OVERLOADED',
    `服务器繁忙：等待处理的请求已满（${queue.limits.maxQueue} 个），本次请求未执行，请 ${queue.retryAfterSeconds()} 秒后重试`,
  );

/**
 * Turns of the event loop for requests: each admitted request (and `/api/health` while
 * connections are being accepted) waits for a later loop iteration (the check phase, after the loop has polled sockets), and none is given
 * in an iteration that has just accepted a connection — up to `maxAcceptTurns` iterations in a
 * row — so connections waiting in the listening socket's accept queue are taken in before the
 * next requests run.
 *
 * Why: PGlite answers a query without returning to the event loop (the WebAssembly runs in this
 * thread and its promise resolves as a microtask), so a request runs whole in the turn it starts
 * in, and libuv accepts one connection per loop iteration (libuv 1.45+, "don't accept()
 * connections in a loop"). With a plain `setImmediate` yield per request every request admitted
 * in one iteration ran in the next (four at a time on PGlite), and health requests ran as their
 * sockets were read, so an iteration took tens of milliseconds and 200 connections opened together
 * took 200 iterations to be accepted: the last ones waited more than autocannon's 10 s before
 * their first request was even read (docs/performance.md, Load). Without the yield at all, the
 * loop never polled while a chain of requests handed slots to each other: the accept queue grew to
 * 466 and a third of requests timed out.
 */
export class LoopTurns {
  readonly maxAcceptTurns: number;
  readonly #waiting: Array<() => void> = [];
  #scheduled = false;
  #accepted = false;
  #acceptedBefore = false;
  #acceptTurns = 0;

  constructor(maxAcceptTurns = 32) {
    this.maxAcceptTurns = maxAcceptTurns;
  }

  /** For the HTTP server's 'connection' event: a connection was accepted in this iteration. */
  readonly noteConnection = () => {
    this.#accepted = true;
  };

  get waiting() {
    return this.#waiting.length;
  }

  /**
   * Whether connections are being taken in: one was accepted since the last turn, or in the
   * iteration before it (a turn given after `maxAcceptTurns` does not end the burst).
   */
  get accepting() {
    return this.#accepted || this.#acceptedBefore;
  }

  /** Resolves in a later loop iteration, in the order asked. */
  take(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.#schedule();
    });
  }

  #schedule() {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // An immediate queued from an immediate runs in the next iteration, after its poll phase.
    setImmediate(this.#turn);
  }

  readonly #turn = () => {
    this.#scheduled = false;
    const accepted = this.#accepted;
    this.#accepted = false;
    this.#acceptedBefore = accepted;
    if (accepted && this.#acceptTurns < this.maxAcceptTurns) {
      // More connections may be waiting to be accepted: one iteration for them, no request.
      this.#acceptTurns++;
      this.#schedule();
      return;
    }
    this.#acceptTurns = 0;
    // Everyone waiting now, in order; who asks from here on waits for the next iteration. The
    // requests continue in the microtasks after this callback, before the loop polls again.
    for (const resolve of this.#waiting.splice(0)) resolve();
  };
}

/** The process's turns: one event loop, so one for every app and server in the process. */
export const loopTurns = new LoopTurns();

/**
 * Paths answered outside the queue. `/api/health` is what load balancers and monitors probe: it
 * must tell "alive, the database answers" while the server works through a queue (a probe that
 * waits behind it, or is refused, would take a busy server out of service or restart it). It
 * costs one `select 1`.
 */
const UNQUEUED = new Set(['/api/health']);

/**
 * Admission control for the API: each request holds a slot of `queue` from before the session
 * lookup (its first statement) until its handler has returned. A request whose client went away
 * while it waited is dropped without running (status 499, as nginx logs it); when the queue is
 * full the answer is 503 with Retry-After, before anything was read or written. Background jobs
 * do not pass through here: a job keeps running whatever the queue holds, and a request that
 * starts one gives its slot back when it answers. An admitted request then waits for its turn of
 * the event loop (`LoopTurns`).
 */
export const admitRequests =
  (queue: RequestQueue, turns: LoopTurns = loopTurns): MiddlewareHandler<TAppEnv> =>
  async (c, next) => {
    if (UNQUEUED.has(c.req.path)) {
      // Not behind the queue, and answered as its socket is read — but not while connections are
      // being taken in: a burst of probes on new connections then made every iteration long
      // (as many probes as sockets read) and accepted one connection per iteration. A turn for
      // every probe, always, cost the load bench's health baseline (200 connections) 22–37% of
      // its rate in the runs of docs/performance.md, so only then.
      if (turns.accepting) await turns.take();
      return next();
    }
    if (queue.full) c.header('Retry-After', String(queue.retryAfterSeconds()));
    const signal = c.req.raw.signal;
    const release = await queue.acquire(signal);
    if (!release) return new Response(null, { status: 499 });
    try {
      // The client may have gone in the instant between the grant and now.
      if (signal.aborted) return new Response(null, { status: 499 });
      await turns.take();
      if (signal.aborted) return new Response(null, { status: 499 });
      // From here on a statement of this request stops once its client has gone (db/request-signal).
      await runWithRequestSignal(signal, next);
    } finally {
      release();
    }
  };
