import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import type { TServices } from '../context.ts';
import { createLogger } from '../logger.ts';
import type { TAppEnv } from './env.ts';
import { handleError } from './middleware.ts';
import { admitRequests, LoopTurns, RequestQueue } from './request-queue.ts';

/** 5 ms, then a few event-loop iterations: requests get one turn of the loop each (LoopTurns). */
const tick = async () => {
  await new Promise((r) => setTimeout(r, 5));
  for (let i = 0; i < 4; i++) await new Promise((r) => setImmediate(r));
};

/** A gate a handler waits on until the test opens it. */
const gate = () => {
  let open = () => {};
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { open, opened };
};

/** An app with the admission middleware and one route that records and waits per request. */
const gatedApp = (queue: RequestQueue) => {
  const started: string[] = [];
  const gates = new Map<string, ReturnType<typeof gate>>();
  let running = 0;
  let maxRunning = 0;
  const app = new Hono<TAppEnv>();
  app.onError(handleError);
  app.use('/api/*', admitRequests(queue));
  app.get('/api/op/:name', async (c) => {
    const name = c.req.param('name');
    started.push(name);
    running++;
    maxRunning = Math.max(maxRunning, running);
    const g = gate();
    gates.set(name, g);
    await g.opened;
    running--;
    return c.json({ name });
  });
  const send = (name: string, signal?: AbortSignal) =>
    app.request(new Request(`http://x/api/op/${name}`, { signal }));
  const open = async (name: string) => {
    while (!gates.has(name)) await tick();
    gates.get(name)!.open();
  };
  return { app, started, send, open, maxRunning: () => maxRunning };
};

