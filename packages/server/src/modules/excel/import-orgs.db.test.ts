import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../../context.ts';
import { queryRows } from '../../db/client.ts';
import { auditLog, org, orgFact } from '../../db/schema/index.ts';
import { createClient, seedDemo, seedUser, type TTestClient } from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';
import { rebuildStatRollup } from '../stats/stat-maintenance.ts';
import { buildXlsx, exportThrough, fixtureId, importThrough, readXlsx } from './excel-fixtures.ts';

// A street admin of 凤凰北街街道 (银川市兴庆区, pack yinchuan-2018) keeps its communities and grids
// by spreadsheet: new communities with households and population, facts of existing ones, grids.

const STREET = '640104001000';
const COMMUNITY = '640104001001';
const ON = '2025-12-31';

describe(`community and grid import, 配备明细表 (${testDbKind()})`, () => {
  let services: TServices;
  let street: TTestClient;
  let csrf = '';
  const count = async (table: typeof org | typeof orgFact | typeof auditLog) =>
    (
      await services.database.db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(table)
    )[0]!.n;

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 60);
    await rebuildStatRollup(services.database.db);
    await seedUser(services, { username: 'street', role: 'street-admin', orgCode: STREET });
    street = createClient(services);
    csrf = (await street.login('street')).body.csrfToken;
  });
  afterAll(() => services.database.close());

  const HEADER = ['社区代码', '社区名称', '统计日期', '常住户数', '常住人口', '社区类型'];
  const communities = () =>
    buildXlsx([
      {
        name: '社区',
        textColumns: [1],
        rows: [
          ['凤凰北街街道社区基本情况（2025年底）'],
          HEADER,
          ['640104001901', '新月社区', ON, 1000, 2600, '城市社区'],
          ['640104001902', '星河社区', ON, 3000, 7800, '城市社区'],
          ['640104001903', '丰安社区', ON, 5000, 13000, '城市社区'],
          ['640104001904', '景明社区', ON, 5001, 13100, '城市社区'],
          // A new fact of a registered community (name as registered: not a rename).
          [COMMUNITY, null, ON, 4200, 11000, '城市社区'],
          // Another street's code: outside the scope.
          ['640104002901', '越界社区', ON, 1000, 2000, '城市社区'],
          // Households in words.
          ['640104001905', '错户社区', ON, '三千', 2000, '城市社区'],
        ],
      },
    ]);

  it('"stop on any error" writes no community while a row is wrong', async () => {
    const [orgs, facts, audits] = [await count(org), await count(orgFact), await count(auditLog)];
    const { batch, issues } = await importThrough(
      street,
      csrf,
      'communities',
      await communities(),
      {
        commit: 'stop',
      },
    );
    expect(batch.status).toBe('rejected');
    expect([await count(org), await count(orgFact), await count(auditLog)]).toEqual([
      orgs,
      facts,
      audits,
    ]);
    expect(issues.map((i) => [i.row, i.column, i.message])).toEqual([
      [8, '社区代码', '上级街道 640104002000 不存在或不在您的管辖范围内'],
      [9, '常住户数', '常住户数：“三千”不是数字'],
    ]);
  });

  it('"skip invalid rows" creates the valid communities with their facts, audited', async () => {
    const [orgs, facts] = [await count(org), await count(orgFact)];
    const { batch } = await importThrough(street, csrf, 'communities', await communities(), {
      commit: 'skip',
    });
    expect(batch).toMatchObject({
      status: 'committed',
      counts: { rows: 7, valid: 5, invalid: 2, created: 4, updated: 1, skipped: 2 },
    });
    expect(await count(org)).toBe(orgs + 4);
    expect(await count(orgFact)).toBe(facts + 5);
    const { db } = services.database;
    const created = (await db.select().from(org).where(eq(org.code, '640104001902')))[0]!;
    expect(created).toMatchObject({
      name: '星河社区',
      level: 'community',
      parentCode: STREET,
      countyCode: '640104',
      path: `/000000/640000/640100/640104/${STREET}/640104001902/`,
    });
    const fact = (
      await db
        .select()
        .from(orgFact)
        .where(and(eq(orgFact.orgCode, COMMUNITY), eq(orgFact.effectiveFrom, ON)))
    )[0]!;
    expect(fact).toMatchObject({ householdsResident: 4200, population: 11000, kind: '城市社区' });
    const actions = await queryRows<{ action: string; n: number }>(
      db,
      sql`select action, count(*)::int as n from audit_log where entity = 'org' and reason like ${`%${batch.id}%`}
          group by action order by action`,
    );
    expect(actions).toEqual([
      { action: 'create', n: 4 },
      { action: 'fact-add', n: 5 },
    ]);
    // The street's statistics count the new communities and their households.
    const rollup = await queryRows<{ dim: string; value: string; n: number }>(
      db,
      sql`select dim, value, n::int as n from stat_rollup where org_code = ${STREET}
          and ((dim = 'orgs' and value = 'community') or dim = 'households')`,
    );
    const raw = await queryRows<{ communities: number; households: number }>(
      db,
      sql`select count(*)::int as communities, coalesce(sum(h), 0)::int as households from (
            select (select coalesce(f.households_resident, f.households_registered) from org_fact f
                    where f.org_code = o.code and f.effective_from <= current_date
                    order by f.effective_from desc limit 1) as h
            from org o where o.parent_code = ${STREET} and o.level = 'community') c`,
    );
    expect(Object.fromEntries(rollup.map((r) => [r.dim, r.n]))).toEqual({
      orgs: raw[0]!.communities,
      households: raw[0]!.households,
    });
  });

  it('re-importing the same file changes nothing and adds no audit rows', async () => {
    const [orgs, facts, audits] = [await count(org), await count(orgFact), await count(auditLog)];
    const { batch } = await importThrough(street, csrf, 'communities', await communities(), {
      commit: 'skip',
    });
    expect(batch.counts).toMatchObject({ created: 0, updated: 0, unchanged: 5 });
    expect([await count(org), await count(orgFact), await count(auditLog)]).toEqual([
      orgs,
      facts,
      audits,
    ]);
  });

  const grids = () =>
    buildXlsx([
      {
        name: '网格',
        textColumns: [1],
        rows: [
          ['网格代码', '网格名称', '统计日期', '户数', '人口'],
          ['640104001901001', '新月第一网格', ON, 480, 1250],
          ['640104001901002', '新月第二网格', ON, 520, 1350],
          // Under a community of another street.
          ['640104002001001', '越界网格', ON, 300, 800],
          // Two rows for one grid and date.
          ['640104001901001', '新月第一网格', ON, 470, 1240],
        ],
      },
    ]);

  it('grids: stop rejects the file; skip creates the valid grids under their community', async () => {
    const orgs = await count(org);
    const stopped = await importThrough(street, csrf, 'grids', await grids(), { commit: 'stop' });
    expect(stopped.batch.status).toBe('rejected');
    expect(await count(org)).toBe(orgs);
    expect(stopped.issues.map((i) => [i.row, i.message])).toEqual([
      [4, '上级社区 640104002001 不存在或不在您的管辖范围内'],
      [5, '与第2行重复（同一代码、同一统计日期）'],
    ]);
    const { batch } = await importThrough(street, csrf, 'grids', await grids(), { commit: 'skip' });
    expect(batch.counts).toMatchObject({ created: 2, invalid: 2, skipped: 2 });
    const rows = await services.database.db
      .select({ code: org.code, name: org.name, parent: org.parentCode, level: org.level })
      .from(org)
      .where(eq(org.parentCode, '640104001901'))
      .orderBy(org.code);
    expect(rows).toEqual([
      { code: '640104001901001', name: '新月第一网格', parent: '640104001901', level: 'grid' },
      { code: '640104001901002', name: '新月第二网格', parent: '640104001901', level: 'grid' },
    ]);
  });

  it('配备明细表: quota from the Yinchuan pack by households (004 职业化 (三)) against the actual headcount', async () => {
    // Six workers in 新月社区 (1,000 households).
    const workers = await buildXlsx([
      {
        name: '花名册',
        textColumns: [2],
        rows: [
          ['姓名', '身份证号', '学历', '社区代码', '职务', '参加社区工作时间'],
          ...Array.from({ length: 6 }, (_, i) => [
            `新月${i}`,
            fixtureId('640104', `1990-01-0${i + 1}`, 30 + i),
            '本科',
            '640104001901',
            i === 0 ? '书记兼主任' : '网格员',
            '2024-01-01',
          ]),
        ],
      },
    ]);
    const imported = await importThrough(street, csrf, 'workers', workers, { commit: 'stop' });
    expect(imported.batch.counts).toMatchObject({ created: 6 });
    const file = await exportThrough(street, 'staffing', { onDate: '2026-01-01' });
    const [detail, summary] = await readXlsx(file);
    expect(detail!.name).toBe('配备明细表');
    const header = detail!.rows[0]!;
    expect(header).toEqual([
      '县（市、区）',
      '街道',
      '社区',
      '社区代码',
      '社区类型',
      '统计日期',
      '常住户数',
      '常住人口',
      '政策包',
      '核定职数（下限）',
      '核定职数（上限）',
      '实有人数',
      '差额',
      '配备情况',
      '说明',
    ]);
    const byCode = new Map(detail!.rows.slice(1).map((r) => [r[3], r]));
    const figures = (code: string) => {
      const r = byCode.get(code)!;
      return {
        households: r[6],
        min: r[9],
        max: r[10],
        actual: r[11],
        diff: r[12],
        verdict: r[13],
      };
    };
    // 两委: 3000户以下 5名, 3000户—5000户 7名, 5000户以上 9名 (boundaries to the lower band, as
    // the pack's householdBoundary reads "以下"); 网格员 one per 300–500 households (at least
    // ⌈户数/500⌉, at most ⌊户数/300⌋), held by 两委 members first, the rest recruited: the quota
    // is 两委 + max(0, 网格员 − 两委).
    expect(figures('640104001901')).toEqual({
      households: 1000, // 两委 5; 网格员 2–3, all held by 两委 → 5
      min: 5,
      max: 5,
      actual: 6,
      diff: 1,
      verdict: '超配',
    });
    expect(figures('640104001902')).toMatchObject({ households: 3000, min: 6, max: 10 }); // 5 + (6–10 − 5)
    expect(figures('640104001903')).toMatchObject({ households: 5000, min: 10, max: 16 }); // 7 + (10–16 − 7)
    expect(figures('640104001904')).toMatchObject({ households: 5001, min: 11, max: 16 }); // 9 + (11–16 − 9)
    expect(figures('640104001902')).toMatchObject({ actual: 0, diff: -6, verdict: '缺配' });
    expect(byCode.get('640104001903')![8]).toBe('yinchuan-2018');
    // The summary sheet adds up the detail of the county.
    expect(summary!.name).toBe('按县（市、区）汇总');
    const rows = detail!.rows.slice(1);
    const sum = (i: number) => rows.reduce((n, r) => n + (Number(r[i]) || 0), 0);
    expect(summary!.rows[1]).toEqual(
      [
        '兴庆区',
        '640104',
        rows.length,
        sum(6),
        sum(9),
        rows.some((r) => r[10] === undefined) ? null : sum(10),
        sum(11),
        rows.filter((r) => r[13] === '缺配').length,
        rows.filter((r) => r[13] === '超配').length,
        rows.filter((r) => r[13] === '未核定').length,
      ].map((v) => (v === null ? undefined : v)),
    );
  });
});
