import { hasPermission, ROLES, type TRole } from '@shegong/shared';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../context.ts';
import { org, worker } from '../db/schema/index.ts';
import { featureRoutes } from '../routes.ts';
import { createClient, seedDemo, seedUser, type TTestClient } from '../testing/test-app.ts';
import { createTestServices, testDbKind } from '../testing/test-db.ts';
import { seedImportBatch } from './excel/excel-fixtures.ts';
import { seedConversion, seedPayRun } from './pay/pay-test-helpers.ts';
import { WORKFLOW_CASES } from './todo/workflow-access-cases.ts';

// Every route × every role × a target inside and a target outside the role's scope.
// Without the permission: 403 either way. With it: success inside, 404 outside (no leak).

type TTarget = {
  county: string;
  street: string;
  community: string;
  /** A community the move case may move back and forth, and the two streets it moves between. */
  movable: { community: string; streets: [string, string] };
  workerId: string;
};

type TRequest = { method: string; path: string; body?: unknown };
type TCase = {
  build: (t: TTarget, services: TServices) => Promise<TRequest> | TRequest;
  /** Expected status inside the scope when it is not plain success (by role). */
  inScope?: Partial<Record<TRole, number>>;
  /** The route serves no org-scoped data (e.g. policy packs): only the permission applies. */
  unscoped?: true;
};

const ROLE_ORG: Record<string, 'county' | 'street' | 'community' | 'city' | 'root'> = {
  'system-admin': 'city',
  'civil-affairs-admin': 'city',
  'street-admin': 'street',
  'community-secretary': 'community',
  worker: 'community',
};

let counter = 900;
const nextGrid = (community: string) => `${community}${counter++}`;

const versionOf = async (services: TServices, id: string) =>
  (
    await services.database.db.select({ v: worker.version }).from(worker).where(eq(worker.id, id))
  )[0]!.v;

// An account inside a street, for the account-administration routes (one per street).
const targetUsers = new Map<string, string>();
const targetUser = async (t: TTarget, services: TServices) => {
  let id = targetUsers.get(t.street);
  if (!id) {
    id = (
      await seedUser(services, {
        username: `target-${t.street}`,
        role: 'street-admin',
        orgCode: t.street,
      })
    ).id;
    targetUsers.set(t.street, id);
  }
  return id;
};