describe('RequestQueue and admitRequests', () => {
  it('runs at most maxInflight handlers at once and the waiting ones in arrival order', async () => {
    const queue = new RequestQueue({ maxInflight: 2, maxQueue: 10 });
    const t = gatedApp(queue);
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const answers = names.map((n) => t.send(n));
    await tick();
    expect(t.started).toEqual(['a', 'b']);
    expect(queue.waiting).toBe(4);
    // Finish them out of order: the next to start is always the longest waiting.
    await t.open('b');
    await tick();
    expect(t.started).toEqual(['a', 'b', 'c']);
    await t.open('a');
    await tick();
    expect(t.started).toEqual(['a', 'b', 'c', 'd']);
    for (const n of ['d', 'c', 'e', 'f']) await t.open(n);
    const bodies = await Promise.all(answers.map(async (r) => (await r).json()));
    expect(bodies.map((b) => b.name)).toEqual(names);
    expect(t.started).toEqual(names);
    expect(t.maxRunning()).toBe(2);
    expect(queue.inflight).toBe(0);
  });

  it('never runs the handler of a waiting request whose client went away', async () => {
    const queue = new RequestQueue({ maxInflight: 1, maxQueue: 10 });
    const t = gatedApp(queue);
    const first = t.send('first');
    const abort = new AbortController();
    const gone = t.send('gone', abort.signal);
    const last = t.send('last');
    await tick();
    expect(queue.waiting).toBe(2);
    abort.abort();
    expect((await gone).status).toBe(499);
    expect(queue.waiting).toBe(1);
    await t.open('first');
    await t.open('last');
    expect((await first).status).toBe(200);
    expect((await last).status).toBe(200);
    expect(t.started).toEqual(['first', 'last']);
  });

  it('answers 503 with Retry-After and a Chinese message when the queue is full, without running the handler', async () => {
    const queue = new RequestQueue({ maxInflight: 1, maxQueue: 2 });
    const t = gatedApp(queue);
    const admitted = ['a', 'b', 'c'].map((n) => t.send(n));
    await tick();
    const refused = await t.send('over');
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = await refused.json();
    expect(body.error.code).toBe('OVERLOADED');
    expect(body.error.message).toMatch(/服务器繁忙.*未执行.*秒后重试/);
    for (const n of ['a', 'b', 'c']) await t.open(n);
    await Promise.all(admitted);
    expect(t.started).toEqual(['a', 'b', 'c']);
    // Room again once the queue has drained.
    const again = t.send('again');
    await t.open('again');
    expect((await again).status).toBe(200);
  });

  it('drops a waiting request when its TCP client disconnects (node server signal)', async () => {
    const queue = new RequestQueue({ maxInflight: 1, maxQueue: 10 });
    const t = gatedApp(queue);
    const server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as AddressInfo;
    try {
      const first = fetch(`http://127.0.0.1:${port}/api/op/first`);
      while (t.started.length === 0) await tick();
      const req = http.get(`http://127.0.0.1:${port}/api/op/gone`);
      req.on('error', () => {});
      while (queue.waiting === 0) await tick();
      req.destroy();
      while (queue.waiting > 0) await tick();
      await t.open('first');
      expect((await first).status).toBe(200);
      const after = fetch(`http://127.0.0.1:${port}/api/op/after`);
      await t.open('after');
      expect((await after).status).toBe(200);
      expect(t.started).toEqual(['first', 'after']);
    } finally {
      server.close();
    }
  });

  it('lets the event loop run between requests whose work is all microtasks (PGlite)', async () => {
    // PGlite answers a query without returning to the event loop: without a yield, every waiting
    // request would run before the server next reads a socket or accepts a connection.
    const queue = new RequestQueue({ maxInflight: 1, maxQueue: 10 });
    const order: string[] = [];
    const app = new Hono<TAppEnv>();
    app.use('/api/*', admitRequests(queue));
    app.get('/api/x/:n', async (c) => {
      order.push(c.req.param('n'));
      return c.text('ok');
    });
    const answers = ['1', '2', '3'].map((n) => app.request(`/api/x/${n}`));
    setImmediate(() => order.push('io'));
    await Promise.all(answers);
    // The callback queued while request 1 waited ran before request 2 started.
    expect(order.slice(0, order.indexOf('2'))).toContain('io');
    expect(order.filter((o) => o !== 'io')).toEqual(['1', '2', '3']);
  });

  it('gives the slot back when the handler throws', async () => {
    // No room to wait: a slot kept by the failed request would refuse the next one.
    const queue = new RequestQueue({ maxInflight: 1, maxQueue: 0 });
    const app = new Hono<TAppEnv>();
    app.onError(handleError);
    app.use('/api/*', admitRequests(queue));
    app.get('/api/fail', () => {
      throw new Error('boom');
    });
    expect((await app.request('/api/fail')).status).toBe(500);
    expect((await app.request('/api/fail')).status).toBe(500);
    expect(queue.inflight).toBe(0);
  });

  it('answers /api/health outside the queue of the real app', async () => {
    const services = {
      config: loadConfig({ LOG_LEVEL: 'silent' }),
      log: createLogger('silent'),
      database: { kind: 'pglite', db: { execute: async () => ({ rows: [] }) } },
    } as unknown as TServices;
    const queue = new RequestQueue({ maxInflight: 1, maxQueue: 0 });
    const app = buildApp(services, { requestQueue: queue });
    const release = await queue.acquire();
    // Every slot held and no room to wait: other API requests are refused, health answers.
    expect((await app.request('/api/openapi.json')).status).toBe(503);
    const health = await app.request('/api/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', database: 'pglite' });
    release!();
    expect((await app.request('/api/openapi.json')).status).toBe(200);
  });

  it('defaults by database kind: a few requests on PGlite, twice the pool on PostgreSQL', () => {
    expect(loadConfig({}).requests).toEqual({ maxInflight: 4, maxQueue: 256 });
    expect(
      loadConfig({ DATABASE_URL: 'postgres://x@h/db', DB_POOL_MAX: '15' }).requests.maxInflight,
    ).toBe(30);
    expect(loadConfig({ REQUEST_MAX_INFLIGHT: '7', REQUEST_MAX_QUEUE: '0' }).requests).toEqual({
      maxInflight: 7,
      maxQueue: 0,
    });
    expect(() => loadConfig({ REQUEST_MAX_INFLIGHT: '0' })).toThrow(/REQUEST_MAX_INFLIGHT/);
  });
});

