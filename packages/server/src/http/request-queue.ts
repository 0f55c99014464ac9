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
 * Lets the event loop accept connections and read sockets before the next request runs. PGlite
 * answers a query without returning to the event loop (the WebAssembly runs in this thread and
 * its promise resolves as a microtask), so without a yield a slot handed from one request to the
 * next kept the loop from polling while requests waited: measured, the accept queue grew to 466,
 * 199 of 200 sockets held unread requests, and a third of requests timed out after 10 s.
 */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

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
 * starts one gives its slot back when it answers.
 */
export const admitRequests =
  (queue: RequestQueue): MiddlewareHandler<TAppEnv> =>
  async (c, next) => {
    if (UNQUEUED.has(c.req.path)) return next();
    if (queue.full) c.header('Retry-After', String(queue.retryAfterSeconds()));
    const signal = c.req.raw.signal;
    const release = await queue.acquire(signal);
    if (!release) return new Response(null, { status: 499 });
    try {
      // The client may have gone in the instant between the grant and now.
      if (signal.aborted) return new Response(null, { status: 499 });
      await yieldToEventLoop();
      if (signal.aborted) return new Response(null, { status: 499 });
      // From here on a statement of this request stops once its client has gone (db/request-signal).
      await runWithRequestSignal(signal, next);
    } finally {
      release();
    }
  };
