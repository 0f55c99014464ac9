import { loadPolicyRegistry } from '@shegong/policy';
import { AGE_BANDS, idNumberCheckChar, SERVICE_BANDS, todayIso } from '@shegong/shared';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../../context.ts';
import { queryRows } from '../../db/client.ts';
import {
  createClient,
  seedDemo,
  seedUser,
  seedWorkerAccount,
  type TTestClient,
} from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';
import { ageOn, workerServiceYears } from '../worker/worker-view.ts';
import { PAY_DIM } from './stat-keys.ts';
import {
  applyPathStatDelta,
  rebuildStatRollup,
  refreshCommunityStats,
} from './stat-maintenance.ts';

// The rollup is checked against GROUP BYs of the raw tables written here independently of the
// module's code, after the demo load and after every kind of write the use cases make.

const YINCHUAN = '640100';
const XINGQING = '640104';
const STREET = '640104001000';
const OTHER_STREET = '640104002000';
const COMMUNITY = '640104001001';
const YEAR = Number(todayIso().slice(0, 4));

/** A raw count per (node, value): every non-grid node above each worker's community. */
const rawCounts = async (services: TServices, valueSql: string, active = true) => {
  const rows = await queryRows<{ code: string; value: string; n: number }>(
    services.database.db,
    sql.raw(`select o.code, (${valueSql})::text as value, count(*)::int as n
      from worker w join org o on w.org_path like o.path || '%'
      where o.level <> 'grid' ${active ? "and w.status <> '已退出'" : ''}
      group by 1, 2`),
  );
  return new Map(rows.map((r) => [`${r.code}|${r.value}`, r.n]));
};

const rollupCounts = async (services: TServices, dim: string) => {
  const rows = await queryRows<{ code: string; value: string; n: number }>(
    services.database.db,
    sql`select org_code as code, value, n from stat_rollup where dim = ${dim} and n <> 0`,
  );
  return new Map(rows.map((r) => [`${r.code}|${r.value}`, Number(r.n)]));
};

const RAW: Record<string, [string, boolean]> = {
  headcount: ["''", true],
  status: ['w.status', true],
  sex: ['w.sex', true],
  education: ['w.education_level', true],
  political: ['w.political_status', true],
  certificate: ['w.certificate_level', true],
  title: ["coalesce(w.post_title, '未填写')", true],
  birthYear: ['extract(year from w.birth_date)', true],
  local: ["case when w.lives_in_community then '是' else '否' end", true],
  joined: ['extract(year from coalesce(w.hired_on, w.service_started_on))', false],
  exited: [
    "case when w.status = '已退出' then extract(year from coalesce(w.exited_on, w.hired_on, w.service_started_on))::text end",
    false,
  ],
};

/** Population and households by node: the latest fact (on or before today) of each community. */
const rawFacts = async (services: TServices) => {
  const rows = await queryRows<{ code: string; population: number; households: number }>(
    services.database.db,
    sql`with latest as (
          select distinct on (f.org_code) f.org_code, f.population,
            coalesce(f.households_resident, f.households_registered) as households
          from org_fact f join org c on c.code = f.org_code and c.level = 'community'
          where f.effective_from <= ${todayIso()}
          order by f.org_code, f.effective_from desc)
        select o.code, sum(l.population)::int as population, sum(l.households)::int as households
        from latest l join org c on c.code = l.org_code join org o on c.path like o.path || '%'
        group by o.code`,
  );
  return rows;
};

const expectRollupEqualsRaw = async (services: TServices) => {
  for (const [dim, [expr, active]] of Object.entries(RAW)) {
    const raw = await rawCounts(services, expr, active);
    if (dim === 'exited') for (const k of [...raw.keys()]) if (k.endsWith('|null')) raw.delete(k);
    expect(Object.fromEntries(await rollupCounts(services, dim)), dim).toEqual(
      Object.fromEntries(raw),
    );
  }
  const population = await rollupCounts(services, 'population');
  const households = await rollupCounts(services, 'households');
  for (const f of await rawFacts(services)) {
    expect(population.get(`${f.code}|`) ?? 0, `population of ${f.code}`).toBe(f.population);
    expect(households.get(`${f.code}|`) ?? 0, `households of ${f.code}`).toBe(f.households);
  }
  const orgCounts = await queryRows<{ code: string; level: string; n: number }>(
    services.database.db,
    sql`select o.code, d.level, count(*)::int as n from org o join org d on d.path like o.path || '%'
        where o.level <> 'grid' group by 1, 2`,
  );
  const packs = await queryRows<{ code: string; value: string }>(
    services.database.db,
    sql`select o.code, d.code as value from org o join org d on d.path like o.path || '%'
        where o.level <> 'grid' and d.pack_id is not null`,
  );
  expect(Object.fromEntries(await rollupCounts(services, 'packs'))).toEqual(
    Object.fromEntries(packs.map((r) => [`${r.code}|${r.value}`, 1])),
  );
  const orgs = await rollupCounts(services, 'orgs');
  expect(Object.fromEntries(orgs)).toEqual(
    Object.fromEntries(orgCounts.map((r) => [`${r.code}|${r.level}`, r.n])),
  );
};

