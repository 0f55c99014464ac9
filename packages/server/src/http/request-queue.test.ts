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
import { admitRequests, RequestQueue } from './request-queue.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

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
