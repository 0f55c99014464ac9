import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../../context.ts';
import { queryRows } from '../../db/client.ts';
import { org, orgFact, orgMove, worker } from '../../db/schema/index.ts';
import { createClient, seedDemo, seedUser, type TTestClient } from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';

describe(`org tree use cases (${testDbKind()})`, () => {
  let services: TServices;
  let county: TTestClient;

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 150);
    await seedUser(services, {
      username: 'county',
      role: 'civil-affairs-admin',
      orgCode: '640104',
    });
    county = createClient(services);
    await county.login('county');
  });
  afterAll(() => services.database.close());

  it('adds a street and a community whose codes fit their parents, and refuses a code that does not', async () => {
    const street = await county.post('/api/orgs', {
      code: '640104050000',
      parentCode: '640104',
      name: '新建街道',
    });
    expect(street.status, JSON.stringify(street.body)).toBe(201);
    expect(street.body).toMatchObject({
      level: 'street',
      path: '/000000/640000/640100/640104/640104050000/',
    });
    const community = await county.post('/api/orgs', {
      code: '640104050001',
      parentCode: '640104050000',
      name: '新建社区',
    });
    expect(community.body.level).toBe('community');
    const wrong = await county.post('/api/orgs', {
      code: '640105050002',
      parentCode: '640104050000',
      name: '错码社区',
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.message).toContain('不是“新建街道”下的有效社区代码');
    const dup = await county.post('/api/orgs', {
      code: '640104050001',
      parentCode: '640104050000',
      name: '重复',
    });
    expect(dup.status).toBe(409);
  });

  it('counts the subtree of a node (nodes by level, active workers) in one statement, as a GROUP BY does', async () => {
    const { db } = services.database;
    for (const code of ['640104', '640104001000', '640104001001']) {
      const res = await county.get(`/api/orgs/${code}`);
      expect(res.status).toBe(200);
      const prefix = `${res.body.path}%`;
      const levels = await queryRows<{ level: string; n: number }>(
        db,
        sql`select level, count(*)::int as n from org where path like ${prefix} group by level`,
      );
      const n = (level: string) => levels.find((l) => l.level === level)?.n ?? 0;
      const workers = await queryRows<{ n: number }>(
        db,
        sql`select count(*)::int as n from worker where org_path like ${prefix} and status <> '已退出'`,
      );
      expect(workers[0]!.n).toBeGreaterThan(0);
      expect(res.body.counts).toEqual({
        streets: n('street'),
        communities: n('community'),
        grids: n('grid'),
        workers: workers[0]!.n,
      });
    }
    // Outside the caller's subtree: not found.
    expect((await county.get('/api/orgs/640100')).status).toBe(404);
  });

  it('lists the children of a node with the counts the node page gives each, in order', async () => {
    for (const code of ['640104', '640104001000']) {
      const res = await county.get(`/api/orgs/${code}/children`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeGreaterThan(0);
      for (const child of res.body.items) {
        const one = await county.get(`/api/orgs/${child.code}`);
        expect(child.counts, child.code).toEqual(one.body.counts);
        expect(child.parentCode).toBe(code);
      }
    }
    expect((await county.get('/api/orgs/640100/children')).status).toBe(404);
  });

  it('inherits the pack from the parent until one is set, and refuses an unknown pack', async () => {
    const before = await county.get('/api/orgs/640104001001');
    expect(before.body).toMatchObject({ packId: null, effectivePackId: 'yinchuan-2018' });
    const unknown = await county.patch('/api/orgs/640104001001', { packId: 'no-such-pack' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.message).toBe('政策包 no-such-pack 不存在');
  });

  it('moves a community to another street on a date: grids and workers follow, the move is kept', async () => {
    const { db } = services.database;
    const workersBefore = await db
      .select({ id: worker.id })
      .from(worker)
      .where(eq(worker.communityCode, '640104002001'));
    expect(workersBefore.length).toBeGreaterThan(0);
    const res = await county.post('/api/orgs/640104002001/move', {
      toParentCode: '640104001000',
      effectiveOn: '2026-07-01',
      reason: '街道区划调整',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.workersMoved).toBe(workersBefore.length);
    const newPath = '/000000/640000/640100/640104/640104001000/640104002001/';
    const grids = await db.select().from(org).where(eq(org.parentCode, '640104002001'));
    expect(grids.length).toBeGreaterThan(0);
    for (const g of grids) expect(g.path).toBe(`${newPath}${g.code}/`);
    const paths = await db
      .selectDistinct({ p: worker.orgPath })
      .from(worker)
      .where(eq(worker.communityCode, '640104002001'));
    expect(paths).toEqual([{ p: newPath }]);
    const moves = await db.select().from(orgMove).where(eq(orgMove.orgCode, '640104002001'));
    expect(moves).toEqual([
      expect.objectContaining({
        fromParentCode: '640104002000',
        toParentCode: '640104001000',
        effectiveOn: '2026-07-01',
      }),
    ]);
    // The old street's subtree no longer counts them.
    const old = await county.get('/api/orgs/640104002000');
    expect(old.body.counts.communities).toBe(0);
  });

  it('moves a community to a street of another county: its workers and their archive take the new county', async () => {
    const { db } = services.database;
    await seedUser(services, { username: 'root', role: 'system-admin', orgCode: '000000' });
    const root = createClient(services);
    await root.login('root');
    const from = (
      await db
        .select({ code: worker.communityCode })
        .from(worker)
        .where(sql`${worker.countyCode} = '330302'`)
        .limit(1)
    )[0]!.code;
    const res = await root.post(`/api/orgs/${from}/move`, {
      toParentCode: '640104001000',
      effectiveOn: '2026-07-01',
      reason: '跨县区划调整',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.workersMoved).toBeGreaterThan(0);
    const rows = await queryRows<{ w: string; a: string; n: number }>(
      db,
      sql`select w.county_code as w, a.county_code as a, count(*)::int as n
          from worker w join archive_item a on a.worker_id = w.id
          where w.community_code = ${from} group by 1, 2`,
    );
    expect(rows).toEqual([expect.objectContaining({ w: '640104', a: '640104' })]);
  });

  it('keeps facts by date: a new date adds a row, the same date corrects it; both audited', async () => {
    const code = '640104001001';
    const add = await county.post(`/api/orgs/${code}/facts`, {
      effectiveFrom: '2027-01-01',
      householdsRegistered: 3200,
      householdsResident: 3500,
      population: 9100,
      kind: '老旧社区',
      starRating: 4,
    });
    expect(add.status).toBe(201);
    const fix = await county.post(`/api/orgs/${code}/facts`, {
      effectiveFrom: '2027-01-01',
      householdsRegistered: 3210,
    });
    expect(fix.status).toBe(201);
    const { db } = services.database;
    const rows = await db
      .select()
      .from(orgFact)
      .where(eq(orgFact.orgCode, code))
      .orderBy(orgFact.effectiveFrom);
    expect(rows.map((r) => r.effectiveFrom)).toEqual(['2024-01-01', '2026-01-01', '2027-01-01']);
    expect(rows[2]!.householdsRegistered).toBe(3210);
    const res = await county.get(`/api/orgs/${code}/facts`);
    expect(res.body.items[0].effectiveFrom).toBe('2027-01-01');
    const audits = await db.execute(
      sql`select action from audit_log where entity = 'org' and entity_id = ${code} order by seq`,
    );
    expect(
      (audits as unknown as { rows: Array<{ action: string }> }).rows.map((r) => r.action),
    ).toEqual(['fact-add', 'fact-correct']);
    const bad = await county.post(`/api/orgs/${code}/facts`, {
      effectiveFrom: '2027-02-30',
      starRating: 6,
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.issues.map((i: { field: string }) => i.field).sort()).toEqual([
      'effectiveFrom',
      'starRating',
    ]);
  });

  it('lists a community’s grids with households and the grid workers assigned', async () => {
    const res = await county.get('/api/orgs/640104001001/grids');
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    for (const g of res.body.items) {
      expect(g.code.startsWith('640104001001')).toBe(true);
      expect(g.households).toBeGreaterThan(0);
    }
    expect(res.body.items.some((g: { workers: unknown[] }) => g.workers.length > 0)).toBe(true);
  });
});