const CASES: Record<string, TCase> = {
  'GET /api/auth/me': { build: () => ({ method: 'GET', path: '/api/auth/me' }) },
  'GET /api/jobs': { build: () => ({ method: 'GET', path: '/api/jobs' }) },
  'POST /api/policy/packs/:id/eval': {
    build: () => ({
      method: 'POST',
      path: '/api/policy/packs/yinchuan-2018/eval',
      body: { evaluation: 'quota', date: '2026-01-01', input: { households: 3450 } },
    }),
    unscoped: true,
  },
  'GET /api/policy/packs': {
    build: () => ({ method: 'GET', path: '/api/policy/packs' }),
    unscoped: true,
  },
  'GET /api/policy/packs/:id': {
    // Packs are public policy, not people data: no scope, only the permission.
    build: () => ({ method: 'GET', path: '/api/policy/packs/yinchuan-2018?date=2026-01-01' }),
    unscoped: true,
  },
  'GET /api/orgs/:code': { build: (t) => ({ method: 'GET', path: `/api/orgs/${t.community}` }) },
  'GET /api/orgs/:code/children': {
    build: (t) => ({ method: 'GET', path: `/api/orgs/${t.community}/children` }),
  },
  'GET /api/orgs/:code/facts': {
    build: (t) => ({ method: 'GET', path: `/api/orgs/${t.community}/facts` }),
  },
  'GET /api/orgs/:code/grids': {
    build: (t) => ({ method: 'GET', path: `/api/orgs/${t.community}/grids` }),
  },
  'POST /api/orgs': {
    build: (t) => ({
      method: 'POST',
      path: '/api/orgs',
      body: { code: nextGrid(t.community), parentCode: t.community, name: '测试网格' },
    }),
  },
  'PATCH /api/orgs/:code': {
    build: (t) => ({
      method: 'PATCH',
      path: `/api/orgs/${t.community}`,
      body: { name: `社区${counter++}` },
    }),
  },
  'POST /api/orgs/:code/move': {
    build: async (t, services) => {
      const { community, streets } = t.movable;
      const parent = (
        await services.database.db
          .select({ p: org.parentCode })
          .from(org)
          .where(eq(org.code, community))
      )[0]?.p;
      return {
        method: 'POST',
        path: `/api/orgs/${community}/move`,
        body: {
          toParentCode: parent === streets[0] ? streets[1] : streets[0],
          effectiveOn: '2026-06-01',
          reason: '区划调整',
        },
      };
    },
    // A street admin's scope holds one street: moving within it is a validation error.
    inScope: { 'street-admin': 422 },
  },
  'POST /api/orgs/:code/facts': {
    build: (t) => ({
      method: 'POST',
      path: `/api/orgs/${t.community}/facts`,
      body: {
        effectiveFrom: `2027-0${(counter++ % 9) + 1}-01`,
        householdsRegistered: 3100,
        householdsResident: 3300,
        population: 8000,
      },
    }),
  },
  'GET /api/workers': {
    build: (t) => ({ method: 'GET', path: `/api/workers?org=${t.community}` }),
  },
  'GET /api/workers/:id': { build: (t) => ({ method: 'GET', path: `/api/workers/${t.workerId}` }) },
  'GET /api/workers/:id/history': {
    build: (t) => ({ method: 'GET', path: `/api/workers/${t.workerId}/history` }),
  },
  'POST /api/workers': {
    build: (t) => {
      const first17 = `${t.county}19900101${String(100 + (counter++ % 800)).padStart(3, '0')}`;
      return {
        method: 'POST',
        path: '/api/workers',
        body: {
          name: '测试人员',
          idNumber: first17 + checkChar(first17),
          educationLevel: '本科',
          serviceStartedOn: '2020-01-01',
          communityCode: t.community,
          postTitle: '网格员',
        },
      };
    },
  },
  'PATCH /api/workers/:id': {
    build: async (t, services) => ({
      method: 'PATCH',
      path: `/api/workers/${t.workerId}`,
      body: { version: await versionOf(services, t.workerId), ethnicity: `族${counter++}` },
    }),
  },
  'POST /api/workers/:id/archive': {
    build: (t) => ({
      method: 'POST',
      path: `/api/workers/${t.workerId}/archive`,
      body: { kind: 'training', startOn: '2026-05-01', data: { course: '社区治理', hours: 8 } },
    }),
  },
  'GET /api/stats/:code': { build: (t) => ({ method: 'GET', path: `/api/stats/${t.community}` }) },
  'GET /api/stats/:code/export': {
    build: (t) => ({ method: 'GET', path: `/api/stats/${t.community}/export?table=education` }),
  },
  'GET /api/stats/:code/report': {
    build: (t) => ({ method: 'GET', path: `/api/stats/${t.community}/report` }),
  },
  'GET /api/audit': {
    build: (t) => ({ method: 'GET', path: `/api/audit?org=${t.community}&limit=5` }),
  },
  'GET /api/users': { build: (t) => ({ method: 'GET', path: `/api/users?org=${t.street}` }) },
  'POST /api/users': {
    build: (t) => ({
      method: 'POST',
      path: '/api/users',
      body: {
        username: `new-${counter++}`,
        displayName: '新账号',
        role: 'street-admin',
        orgCode: t.street,
      },
    }),
  },
  'PATCH /api/users/:id': {
    build: async (t, services) => ({
      method: 'PATCH',
      path: `/api/users/${await targetUser(t, services)}`,
      body: { displayName: `账号${counter++}` },
    }),
  },
  'POST /api/users/:id/unlock': {
    build: async (t, services) => ({
      method: 'POST',
      path: `/api/users/${await targetUser(t, services)}/unlock`,
    }),
  },
  'POST /api/users/:id/reset-password': {
    build: async (t, services) => ({
      method: 'POST',
      path: `/api/users/${await targetUser(t, services)}/reset-password`,
    }),
  },
  'GET /api/imports': {
    build: (t) => ({ method: 'GET', path: `/api/imports?org=${t.community}` }),
  },
  'POST /api/imports': {
    build: (t) => ({
      method: 'POST',
      path: `/api/imports?kind=workers&org=${t.community}&fileName=roster.csv`,
      body: `姓名,身份证号,学历,社区代码,职务,参加社区工作时间\n测试,110105194912310029,本科,${t.community},网格员,2020-01-01\n`,
    }),
  },
  'GET /api/imports/:id': {
    build: async (t, services) => ({
      method: 'GET',
      path: `/api/imports/${await seedImportBatch(services, t.community)}`,
    }),
  },
  'GET /api/imports/:id/issues': {
    build: async (t, services) => ({
      method: 'GET',
      path: `/api/imports/${await seedImportBatch(services, t.community)}/issues`,
    }),
  },
  'GET /api/imports/:id/report': {
    build: async (t, services) => ({
      method: 'GET',
      path: `/api/imports/${await seedImportBatch(services, t.community)}/report`,
    }),
  },
  'POST /api/imports/:id/commit': {
    build: async (t, services) => ({
      method: 'POST',
      path: `/api/imports/${await seedImportBatch(services, t.community)}/commit`,
      body: { onError: 'skip' },
    }),
  },
  'POST /api/exports/roster': {
    build: (t) => ({
      method: 'POST',
      path: '/api/exports/roster',
      body: { org: t.community, columns: ['name', 'idNumber'] },
    }),
  },
  'GET /api/quota/:code': {
    build: (t) => ({ method: 'GET', path: `/api/quota/${t.community}?date=2026-06-01` }),
  },
  'GET /api/quota/:code/explain': {
    build: (t) => ({ method: 'GET', path: `/api/quota/${t.community}/explain?date=2026-06-01` }),
  },
  'GET /api/pay/runs': {
    build: (t) => ({ method: 'GET', path: `/api/pay/runs?org=${t.street}&month=2026-07` }),
  },
  'POST /api/pay/runs/compute': {
    build: (t) => ({
      method: 'POST',
      path: '/api/pay/runs/compute',
      body: { org: t.street, month: '2026-07' },
    }),
  },
  'GET /api/pay/runs/:id': {
    build: async (t, services) => ({
      method: 'GET',
      path: `/api/pay/runs/${await seedPayRun(services, t.street, 'draft')}`,
    }),
  },
  'POST /api/pay/runs/:id/review': {
    build: async (t, services) => ({
      method: 'POST',
      path: `/api/pay/runs/${await seedPayRun(services, t.street, 'draft')}/review`,
      body: { version: 1 },
    }),
  },
  'POST /api/pay/runs/:id/lock': {
    build: async (t, services) => ({
      method: 'POST',
      path: `/api/pay/runs/${await seedPayRun(services, t.street, 'reviewed')}/lock`,
      body: { version: 1 },
    }),
  },
  'GET /api/pay/runs/:id/export': {
    build: async (t, services) => ({
      method: 'GET',
      path: `/api/pay/runs/${await seedPayRun(services, t.street, 'draft')}/export`,
    }),
  },
  'GET /api/pay/runs/:id/lines/:workerId/explain': {
    build: async (t, services) => ({
      method: 'GET',
      path: `/api/pay/runs/${await seedPayRun(services, t.street, 'draft', t.workerId)}/lines/${t.workerId}/explain`,
    }),
  },
  'GET /api/pay/workers/:id': {
    build: (t) => ({ method: 'GET', path: `/api/pay/workers/${t.workerId}?month=2026-07` }),
  },
  'GET /api/pay/conversions': {
    build: (t) => ({ method: 'GET', path: `/api/pay/conversions?org=${t.street}` }),
  },
  'POST /api/pay/conversions': {
    build: (t) => ({
      method: 'POST',
      path: '/api/pay/conversions',
      body: { org: t.street, packId: 'yinchuan-2018', effectiveOn: '2024-03-28' },
    }),
  },
  'GET /api/pay/conversions/:id': {
    build: async (t, services) => ({
      method: 'GET',
      path: `/api/pay/conversions/${await seedConversion(services, t.street)}`,
    }),
  },
  'POST /api/pay/conversions/:id/approve': {
    build: async (t, services) => ({
      method: 'POST',
      path: `/api/pay/conversions/${await seedConversion(services, t.street)}/approve`,
    }),
  },
  'POST /api/pay/conversions/:id/export': {
    build: async (t, services) => ({
      method: 'POST',
      path: `/api/pay/conversions/${await seedConversion(services, t.street)}/export`,
      body: { format: 'xlsx' },
    }),
  },
  'POST /api/budget/projection': {
    build: (t) => ({
      method: 'POST',
      path: '/api/budget/projection',
      body: { org: t.street, year: 2026 },
    }),
  },
  'POST /api/budget/what-if': {
    build: (t) => ({
      method: 'POST',
      path: '/api/budget/what-if',
      body: {
        org: t.street,
        year: 2026,
        packId: 'yinchuan-2018',
        parameters: { benchmarkPay: 2400 },
      },
    }),
  },
  'POST /api/exports/staffing': {
    build: (t) => ({ method: 'POST', path: '/api/exports/staffing', body: { org: t.community } }),
  },
  ...WORKFLOW_CASES,
};

