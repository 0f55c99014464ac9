import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../../context.ts';
import { queryRows } from '../../db/client.ts';
import type { TAnyRouteDef } from '../../http/route.ts';
import { allRoutes } from '../../routes.ts';
import { createClient, seedDemo, seedUser, type TTestClient } from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';
import {
  fieldsOf,
  NASTY_STRINGS,
  requestArbitrary,
  responseProblem,
  sampleOf,
  type TFuzzRequest,
  type TParamHints,
} from './route-fuzz.ts';

// Every registered route is fuzzed: a new route joins by being in `allRoutes`. Routes left out
// need a reason here.
const NOT_FUZZED: Record<string, string> = {
  'POST /api/auth/logout': 'ends the session the fuzzing runs in; tested in auth.db.test.ts',
};

const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const keyOf = (r: TAnyRouteDef) => `${r.method.toUpperCase()} ${r.path}`;

describe(`API fuzzing (${testDbKind()})`, () => {
  let services: TServices;
  let admin: TTestClient;
  let hints: TParamHints;
  let cases = 0;

  const send = async (client: TTestClient, req: TFuzzRequest) => {
    cases++;
    const res = await client.request(
      req.method,
      req.path,
      req.body,
      req.contentType ? { 'Content-Type': req.contentType } : {},
    );
    const problem = responseProblem(res.status, res.body);
    if (problem) throw new Error(`${req.method} ${req.path} ${req.body ?? ''}\n→ ${problem}`);
    return res;
  };

  const counts = async () =>
    queryRows<{ t: string; n: number }>(
      services.database.db,
      sql`select 'worker' as t, count(*)::int as n from worker
          union all select 'org', count(*)::int from org
          union all select 'app_user', count(*)::int from app_user
          union all select 'audit_log', count(*)::int from audit_log`,
    );

  beforeAll(async () => {
    services = await createTestServices({
      LOGIN_RATE_IP_MAX: '1000000',
      LOGIN_RATE_USER_MAX: '1000000',
      LOGIN_MAX_FAILURES: '1000000',
    });
    await seedDemo(services, 40);
    await seedUser(services, { username: 'fuzz-admin', role: 'system-admin', orgCode: '000000' });
    admin = createClient(services);
    expect((await admin.login('fuzz-admin')).status).toBe(200);
    const ids = await queryRows<{ id: string }>(
      services.database.db,
      sql`(select id::text from worker order by id limit 3) union all (select id::text from app_user limit 2)`,
    );
    hints = {
      code: ['640104001001', '640104001000', '640104', '330302001001', '000000'],
      id: ids.map((r) => r.id),
    };
  });
  afterAll(async () => {
    process.stdout.write(`API fuzzing (${testDbKind()}): ${cases} requests, 0 server errors\n`);
    await services.database.close();
  });

  it('fuzzes every registered route except the listed ones', () => {
    const listed = Object.keys(NOT_FUZZED);
    for (const key of listed) expect(allRoutes.map(keyOf)).toContain(key);
    expect(allRoutes.filter((r) => !NOT_FUZZED[keyOf(r)]).length).toBeGreaterThan(20);
  });

  for (const route of allRoutes) {
    const key = keyOf(route);
    if (NOT_FUZZED[key]) continue;
    it(`${key}: no 500, every rejection Chinese and saying where`, async () => {
      const client = route.access === 'public' ? createClient(services) : admin;
      await fc.assert(
        fc.asyncProperty(requestArbitrary(route, hints), async (req) => {
          await send(client, req);
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
      // The fuzzing session is still alive (no request broke it).
      if (client === admin) expect((await admin.get('/api/auth/me')).status).toBe(200);
    });
  }

  it('withstands SQL injection in every path and query parameter of every read route', async () => {
    const before = await counts();
    for (const route of allRoutes.filter((r) => r.method === 'get')) {
      const names = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
      const queryKeys = Object.keys(
        (route.query as unknown as { shape?: Record<string, unknown> })?.shape ?? {},
      );
      for (const nasty of NASTY_STRINGS) {
        const client = route.access === 'public' ? createClient(services) : admin;
        // Each path parameter in turn, the others valid.
        for (const name of names) {
          let path = route.path;
          for (const other of names)
            path = path.replace(
              `:${other}`,
              encodeURIComponent(other === name ? nasty : (hints[other]?.[0] ?? '1')),
            );
          await send(client, { method: 'GET', path });
        }
        for (const q of queryKeys) {
          let path = route.path;
          for (const n of names) path = path.replace(`:${n}`, hints[n]?.[0] ?? '1');
          await send(client, { method: 'GET', path: `${path}?${q}=${encodeURIComponent(nasty)}` });
        }
      }
    }
    // Reads changed nothing, and a tautology finds no one.
    expect(await counts()).toEqual(before);
    for (const q of ["' OR '1'='1", "%' OR 'a'='a", '%', '_']) {
      const res = await admin.get(`/api/workers?q=${encodeURIComponent(q)}`);
      expect(res.status).toBeLessThan(500);
      if (res.status === 200) expect(res.body.items, q).toEqual([]);
    }
  });

  it('withstands every nasty string in every field of every request body', {
    timeout: 240_000,
  }, async () => {
    for (const route of allRoutes.filter((r) => r.body && !NOT_FUZZED[keyOf(r)])) {
      const client = route.access === 'public' ? createClient(services) : admin;
      const names = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
      let path = route.path;
      for (const n of names) path = path.replace(`:${n}`, hints[n]?.[0] ?? '1');
      const base = sampleOf(route.body!, SEED);
      for (const field of fieldsOf(route.body!)) {
        for (const nasty of NASTY_STRINGS) {
          const body = JSON.stringify({ ...base, [field]: nasty });
          await send(client, {
            method: route.method.toUpperCase(),
            path,
            body,
            contentType: 'application/json',
          });
        }
      }
    }
    expect((await admin.get('/api/auth/me')).status).toBe(200);
  });
});