describe('LoopTurns', () => {
  /** Counts event-loop iterations: a check-phase callback that queues itself again. */
  const iterations = () => {
    let n = 0;
    let on = true;
    const step = () => {
      n++;
      if (on) setImmediate(step);
    };
    setImmediate(step);
    return { now: () => n, stop: () => (on = false) };
  };

  it('gives turns in a later event-loop iteration than asked, in the order asked', async () => {
    const turns = new LoopTurns();
    const loop = iterations();
    const at: Array<[string, number]> = [];
    const asked = loop.now();
    await Promise.all(
      ['a', 'b', 'c'].map((n) => turns.take().then(() => at.push([n, loop.now()]))),
    );
    loop.stop();
    expect(at.map(([n]) => n)).toEqual(['a', 'b', 'c']);
    // Not in the iteration they asked in: the loop polls sockets in between.
    expect(at.every(([, i]) => i > asked)).toBe(true);
  });

  it('gives no turn in an iteration that accepted a connection, up to maxAcceptTurns in a row', async () => {
    const waited = async (turns: LoopTurns, accepting: boolean) => {
      const loop = iterations();
      // A connection accepted in every iteration (queued before the turn, as the poll phase is).
      let on = accepting;
      const accept = () => {
        turns.noteConnection();
        if (on) setImmediate(accept);
      };
      if (accepting) setImmediate(accept);
      const start = loop.now();
      await turns.take();
      const n = loop.now() - start;
      on = false;
      loop.stop();
      return n;
    };
    const quiet = await waited(new LoopTurns(5), false);
    expect(quiet).toBeLessThanOrEqual(1);
    const busy = await waited(new LoopTurns(5), true);
    // Five iterations for the connections, then the turn: a flood of connections delays a
    // request by at most maxAcceptTurns iterations.
    expect(busy - quiet).toBe(5);
  });

  it.each(['/api/busy', '/api/health'])(
    'takes in the connections waiting to be accepted before running requests (real server, %s)',
    async (route) => {
      // Requests whose work is all synchronous (as on PGlite): 30 connections opened at once (fewer
      // than maxAcceptTurns, so none has to run before the last is in). The
      // health probe is outside the queue, and waits for its turn only while connections come in.
      const queue = new RequestQueue({ maxInflight: 4, maxQueue: 100 });
      const turns = new LoopTurns();
      const events: string[] = [];
      const app = new Hono<TAppEnv>();
      app.use('/api/*', admitRequests(queue, turns));
      app.get(route, (c) => {
        events.push('run');
        const until = performance.now() + 3;
        while (performance.now() < until) {
          // the statement's CPU, in this thread
        }
        return c.text('ok');
      });
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
      server.on('connection', () => {
        events.push('accept');
        turns.noteConnection();
      });
      await new Promise((r) => server.once('listening', r));
      const { port } = server.address() as AddressInfo;
      const agent = new http.Agent({ keepAlive: true, maxSockets: 30 });
      try {
        const get = () =>
          new Promise<number>((resolve, reject) =>
            http
              .get({ host: '127.0.0.1', port, path: route, agent }, (res) => {
                res.resume();
                res.on('end', () => resolve(res.statusCode!));
              })
              .on('error', reject),
          );
        const statuses = await Promise.all(Array.from({ length: 30 }, get));
        expect(statuses.every((s) => s === 200)).toBe(true);
        expect(events.filter((e) => e === 'accept')).toHaveLength(30);
        // With a yield per request instead, about one request ran per connection accepted.
        const ranBeforeLastAccept = events
          .slice(0, events.lastIndexOf('accept'))
          .filter((e) => e === 'run').length;
        expect(ranBeforeLastAccept).toBeLessThan(5);
      } finally {
        agent.destroy();
        server.close();
      }
    },
  );
});