// Routes outside the matrix, with the reason. Everything else must have a case.
const NOT_IN_MATRIX: Record<string, string> = {
  'POST /api/auth/logout': "ends the caller's own session; tested in auth.db.test.ts",
  'GET /api/jobs/:id': 'needs a job of the caller; scope tested in jobs/jobs.db.test.ts',
  'POST /api/auth/password':
    "changes the caller's own password; tested in auth/password.db.test.ts",
  'GET /api/imports/templates/:kind':
    'the same blank template for everyone (no org data); tested in excel/excel.db.test.ts',
  'GET /api/exports/:id/file':
    'needs a finished export job of the caller; tested in excel/excel.db.test.ts',
  'GET /api/audit/verify':
    'checks the whole chain (no org scope); tested in audit/audit-api.db.test.ts',
};
const matrixRoutes = featureRoutes.filter(
  (r) => r.access !== 'public' && !NOT_IN_MATRIX[`${r.method.toUpperCase()} ${r.path}`],
);

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const checkChar = (first17: string) =>
  '10X98765432'[[...first17].reduce((s, d, i) => s + Number(d) * WEIGHTS[i]!, 0) % 11]!;

describe(`access matrix (${testDbKind()})`, () => {
  let services: TServices;
  const clients = new Map<TRole, TTestClient>();
  let inside: Record<string, TTarget>;
  let outside: TTarget;

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 150);
    const { db } = services.database;
    const pick = async (community: string) =>
      (
        await db
          .select({ id: worker.id })
          .from(worker)
          .where(and(eq(worker.communityCode, community), sql`${worker.status} <> '已退出'`))
          .limit(1)
      )[0]!.id;
    const yc: TTarget = {
      county: '640104',
      street: '640104001000',
      community: '640104001001',
      movable: { community: '640104002001', streets: ['640104002000', '640104001000'] },
      workerId: await pick('640104001001'),
    };
    outside = {
      county: '330302',
      street: '330302001000',
      community: '330302001001',
      movable: { community: '330302002001', streets: ['330302002000', '330302001000'] },
      workerId: await pick('330302001001'),
    };
    inside = {};
    for (const role of ROLES) {
      const level = ROLE_ORG[role] ?? 'city';
      const orgCode = {
        root: '000000',
        city: '640100',
        county: '640104',
        street: yc.street,
        community: yc.community,
      }[level];
      let workerId: string | undefined;
      if (role === 'worker') workerId = yc.workerId;
      await seedUser(services, { username: `u-${role}`, role, orgCode, workerId });
      const client = createClient(services);
      expect((await client.login(`u-${role}`)).status).toBe(200);
      clients.set(role, client);
      // A street admin's scope holds one street: its move target is a community already in it.
      inside[role] =
        level === 'street' || level === 'community'
          ? { ...yc, movable: { community: yc.community, streets: [yc.street, yc.street] } }
          : yc;
    }
  });
  afterAll(() => services.database.close());

  it('has a case for every registered route', () => {
    const missing = matrixRoutes
      .map((r) => `${r.method.toUpperCase()} ${r.path}`)
      .filter((key) => !CASES[key]);
    expect(missing).toEqual([]);
  });

  for (const route of matrixRoutes) {
    const key = `${route.method.toUpperCase()} ${route.path}`;
    for (const role of ROLES) {
      it(`${key} as ${role}`, async () => {
        const kase = CASES[key]!;
        const client = clients.get(role)!;
        const send = async (t: TTarget) => {
          const req = await kase.build(t, services);
          return client.request(req.method, req.path, req.body);
        };
        const allowed =
          route.access === 'authenticated' || hasPermission(role, route.access as never);
        const inRes = await send(inside[role]!);
        const outRes = await send(outside);
        if (!allowed) {
          expect(inRes.status, JSON.stringify(inRes.body)).toBe(403);
          expect(outRes.status).toBe(403);
          return;
        }
        const expectedIn = kase.inScope?.[role];
        if (expectedIn) expect(inRes.status, JSON.stringify(inRes.body)).toBe(expectedIn);
        else expect(inRes.status, JSON.stringify(inRes.body)).toBeLessThan(300);
        if (route.access !== 'authenticated' && !kase.unscoped) {
          // Outside the scope: as if it did not exist.
          expect([404, 422], JSON.stringify(outRes.body)).toContain(outRes.status);
          if (outRes.status === 422) expect(JSON.stringify(outRes.body)).toMatch(/不存在|管辖范围/);
        }
      });
    }
  }

  it('never returns a worker outside the scope through list, search or counts', async () => {
    const client = clients.get('street-admin')!;
    const list = await client.get('/api/workers?limit=200');
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    for (const w of list.body.items) expect(w.communityCode.startsWith('640104001')).toBe(true);
    // Searching for an outside worker by name finds nothing of theirs.
    const outsider = (
      await services.database.db.select().from(worker).where(eq(worker.id, outside.workerId))
    )[0]!;
    const search = await client.get(`/api/workers?q=${encodeURIComponent(outsider.name)}`);
    expect(search.body.items.map((w: { id: string }) => w.id)).not.toContain(outside.workerId);
    // The counts of the root are those of the scope only.
    const root = await clients.get('civil-affairs-admin')!.get('/api/orgs/640100');
    const all = await services.database.db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(worker)
      .where(
        and(
          sql`${worker.orgPath} like '/000000/640000/640100/%'`,
          sql`${worker.status} <> '已退出'`,
        ),
      );
    expect(root.body.counts.workers).toBe(all[0]!.n);
  });

  it('lets the worker self-service role see only its own record', async () => {
    const client = clients.get('worker')!;
    const list = await client.get('/api/workers');
    expect(list.body.items.map((w: { id: string }) => w.id)).toEqual([inside.worker!.workerId]);
    expect(list.body.items[0].idNumberMasked).toBe(false);
  });

  it('masks 身份证号 and phone for a role that may not see them', async () => {
    const secretary = await clients
      .get('community-secretary')!
      .get(`/api/workers/${inside['community-secretary']!.workerId}`);
    expect(secretary.body.worker.idNumber).toMatch(/^\d{4}\*{10}[\dX]{4}$/);
    expect(secretary.body.worker.idNumberMasked).toBe(true);
    const street = await clients
      .get('street-admin')!
      .get(`/api/workers/${inside['street-admin']!.workerId}`);
    expect(street.body.worker.idNumber).toMatch(/^\d{17}[\dX]$/);
  });
});
