import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { serve } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../context.ts';
import type { TAppEnv } from '../http/env.ts';
import { handleError } from '../http/middleware.ts';
import { admitRequests, RequestQueue } from '../http/request-queue.ts';
import type { TLogger } from '../logger.ts';
import { createTestServices, testDbKind } from '../testing/test-db.ts';
import { openDatabase } from './client.ts';
import { CANCEL_APPLICATION_NAME, outsideRequest, runWithRequestSignal } from './request-signal.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

// A request whose client has gone stops at its next statement (both databases); on PostgreSQL
// its running statement is cancelled. The app here is the admission middleware and test routes
// over the real database.
describe(`statements of a request whose client has gone (${testDbKind()})`, () => {
  let services: TServices;

  beforeAll(async () => {
    services = await createTestServices();
    await services.database.db.execute(sql`create table signal_probe (step text)`);
  });
  afterAll(() => services.database.close());

  const probes = async () =>
    (
      (await services.database.db.execute(sql`select step from signal_probe order by step`)) as {
        rows: Array<{ step: string }>;
      }
    ).rows.map((r) => r.step);

  it('stops at the next statement and rolls back the transaction; the next waiter runs', async () => {
    const queue = new RequestQueue({ maxInflight: 1, maxQueue: 10 });
    const app = new Hono<TAppEnv>();
    app.onError(handleError);
    app.use('/api/*', admitRequests(queue));
    let resume = () => {};
    const paused = new Promise<void>((r) => {
      resume = r;
    });
    let statementsRun = 0;
    let reachedPause = false;
    app.post('/api/slow', async (c) => {
      await services.database.db.transaction(async (tx) => {
        await tx.execute(sql`insert into signal_probe values ('slow-1')`);
        statementsRun++;
        reachedPause = true;
        await paused;
        await tx.execute(sql`insert into signal_probe values ('slow-2')`);
        statementsRun++;
        await tx.execute(sql`insert into signal_probe values ('slow-3')`);
        statementsRun++;
      });
      return c.json({ ok: true });
    });
    app.post('/api/next', async (c) => {
      await services.database.db.execute(sql`insert into signal_probe values ('next')`);
      return c.json({ ok: true });
    });
    const client = new AbortController();
    const slow = app.request(
      new Request('http://x/api/slow', { method: 'POST', signal: client.signal }),
    );
    while (!reachedPause) await tick();
    const next = app.request(new Request('http://x/api/next', { method: 'POST' }));
    await tick();
    expect(queue.waiting).toBe(1);
    client.abort();
    resume();
    const answer = await slow;
    expect(answer.status).toBe(499);
    expect((await answer.json()).error.code).toBe('CLIENT_CLOSED');
    // One statement ran before the client left, none after; the first was rolled back.
    expect(statementsRun).toBe(1);
    expect((await next).status).toBe(200);
    expect(await probes()).toEqual(['next']);
    expect(queue.inflight).toBe(0);
  });

  it('runs work detached from the request (a job it starts) whatever the client does', async () => {
    const app = new Hono<TAppEnv>();
    app.onError(handleError);
    app.use('/api/*', admitRequests(new RequestQueue({ maxInflight: 1, maxQueue: 1 })));
    const client = new AbortController();
    let detached: Promise<unknown> | undefined;
    app.get('/api/job', async (c) => {
      client.abort();
      detached = outsideRequest(() =>
        services.database.db.execute(sql`insert into signal_probe values ('job')`),
      );
      await services.database.db.execute(sql`insert into signal_probe values ('in-request')`);
      return c.text('started');
    });
    const answer = await app.request(new Request('http://x/api/job', { signal: client.signal }));
    expect(answer.status).toBe(499);
    await detached;
    expect(await probes()).toEqual(['job', 'next']);
  });

  it.runIf(testDbKind() === 'pg')(
    'cancels the running statement on PostgreSQL, so the slot goes to the next waiter at once',
    async () => {
      const queue = new RequestQueue({ maxInflight: 1, maxQueue: 10 });
      const app = new Hono<TAppEnv>();
      app.onError(handleError);
      app.use('/api/*', admitRequests(queue));
      let sleeping = false;
      let after = 0;
      app.get('/api/long', async (c) => {
        sleeping = true;
        await services.database.db.execute(sql`select pg_sleep(20)`);
        after++;
        return c.json({ ok: true });
      });
      app.get('/api/next', async (c) => {
        await services.database.db.execute(sql`select 1`);
        return c.json({ ok: true });
      });
      const client = new AbortController();
      const long = app.request(new Request('http://x/api/long', { signal: client.signal }));
      while (!sleeping) await tick();
      // Let the statement start in PostgreSQL.
      await new Promise((r) => setTimeout(r, 200));
      const next = app.request(new Request('http://x/api/next'));
      const t0 = performance.now();
      client.abort();
      expect((await long).status).toBe(499);
      expect((await next).status).toBe(200);
      // The 20 s statement stopped: the waiter behind it ran within seconds.
      expect(performance.now() - t0).toBeLessThan(5_000);
      expect(after).toBe(0);
      const running = (await services.database.db.execute(
        sql`select count(*)::int as n from pg_stat_activity where query like 'select pg_sleep(20)%' and state = 'active'`,
      )) as { rows: Array<{ n: number }> };
      expect(running.rows[0]!.n).toBe(0);
    },
  );

  it.runIf(testDbKind() === 'pg')(
    'passes a COPY stream of a request through untouched (a query object with submit)',
    async () => {
      const client = await (services.database.pool as pg.Pool).connect();
      try {
        const copied = await runWithRequestSignal(new AbortController().signal, async () => {
          const stream = client.query(copyFrom('copy signal_probe (step) from stdin'));
          await pipeline(Readable.from(['copy-1\ncopy-2\n']), stream);
          return (
            await client.query('select count(*)::int as n from signal_probe where step like $1', [
              'copy-%',
            ])
          ).rows[0].n;
        });
        expect(copied).toBe(2);
      } finally {
        client.release();
      }
    },
  );

  it.runIf(testDbKind() === 'pg')(
    'leaves no transaction open when many clients leave in the middle of their writes',
    async () => {
      const app = new Hono<TAppEnv>();
      app.onError(handleError);
      app.use('/api/*', admitRequests(new RequestQueue({ maxInflight: 20, maxQueue: 500 })));
      // Like a write with its audit row: the chain's lock, a read, a write, in one transaction.
      app.post('/api/write', async (c) => {
        await services.database.db.transaction(async (tx) => {
          await tx.execute(sql`select pg_advisory_xact_lock(4242)`);
          await tx.execute(sql`select count(*) from signal_probe`);
          await tx.execute(sql`select pg_sleep(0.001)`);
          await tx.execute(sql`insert into signal_probe values ('write')`);
        });
        return c.json({ ok: true });
      });
      // Real sockets, closed by the client at staggered moments (the node server aborts the
      // request's signal when its socket closes before the answer).
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
      await new Promise((r) => server.once('listening', r));
      const { port } = server.address() as AddressInfo;
      const statuses = await Promise.all(
        Array.from(
          { length: 150 },
          (_, i) =>
            new Promise<number>((resolve) => {
              const req = http.request(
                { host: '127.0.0.1', port, path: '/api/write', method: 'POST', agent: false },
                (res) => {
                  res.resume();
                  res.on('end', () => resolve(res.statusCode ?? 0));
                },
              );
              req.on('error', () => resolve(0));
              req.end();
              setTimeout(() => req.destroy(), (i * 7) % 60);
            }),
        ),
      );
      server.close();
      expect(statuses.filter((s) => s === 0).length).toBeGreaterThan(0);
      expect(statuses.every((s) => s === 0 || s === 200)).toBe(true);
      // Every transaction ended: none idle holding the lock, and the next write gets it.
      const open = async () =>
        (
          (await services.database.db.execute(
            sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`,
          )) as { rows: Array<{ n: number }> }
        ).rows[0]!.n;
      await expect.poll(open, { timeout: 5_000 }).toBe(0);
      const after = await app.request(new Request('http://x/api/write', { method: 'POST' }));
      expect(after.status).toBe(200);
    },
    30_000,
  );

  it.runIf(testDbKind() === 'pg')(
    'opens at most DB_CANCEL_MAX_INFLIGHT cancel connections when many clients leave at once; the rest run to their end',
    async () => {
      const url = (services.database.pool as pg.Pool).options.connectionString!;
      const maxCancels = 2;
      const clients = 16;
      // A pool larger than the bound, so that 16 statements run at once and all lose their client.
      const warnings: string[] = [];
      const log = { warn: (_: unknown, msg: string) => warnings.push(msg) } as unknown as Pick<
        TLogger,
        'warn'
      >;
      const database = await openDatabase({
        kind: 'postgres',
        url,
        max: clients,
        maxCancels,
        log,
      });
      const watcher = new pg.Client({ connectionString: url });
      await watcher.connect();
      const server = serve({
        fetch: (() => {
          const app = new Hono<TAppEnv>();
          app.onError(handleError);
          app.use('/api/*', admitRequests(new RequestQueue({ maxInflight: 50, maxQueue: 50 })));
          // A write holding the chain's lock (shared here, so all run at once) over a slow read.
          app.post('/api/slow', async (c) => {
            await database.db.transaction(async (tx) => {
              await tx.execute(sql`select pg_advisory_xact_lock_shared(4343)`);
              await tx.execute(sql`select pg_sleep(1.5)`);
              await tx.execute(sql`insert into signal_probe values ('slow')`);
            });
            return c.json({ ok: true });
          });
          return app.fetch;
        })(),
        port: 0,
        hostname: '127.0.0.1',
      });
      try {
        await new Promise((r) => server.once('listening', r));
        const { port } = server.address() as AddressInfo;
        const count = async (where: string) =>
          (
            await watcher.query(
              `select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and ${where}`,
              [],
            )
          ).rows[0].n as number;
        const requests = Array.from({ length: clients }, () => {
          const req = http.request({
            host: '127.0.0.1',
            port,
            path: '/api/slow',
            method: 'POST',
            agent: false,
          });
          const done = new Promise<number>((resolve) => {
            req.on('response', (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            });
            req.on('error', () => resolve(0));
          });
          req.end();
          return { req, done };
        });
        await expect
          .poll(() => count(`query = 'select pg_sleep(1.5)' and state = 'active'`), {
            timeout: 10_000,
            interval: 20,
          })
          .toBe(clients);
        // Every client leaves at once (the client side errs at once); sample the server's
        // connections until every statement has ended there and no cancel is in flight.
        const t0 = performance.now();
        for (const { req } of requests) req.destroy();
        expect(await Promise.all(requests.map((r) => r.done))).toEqual(Array(clients).fill(0));
        let mostCancels = 0;
        let mostBackends = 0;
        for (;;) {
          const row = (
            await watcher.query(
              `select count(*)::int as backends,
                 count(*) filter (where application_name = $1)::int as cancels,
                 count(*) filter (where state <> 'idle')::int as busy
               from pg_stat_activity
               where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`,
              [CANCEL_APPLICATION_NAME],
            )
          ).rows[0] as { backends: number; cancels: number; busy: number };
          mostCancels = Math.max(mostCancels, row.cancels);
          mostBackends = Math.max(mostBackends, row.backends);
          if (row.busy === 0 && database.cancels!.inflight === 0) break;
          if (performance.now() - t0 > 15_000) break;
        }
        const elapsed = performance.now() - t0;
        // The server's connections: the pool's 16 (+ the services' own pool, idle) and at most
        // two cancels at any moment.
        const servicesPool = (services.database.pool as pg.Pool).totalCount;
        expect(mostCancels).toBeLessThanOrEqual(maxCancels);
        expect(mostBackends).toBeLessThanOrEqual(clients + servicesPool + maxCancels);
        const stats = database.cancels!;
        expect(stats.peak).toBeLessThanOrEqual(maxCancels);
        expect(stats.sent + stats.failed + stats.skipped).toBe(clients);
        expect(stats.skipped).toBeGreaterThan(0);
        expect(stats.inflight).toBe(0);
        // Logged once (at most once a minute), in Chinese, with the bound.
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatch(/DB_CANCEL_MAX_INFLIGHT/);
        // The skipped statements ran to their end (1.5 s), and stopped there.
        expect(elapsed).toBeLessThan(10_000);
        expect(await probes()).not.toContain('slow');
        // No transaction left open, no lock held: an exclusive lock on the chain is free.
        expect(await count(`state like 'idle in transaction%'`)).toBe(0);
        expect(await count(`application_name = '${CANCEL_APPLICATION_NAME}'`)).toBe(0);
        const free = await watcher.query('select pg_try_advisory_lock(4343) as ok');
        expect(free.rows[0].ok).toBe(true);
        await watcher.query('select pg_advisory_unlock(4343)');
      } finally {
        server.close();
        await watcher.end();
        await database.close();
      }
    },
    30_000,
  );
});