/**
 * The quota of every community under a path by the pack that governs it (the nearest pack set on
 * it or above that the registry holds), each evaluated on its own with traces.
 */
const expectedQuotaByPacks = async (services: TServices, path: string) => {
  const registry = await loadPolicyRegistry(services.config.policiesDir);
  const { db } = services.database;
  const packOf = new Map(
    (
      await queryRows<{ code: string; packId: string }>(
        db,
        sql`select code, pack_id as "packId" from org where pack_id is not null`,
      )
    ).map((r) => [r.code, r.packId]),
  );
  const facts = await queryRows<{ path: string; households: number; kind: string | null }>(
    db,
    sql`select distinct on (f.org_code) c.path, coalesce(f.households_resident, f.households_registered) as households, f.kind
        from org_fact f join org c on c.code = f.org_code and c.level = 'community'
        where c.path like ${`${path}%`} and f.effective_from <= ${todayIso()}
        order by f.org_code, f.effective_from desc`,
  );
  let min = 0;
  let counted = 0;
  for (const f of facts) {
    const packId = f.path
      .split('/')
      .filter(Boolean)
      .reverse()
      .map((c) => packOf.get(c))
      .find((p) => p && registry.has(p));
    if (!packId) continue;
    try {
      min += registry.at(packId, todayIso()).quota({
        households: f.households,
        ...(f.kind ? { kind: f.kind } : {}),
      }).value.min;
      counted++;
    } catch {
      // No community quota in this pack (the national one has none).
    }
  }
  return { min, communitiesCounted: counted };
};

/** Yinchuan's quota: every community's latest facts through the engine's traced evaluation. */
const expectedQuota = async (services: TServices) => {
  const registry = await loadPolicyRegistry(services.config.policiesDir);
  const pack = registry.at('yinchuan-2018', todayIso());
  const facts = await queryRows<{ households: number; kind: string | null }>(
    services.database.db,
    sql`select distinct on (f.org_code) coalesce(f.households_resident, f.households_registered) as households, f.kind
        from org_fact f join org c on c.code = f.org_code and c.level = 'community'
        where c.path like '/000000/640000/640100/%' and f.effective_from <= ${todayIso()}
        order by f.org_code, f.effective_from desc`,
  );
  let min = 0;
  let max = 0;
  for (const f of facts) {
    const q = pack.quota({ households: f.households, ...(f.kind ? { kind: f.kind } : {}) }).value;
    min += q.min;
    max += q.max ?? 0;
  }
  return { min, max, communitiesCounted: facts.length };
};

const id17 = (n: number) =>
  `64010419900${String(101 + (n % 9)).slice(-1)}1${String(100 + n).slice(-3)}`;
const validId = (n: number) => {
  const first17 = `${id17(n)}`.slice(0, 17).padEnd(17, '0');
  return first17 + idNumberCheckChar(first17);
};

