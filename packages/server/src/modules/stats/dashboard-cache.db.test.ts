import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TScope, TServices } from '../../context.ts';
import { openDatabase, queryRows, type TDatabase } from '../../db/client.ts';
import {
  createClient,
  seedDemo,
  seedUser,
  seedWorkerAccount,
  type TTestClient,
} from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';
import { buildXlsx, fixtureId, importThrough } from '../excel/excel-fixtures.ts';
import { DASHBOARD_CACHE_LIMITS, dashboardCacheOf } from './dashboard-cache.ts';
import { getStatsDashboard } from './get-stats-dashboard.ts';
import { PAY_DIM } from './stat-keys.ts';
import { applyPathStatDelta, markStatsChanged, rebuildStatRollup } from './stat-maintenance.ts';

// The dashboards kept per process (dashboard-cache.ts): a kept answer is the one a fresh
// computation gives, and every kind of write that changes the figures is seen by the next
// request — through this app or through another one on the same database.

const YINCHUAN = '640100';
const XINGQING = '640104';
const STREET = '640104001000';
const OTHER_STREET = '640104002000';
const COMMUNITY = '640104001001';

describe(`dashboards kept per process (${testDbKind()})`, () => {
  let services: TServices;
  let city: TTestClient;
  let street: TTestClient;
  let self: TTestClient;
  let cityScope: TScope;
  let streetCsrf = '';

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 300);
    await seedUser(services, { username: 'city', role: 'civil-affairs-admin', orgCode: YINCHUAN });
    await seedUser(services, { username: 'street', role: 'street-admin', orgCode: STREET });
    await seedWorkerAccount(services, 'self', COMMUNITY);
    city = createClient(services);
    street = createClient(services);
    self = createClient(services);
    await city.login('city');
    streetCsrf = (await street.login('street')).body.csrfToken;
    await self.login('self');
    cityScope = { kind: 'org', path: await pathOf(YINCHUAN), orgCode: YINCHUAN };
  });
  afterAll(() => services.database.close());

  const pathOf = async (code: string) =>
    (
      await queryRows<{ path: string }>(
        services.database.db,
        sql`select path from org where code = ${code}`,
      )
    )[0]!.path;

  /** The dashboard computed now, as the API would send it. */
  const fresh = async (code: string, scope = cityScope) =>
    JSON.parse(
      JSON.stringify(
        await getStatsDashboard(
          { db: services.database.db, scope, policiesDir: services.config.policiesDir },
          code,
        ),
      ),
    );

  const version = async () =>
    Number(
      (
        await queryRows<{ n: string }>(
          services.database.db,
          sql`select n::text as n from stat_version`,
        )
      )[0]!.n,
    );

  const dashboard = async (code: string, client = city) => {
    const res = await client.get(`/api/stats/${code}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    return res.body;
  };

  it('sends a kept answer again, equal to a fresh computation, until the data version changes', async () => {
    const first = await dashboard(XINGQING);
    expect(first).toEqual(await fresh(XINGQING));
    expect(dashboardCacheOf(services.database.db).size).toBeGreaterThan(0);
    expect(await dashboard(XINGQING)).toEqual(first);
    // A change written behind the writers' back (no mark): the kept answer is sent.
    const { db } = services.database;
    await db.execute(
      sql`update stat_rollup set n = n + 1000 where org_code = ${XINGQING} and dim = 'headcount'`,
    );
    expect((await dashboard(XINGQING)).headcount).toBe(first.headcount);
    // The version raised (as the writers' transactions do): computed again.
    await markStatsChanged(db);
    expect((await dashboard(XINGQING)).headcount).toBe(first.headcount + 1000);
    await db.execute(
      sql`update stat_rollup set n = n - 1000 where org_code = ${XINGQING} and dim = 'headcount'`,
    );
    await markStatsChanged(db);
    expect(await dashboard(XINGQING)).toEqual(first);
  });

  /**
   * A kept answer of the county (and of the community, whose children are grids counted from the
   * workers), then the write, then the next answers: fresh, changed, and the version raised once.
   */
  const afterWrite = async (what: string, write: () => Promise<void>, codes = [XINGQING]) => {
    const before = new Map<string, unknown>();
    for (const code of codes) before.set(code, await dashboard(code));
    const v = await version();
    await write();
    expect(await version(), `${what}: the version is raised once`).toBe(v + 1);
    for (const code of codes) {
      const after = await dashboard(code);
      expect(after, `${what}: ${code} as computed now`).toEqual(await fresh(code));
      expect(after, `${what}: ${code} changed`).not.toEqual(before.get(code));
    }
  };

  it('shows every kind of write at once: worker create, edit, grid, exit, facts, org, pack, import, pay, rebuild', async () => {
    let id = '';
    const workerVersion = async () =>
      (
        await queryRows<{ v: number }>(
          services.database.db,
          sql`select version as v from worker where id = ${id}`,
        )
      )[0]!.v;
    await afterWrite('worker created', async () => {
      const created = await street.post('/api/workers', {
        name: '缓存甲',
        idNumber: fixtureId(XINGQING, '1990-01-01', 801),
        educationLevel: '高中及以下',
        serviceStartedOn: '2019-04-01',
        communityCode: COMMUNITY,
        postTitle: '网格员',
        livesInCommunity: true,
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      id = created.body.id;
    });
    await afterWrite('worker edited', async () => {
      const edit = await street.patch(`/api/workers/${id}`, {
        version: await workerVersion(),
        educationLevel: '硕士',
      });
      expect(edit.status, JSON.stringify(edit.body)).toBe(200);
    });
    // Into a grid: no rollup row changes, but the community's grids are counted from workers.
    const grid = (
      await queryRows<{ code: string }>(
        services.database.db,
        sql`select code from org where parent_code = ${COMMUNITY} and level = 'grid' order by code limit 1`,
      )
    )[0]!.code;
    await afterWrite('worker put in a grid', async () => {
      const edit = await street.patch(`/api/workers/${id}`, {
        version: await workerVersion(),
        gridCode: grid,
      });
      expect(edit.status, JSON.stringify(edit.body)).toBe(200);
    }, [COMMUNITY]);
    await afterWrite('worker exited', async () => {
      const exit = await city.patch(`/api/workers/${id}`, {
        version: await workerVersion(),
        status: '已退出',
        effectiveOn: '2026-10-15',
        reason: '辞职',
      });
      expect(exit.status, JSON.stringify(exit.body)).toBe(200);
    });
    await afterWrite('facts recorded', async () => {
      const fact = await city.post(`/api/orgs/${COMMUNITY}/facts`, {
        effectiveFrom: '2026-10-01',
        householdsResident: 5432,
        population: 12345,
        kind: '老旧社区',
      });
      expect(fact.status, JSON.stringify(fact.body)).toBe(201);
    }, [XINGQING, COMMUNITY]);
    await afterWrite('a street renamed', async () => {
      const renamed = await city.patch(`/api/orgs/${STREET}`, { name: '缓存改名街道' });
      expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    });
    await afterWrite('a community created', async () => {
      const created = await city.post('/api/orgs', {
        code: '640104002098',
        parentCode: OTHER_STREET,
        name: '缓存新设社区',
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    });
    await afterWrite('the county given a pack', async () => {
      const pack = await city.patch(`/api/orgs/${XINGQING}`, { packId: 'national-2024' });
      expect(pack.status, JSON.stringify(pack.body)).toBe(200);
    });
    await afterWrite('a roster imported (one transaction)', async () => {
      const name = (
        await queryRows<{ name: string }>(
          services.database.db,
          sql`select name from org where code = ${COMMUNITY}`,
        )
      )[0]!.name;
      const file = await buildXlsx([
        {
          name: '花名册',
          textColumns: [3],
          rows: [
            ['序号', '姓名', '身份证号码', '文化程度', '社区', '现任职务', '参加社区工作时间'],
            [
              1,
              '导入甲',
              fixtureId('640104', '1991-02-03', 21),
              '本科',
              name,
              '网格员',
              '2020-03-01',
            ],
            [
              2,
              '导入乙',
              fixtureId('640104', '1992-04-05', 22),
              '大专',
              name,
              '委员',
              '2021-05-01',
            ],
          ],
        },
      ]);
      const { batch, issues } = await importThrough(street, streetCsrf, 'workers', file, {
        commit: 'stop',
      });
      expect(batch.status, JSON.stringify(issues)).toBe('committed');
    });
    await afterWrite('pay results rolled up', async () => {
      const w = (
        await queryRows<{ path: string; county: string }>(
          services.database.db,
          sql`select org_path as path, county_code as county from worker where community_code = ${COMMUNITY} limit 1`,
        )
      )[0]!;
      await applyPathStatDelta(services.database.db, w.path, w.county, [
        [PAY_DIM, '2026-09', 123_456],
      ]);
    });
    // A repair: workers changed behind the rollup's back are counted by the rebuild.
    await services.database.db.execute(
      sql`update worker set education_level = '博士' where community_code = ${COMMUNITY}
            and status <> '已退出' and education_level <> '博士'`,
    );
    await afterWrite('the rollup rebuilt', async () => {
      await rebuildStatRollup(services.database.db);
    });
  });

  it('raises the version once for each of concurrent writers, without a deadlock or a lost raise', async () => {
    const kept = await dashboard(XINGQING);
    const workers = await queryRows<{ id: string; v: number; education: string }>(
      services.database.db,
      sql`select id, version as v, education_level as education from worker
          where county_code = ${XINGQING} and status <> '已退出' order by id limit 10`,
    );
    expect(workers).toHaveLength(10);
    const v = await version();
    const edits = await Promise.all(
      workers.map((w) =>
        city.patch(`/api/workers/${w.id}`, {
          version: w.v,
          educationLevel: w.education === '本科' ? '大专' : '本科',
          correction: true,
        }),
      ),
    );
    expect(edits.map((e) => e.status)).toEqual(workers.map(() => 200));
    expect(await version()).toBe(v + 10);
    const after = await dashboard(XINGQING);
    expect(after).toEqual(await fresh(XINGQING));
    expect(after.structures.education).not.toEqual(kept.structures.education);
  });

  it('leaves the version as it is for a write the dashboards do not read (an archive note)', async () => {
    const kept = await dashboard(XINGQING);
    const v = await version();
    const someone = (
      await queryRows<{ id: string }>(
        services.database.db,
        sql`select id from worker where community_code = ${COMMUNITY} limit 1`,
      )
    )[0]!.id;
    const note = await street.post(`/api/workers/${someone}/archive`, {
      kind: 'note',
      startOn: '2026-11-01',
      data: { text: '走访记录' },
    });
    expect(note.status, JSON.stringify(note.body)).toBe(201);
    expect(await version()).toBe(v);
    expect(await dashboard(XINGQING)).toEqual(kept);
  });

  it('keeps answers apart by scope, and never sends one outside the caller’s scope', async () => {
    const streetScope: TScope = { kind: 'org', path: await pathOf(STREET), orgCode: STREET };
    for (let i = 0; i < 2; i++) {
      const byCity = await dashboard(STREET, city);
      const byStreet = await dashboard(STREET, street);
      expect(byCity).toEqual(await fresh(STREET));
      expect(byStreet).toEqual(await fresh(STREET, streetScope));
      expect(byCity.node.trail[0].code).toBe(YINCHUAN);
      expect(byStreet.node.trail.map((t: { code: string }) => t.code)).toEqual([STREET]);
    }
    // Kept for the city admin: still 404 for the street admin, 403 for a worker.
    await dashboard(XINGQING, city);
    await dashboard(OTHER_STREET, city);
    for (const code of [XINGQING, YINCHUAN, OTHER_STREET]) {
      expect((await street.get(`/api/stats/${code}`)).status, code).toBe(404);
      expect((await street.get(`/api/stats/${code}/report`)).status, code).toBe(404);
    }
    expect((await self.get(`/api/stats/${COMMUNITY}`)).status).toBe(403);
    expect((await city.get('/api/stats/330302001001')).status).toBe(404);
  });

  it('holds its cap on answers and on bytes, the least recently used leaving first', async () => {
    const cache = dashboardCacheOf(services.database.db);
    const codes = (
      await queryRows<{ code: string }>(
        services.database.db,
        sql`select code from org where path like ${`${await pathOf(XINGQING)}%`}
              and level in ('county', 'street', 'community') order by code limit 8`,
      )
    ).map((r) => r.code);
    expect(codes.length).toBe(8);
    try {
      cache.clear();
      cache.resize({ entries: 3, bytes: DASHBOARD_CACHE_LIMITS.bytes });
      for (const code of codes) {
        expect(await dashboard(code)).toEqual(await fresh(code));
        expect(cache.size).toBeLessThanOrEqual(3);
      }
      expect(cache.size).toBe(3);
      // Evicted ones are computed again, correctly.
      for (const code of codes) expect(await dashboard(code)).toEqual(await fresh(code));
      const largest = Math.max(
        ...(await Promise.all(codes.map(async (c) => JSON.stringify(await fresh(c)).length))),
      );
      const bytes = largest * 2 * 2 + 1000;
      cache.resize({ entries: 100, bytes });
      expect(cache.bytes).toBeLessThanOrEqual(bytes);
      for (const code of codes) {
        expect(await dashboard(code)).toEqual(await fresh(code));
        expect(cache.bytes).toBeLessThanOrEqual(bytes);
      }
      expect(cache.size).toBeLessThan(codes.length);
    } finally {
      cache.resize(DASHBOARD_CACHE_LIMITS);
    }
  });

  describe.runIf(testDbKind() === 'pg')('two app instances on one database', () => {
    let other: TDatabase;
    let cityB: TTestClient;

    beforeAll(async () => {
      // A second pool over the same database, with its own cache: another server process.
      other = await openDatabase({
        kind: 'postgres',
        url: services.database.pool!.options.connectionString!,
        max: 2,
      });
      cityB = createClient({ ...services, database: { ...services.database, ...other } });
      await cityB.login('city');
    });
    afterAll(() => other.close());

    it('shows through one what was written through the other, each kind of write', async () => {
      const read = async (code: string) => {
        const res = await cityB.get(`/api/stats/${code}`);
        expect(res.status).toBe(200);
        return res.body;
      };
      const kept = await read(XINGQING);
      expect(await read(XINGQING)).toEqual(kept);
      expect(dashboardCacheOf(other.db).size).toBeGreaterThan(0);
      const created = await street.post('/api/workers', {
        name: '缓存乙',
        idNumber: fixtureId(XINGQING, '1990-01-01', 802),
        educationLevel: '本科',
        serviceStartedOn: '2020-04-01',
        communityCode: COMMUNITY,
        postTitle: '网格员',
        livesInCommunity: false,
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const afterCreate = await read(XINGQING);
      expect(afterCreate.headcount).toBe(kept.headcount + 1);
      expect(afterCreate).toEqual(await fresh(XINGQING));
      const fact = await city.post(`/api/orgs/${COMMUNITY}/facts`, {
        effectiveFrom: '2026-11-01',
        householdsResident: 6000,
        population: 20000,
        kind: '城市社区',
      });
      expect(fact.status, JSON.stringify(fact.body)).toBe(201);
      const afterFact = await read(XINGQING);
      expect(afterFact).not.toEqual(afterCreate);
      expect(afterFact).toEqual(await fresh(XINGQING));
      await rebuildStatRollup(services.database.db);
      expect(await read(XINGQING)).toEqual(await fresh(XINGQING));
    });
  });
});