describe(`statistics rollup and dashboard (${testDbKind()})`, () => {
  let services: TServices;
  let city: TTestClient;
  let street: TTestClient;
  let secretary: TTestClient;
  let self: TTestClient;

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 400);
    await seedUser(services, { username: 'city', role: 'civil-affairs-admin', orgCode: YINCHUAN });
    await seedUser(services, { username: 'street', role: 'street-admin', orgCode: STREET });
    await seedUser(services, { username: 'sec', role: 'community-secretary', orgCode: COMMUNITY });
    await seedWorkerAccount(services, 'self', COMMUNITY);
    city = createClient(services);
    street = createClient(services);
    secretary = createClient(services);
    self = createClient(services);
    await city.login('city');
    await street.login('street');
    await secretary.login('sec');
    await self.login('self');
  });
  afterAll(() => services.database.close());

  it('builds the rollup on first use and it equals a GROUP BY of the raw records', async () => {
    const res = await city.get(`/api/stats/${YINCHUAN}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await expectRollupEqualsRaw(services);
  });

  it('shows a city: headcount, children, structure, standard per 10,000 and quota from the pack', async () => {
    const d = (await city.get(`/api/stats/${YINCHUAN}`)).body;
    const { db } = services.database;
    const [{ n }] = (await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from worker where org_path like '/000000/640000/640100/%' and status <> '已退出'`,
    )) as [{ n: number }];
    expect(d.headcount).toBe(n);
    expect(d.pack.id).toBe('yinchuan-2018');
    expect(d.node.trail.map((t: { code: string }) => t.code)).toEqual([YINCHUAN]);
    // The six districts of Yinchuan, each with its raw headcount.
    expect(d.children.map((c: { name: string }) => c.name)).toEqual([
      '兴庆区',
      '西夏区',
      '金凤区',
      '永宁县',
      '贺兰县',
      '灵武市',
    ]);
    const byCounty = await queryRows<{ code: string; n: number }>(
      db,
      sql`select county_code as code, count(*)::int as n from worker
          where org_path like '/000000/640000/640100/%' and status <> '已退出' group by 1`,
    );
    for (const c of d.children) {
      expect(c.indicators.headcount).toBe(byCounty.find((r) => r.code === c.code)?.n ?? 0);
    }
    // Structure: the education counts are those of the registry.
    const edu = await queryRows<{ v: string; n: number }>(
      db,
      sql`select education_level as v, count(*)::int as n from worker
          where org_path like '/000000/640000/640100/%' and status <> '已退出' group by 1`,
    );
    for (const row of edu) {
      expect(d.structures.education.find((e: { key: string }) => e.key === row.v).count).toBe(
        row.n,
      );
    }
    // Ages and years of work at the end of the year, from the registry's own functions.
    const people = await queryRows<{
      birthDate: string;
      serviceStartedOn: string;
      priorService: { from: string; to: string; place: string }[];
      exitedOn: string | null;
    }>(
      db,
      sql`select birth_date as "birthDate", service_started_on as "serviceStartedOn",
            prior_service as "priorService", exited_on as "exitedOn"
          from worker where org_path like '/000000/640000/640100/%' and status <> '已退出'`,
    );
    const band = (bands: readonly { max: number | null }[], x: number) =>
      bands.findIndex((b) => b.max === null || x <= b.max);
    const ages = AGE_BANDS.map(() => 0);
    const service = SERVICE_BANDS.map(() => 0);
    for (const p of people) {
      ages[band(AGE_BANDS, ageOn(p.birthDate, `${YEAR}-12-31`))]! += 1;
      const years = workerServiceYears({ ...p, exitedOn: null }, `${YEAR + 1}-01-01`);
      service[band(SERVICE_BANDS, years)]! += 1;
    }
    expect(d.structures.age.map((a: { count: number }) => a.count)).toEqual(ages);
    expect(d.structures.service.map((a: { count: number }) => a.count)).toEqual(service);
    // National standard 003 二.3: 18 per 10,000 residents, rounded half up.
    const [{ pop }] = (await queryRows<{ pop: number }>(
      db,
      sql`select sum(population)::int as pop from (
            select distinct on (f.org_code) f.population from org_fact f
            join org c on c.code = f.org_code and c.level = 'community'
            where c.path like '/000000/640000/640100/%' and f.effective_from <= ${todayIso()}
            order by f.org_code, f.effective_from desc) x`,
    )) as [{ pop: number }];
    expect(d.density.population).toBe(pop);
    expect(d.density.standard.expected).toBe(Math.floor((pop * 18) / 10_000 + 0.5));
    expect(d.density.standard.perTenThousand).toBe('18');
    expect(d.density.perTenThousand).toBe(Math.round((n * 100_000) / pop) / 10);
    // Quota: each community's range by the Yinchuan rules, evaluated one by one with traces.
    const q = await expectedQuota(services);
    expect(d.quota).toMatchObject({ ...q, headcount: n });
    // What the quota counts, beside the population standard (003 二.3): 银川's community lines
    // in the total — 两委成员 and the 专职网格员 recruited beyond them — by 004 职业化 (三).
    expect(d.density.standard.source).toContain('003');
    expect(d.quota.basis).toEqual({
      lines: ['两委成员', '专职网格员'],
      sources: ['004 职业化 (三)'],
    });
  });

  it('measures the Yinchuan targets: 大专+ and certificates over the city, 2/5 local per community', async () => {
    const d = (await city.get(`/api/stats/${YINCHUAN}`)).body;
    const { db } = services.database;
    const raw = (
      await queryRows<{ total: number; college: number; cert: number }>(
        db,
        sql`select count(*)::int as total,
              count(*) filter (where education_level in ('大专','本科','硕士','博士'))::int as college,
              count(*) filter (where certificate_level <> '无')::int as cert
            from worker where org_path like '/000000/640000/640100/%' and status <> '已退出'`,
      )
    )[0]!;
    const edu = d.targets.find((t: { rule: string }) => t.rule === 'yc-target-education');
    expect(edu).toMatchObject({ count: raw.college, total: raw.total, required: '不低于90%' });
    expect(edu.met).toBe(raw.college * 10 >= raw.total * 9);
    const cert = d.targets.find((t: { rule: string }) => t.rule === 'yc-target-certificate');
    expect(cert).toMatchObject({ count: raw.cert, total: raw.total, required: '不低于80%' });
    expect(cert.met).toBe(raw.cert * 10 >= raw.total * 8);
    // Per community: at least 2/5 living in the community (004 职业化 (六)).
    const perCommunity = await queryRows<{ code: string; local: number; total: number }>(
      db,
      sql`select c.code, count(w.id) filter (where w.lives_in_community)::int as local, count(w.id)::int as total
          from org c left join worker w on w.community_code = c.code and w.status <> '已退出'
          where c.level = 'community' and c.path like '/000000/640000/640100/%' group by c.code`,
    );
    const local = d.targets.find((t: { rule: string }) => t.rule === 'yc-target-local');
    expect(local.units).toEqual({
      met: perCommunity.filter((c) => c.total > 0 && c.local * 5 >= c.total * 2).length,
      total: perCommunity.length,
      label: '社区',
    });
  });

  it('stays equal to the raw records after create, edit, transfer, exit, community move and facts', async () => {
    const created = await street.post('/api/workers', {
      name: '统计甲',
      idNumber: validId(1),
      educationLevel: '高中及以下',
      serviceStartedOn: '2019-04-01',
      communityCode: COMMUNITY,
      postTitle: '网格员',
      livesInCommunity: true,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    const version = async () =>
      (
        await queryRows<{ v: number }>(
          services.database.db,
          sql`select version as v from worker where id = ${id}`,
        )
      )[0]!.v;
    const edit = await street.patch(`/api/workers/${id}`, {
      version: await version(),
      educationLevel: '本科',
      certificateLevel: '社会工作师',
      certificateDate: '2024-06-01',
      priorService: [{ from: '2012-01-01', to: '2016-06-30', place: '本省其他社区' }],
    });
    expect(edit.status, JSON.stringify(edit.body)).toBe(200);
    // Transfer to a community of another county (by the city), then exit.
    const transfer = await city.patch(`/api/workers/${id}`, {
      version: await version(),
      communityCode: '640105001001',
      effectiveOn: '2026-09-01',
      reason: '调动',
    });
    expect(transfer.status, JSON.stringify(transfer.body)).toBe(200);
    await expectRollupEqualsRaw(services);
    const exit = await city.patch(`/api/workers/${id}`, {
      version: await version(),
      status: '已退出',
      effectiveOn: '2026-10-15',
      reason: '辞职',
    });
    expect(exit.status, JSON.stringify(exit.body)).toBe(200);
    // A community moves to another street, with its workers and grids.
    const move = await city.post(`/api/orgs/640104002001/move`, {
      toParentCode: STREET,
      effectiveOn: '2026-06-01',
      reason: '区划调整',
    });
    expect(move.status, JSON.stringify(move.body)).toBe(200);
    // New facts of a community, a new grid and a new community.
    expect(
      (
        await city.post(`/api/orgs/${COMMUNITY}/facts`, {
          effectiveFrom: '2026-10-01',
          householdsResident: 4321,
          population: 11111,
          kind: '老旧社区',
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await city.post('/api/orgs', {
          code: `${COMMUNITY}950`,
          parentCode: COMMUNITY,
          name: '第九十五网格',
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await city.post('/api/orgs', {
          code: '640104002099',
          parentCode: OTHER_STREET,
          name: '新设社区',
        })
      ).status,
    ).toBe(201);
    await expectRollupEqualsRaw(services);
    // New facts change the quota at once (no figure kept from before).
    expect((await city.get(`/api/stats/${YINCHUAN}`)).body.quota).toMatchObject(
      await expectedQuota(services),
    );
    // The exit counts in this year's turnover of the county it left from.
    const d = (await city.get('/api/stats/640105')).body;
    expect(d.trend.at(-1)).toMatchObject({ year: YEAR });
    const exited = await queryRows<{ n: number }>(
      services.database.db,
      sql`select count(*)::int as n from worker where county_code = '640105' and status = '已退出'
          and extract(year from exited_on) = ${YEAR}`,
    );
    expect(d.trend.at(-1).exited).toBe(exited[0]!.n);
  });

  it('sums quotas across the country by the pack of each community, and follows a pack change', async () => {
    const sys = createClient(services);
    await seedUser(services, { username: 'sys', role: 'system-admin', orgCode: '000000' });
    await sys.login('sys');
    const before = (await sys.get('/api/stats/000000')).body;
    expect(before.quota).toMatchObject(await expectedQuotaByPacks(services, '/000000/'));
    // 兴庆区 takes the national pack (no community quotas): its communities leave the sum.
    const change = await sys.patch(`/api/orgs/${XINGQING}`, { packId: 'national-2024' });
    expect(change.status, JSON.stringify(change.body)).toBe(200);
    await expectRollupEqualsRaw(services);
    const after = (await sys.get('/api/stats/000000')).body;
    expect(after.quota).toMatchObject(await expectedQuotaByPacks(services, '/000000/'));
    expect(after.quota.communitiesCounted).toBeLessThan(before.quota.communitiesCounted);
    const city = (await sys.get(`/api/stats/${YINCHUAN}`)).body;
    expect(
      city.children.find((c: { code: string }) => c.code === XINGQING).indicators.quotaFill,
    ).toBeNull();
    expect((await sys.patch(`/api/orgs/${XINGQING}`, { packId: null })).status).toBe(200);
    expect((await sys.get('/api/stats/000000')).body.quota).toEqual(before.quota);
  });

  it('catches up with rows written in bulk when given the codes touched', async () => {
    const { db } = services.database;
    // As an import would: a new street and community, workers copied in, a fact, a moved worker.
    const county = (
      await queryRows<{ path: string }>(db, sql`select path from org where code = ${XINGQING}`)
    )[0]!;
    const streetCode = '640104099000';
    const communityCode = '640104099001';
    await db.execute(sql`insert into org (code, parent_code, level, name, path, county_code)
      values (${streetCode}, ${XINGQING}, 'street', '导入街道', ${`${county.path}${streetCode}/`}, ${XINGQING}),
        (${communityCode}, ${streetCode}, 'community', '导入社区',
         ${`${county.path}${streetCode}/${communityCode}/`}, ${XINGQING})`);
    await db.execute(sql`insert into org_fact (id, org_code, county_code, effective_from, households_resident, population, kind)
      values (gen_random_uuid(), ${communityCode}, ${XINGQING}, '2026-02-01', 2222, 5555, '城市社区')`);
    const moved = await queryRows<{ id: string; community: string }>(
      db,
      sql`update worker set community_code = ${communityCode}, grid_code = null,
            org_path = ${`${county.path}${streetCode}/${communityCode}/`}
          where id in (select id from worker where community_code = ${COMMUNITY} limit 3)
          returning id, ${COMMUNITY}::text as community`,
    );
    expect(moved).toHaveLength(3);
    await refreshCommunityStats(db, [streetCode, communityCode, COMMUNITY]);
    await expectRollupEqualsRaw(services);
    // Idempotent.
    await refreshCommunityStats(db, [streetCode, communityCode, COMMUNITY]);
    await expectRollupEqualsRaw(services);
  });

  it('rebuilds to exactly the incrementally maintained rows', async () => {
    const before = await queryRows<{ k: string; n: number }>(
      services.database.db,
      sql`select org_code || '|' || dim || '|' || value as k, n from stat_rollup where n <> 0 order by 1`,
    );
    await rebuildStatRollup(services.database.db);
    const after = await queryRows<{ k: string; n: number }>(
      services.database.db,
      sql`select org_code || '|' || dim || '|' || value as k, n from stat_rollup where n <> 0 order by 1`,
    );
    expect(after).toEqual(before);
  });

  it('lets a street admin drill down to its communities and grids, and nothing beside or above', async () => {
    const s = await street.get(`/api/stats/${STREET}`);
    expect(s.status).toBe(200);
    expect(s.body.node.trail).toEqual([{ code: STREET, name: expect.any(String) }]);
    const own = await queryRows<{ code: string }>(
      services.database.db,
      sql`select code from org where parent_code = ${STREET} order by sort, code`,
    );
    expect(s.body.children.map((c: { code: string }) => c.code)).toEqual(own.map((o) => o.code));
    expect(
      s.body.children.reduce(
        (n: number, c: { indicators: { headcount: number } }) => n + c.indicators.headcount,
        0,
      ),
    ).toBe(s.body.headcount);
    const community = await street.get(`/api/stats/${COMMUNITY}`);
    expect(community.status).toBe(200);
    expect(community.body.node.trail.map((t: { code: string }) => t.code)).toEqual([
      STREET,
      COMMUNITY,
    ]);
    const grid = community.body.children[0];
    const g = await street.get(`/api/stats/${grid.code}`);
    expect(g.status).toBe(200);
    const raw = await queryRows<{ n: number }>(
      services.database.db,
      sql`select count(*)::int as n from worker where grid_code = ${grid.code} and status <> '已退出'`,
    );
    expect(g.body.headcount).toBe(raw[0]!.n);
    expect(grid.indicators.headcount).toBe(raw[0]!.n);
    // Outside the scope: as if it did not exist; the aggregates above the street too.
    for (const code of [XINGQING, YINCHUAN, OTHER_STREET, '330302001001']) {
      expect((await street.get(`/api/stats/${code}`)).status, code).toBe(404);
      expect((await street.get(`/api/stats/${code}/report`)).status, code).toBe(404);
    }
    expect((await secretary.get(`/api/stats/${COMMUNITY}`)).status).toBe(200);
    expect((await secretary.get(`/api/stats/${STREET}`)).status).toBe(404);
    expect((await self.get(`/api/stats/${COMMUNITY}`)).status).toBe(403);
  });

  it('exports a table and the report as .xlsx with the figures of the page', async () => {
    const d = (await city.get(`/api/stats/${YINCHUAN}`)).body;
    const res = await city.app.request(`/api/stats/${YINCHUAN}/export?table=education`, {
      headers: { Cookie: city.cookie },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    expect(res.headers.get('content-disposition')).toContain(encodeURIComponent('学历'));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).values).toEqual([undefined, '项目', '人数', '占比']);
    const bachelor = d.structures.education.find((e: { key: string }) => e.key === '本科').count;
    const row = ws.getRows(2, ws.rowCount - 1)!.find((r) => r.getCell(1).value === '本科')!;
    expect(row.getCell(2).value).toBe(bachelor);
    expect(row.getCell(3).numFmt).toBe('0.0%');
    const bad = await city.get(`/api/stats/${YINCHUAN}/export?table=nope`);
    expect(bad.status).toBe(422);

    const report = await city.app.request(`/api/stats/${YINCHUAN}/report`, {
      headers: { Cookie: city.cookie },
    });
    expect(report.status).toBe(200);
    const rb = new ExcelJS.Workbook();
    await rb.xlsx.load(Buffer.from(await report.arrayBuffer()) as never);
    expect(rb.worksheets.map((w) => w.name)).toEqual([
      '基本情况',
      '下级单位',
      '队伍结构',
      '目标达成',
      '人数变化',
    ]);
    const children = rb.getWorksheet('下级单位')!;
    const names: unknown[] = [];
    children.eachRow((r) => names.push(r.getCell(1).value));
    expect(names).toContain('兴庆区');
    const total = children.getRow(children.rowCount);
    expect(total.getCell(1).value).toBe('合计');
    expect(total.getCell(3).value).toBe(d.headcount);
  });

  it('shows pay cost by month once pay results are rolled up', async () => {
    expect((await city.get(`/api/stats/${YINCHUAN}`)).body.pay).toBeNull();
    const w = (
      await queryRows<{ path: string; county: string }>(
        services.database.db,
        sql`select org_path as path, county_code as county from worker where community_code = ${COMMUNITY} limit 1`,
      )
    )[0]!;
    await applyPathStatDelta(services.database.db, w.path, w.county, [
      [PAY_DIM, '2026-10', 512_345],
    ]);
    const d = (await city.get(`/api/stats/${YINCHUAN}`)).body;
    expect(d.pay).toEqual({ months: [{ month: '2026-10', totalFen: 512_345 }] });
    // A rebuild keeps what it does not derive.
    await rebuildStatRollup(services.database.db);
    expect((await street.get(`/api/stats/${STREET}`)).body.pay.months[0].totalFen).toBe(512_345);
  });
});
