import { PassThrough } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../../context.ts';
import { systemActor } from '../../context.ts';
import { queryRows } from '../../db/client.ts';
import { createClient, seedDemo, seedUser, type TTestClient } from '../../testing/test-app.ts';
import { createTestServices, ctxFor, testDbKind } from '../../testing/test-db.ts';
import { exportStaffing } from '../excel/export-staffing.ts';

// Figures from the documents: 004 职业化 (三) 两委 5/7/9 by 3000/5000 households and a grid worker
// per 300—500 households; 002 二(二) 10–15 社工岗 below 3000 households and one more per 300—500;
// 000 二(二) two reserved 专职党建岗 inside the quota; 003 二.3 18 per 10,000 residents.

const DATE = '2026-06-01';
const YC = '640104001001';
const YC2 = '640105001001';
const YC3 = '640106001001';
const CC = '220173001001';

describe(`quota (${testDbKind()})`, () => {
  let services: TServices;
  let admin: TTestClient;
  let secretary: TTestClient;

  const setFacts = async (code: string, households: number, population: number) => {
    const res = await admin.post(`/api/orgs/${code}/facts`, {
      effectiveFrom: '2026-05-01',
      householdsRegistered: households,
      householdsResident: households,
      population,
      kind: '城市社区',
    });
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  };

  const activeIn = async (code: string) =>
    (
      await queryRows<{ n: number }>(
        services.database.db,
        sql`select count(*)::int as n from worker w where w.community_code = ${code}
          and coalesce(w.hired_on, w.service_started_on) <= ${DATE}
          and (w.exited_on is null or w.exited_on > ${DATE})
          and not (w.status = '已退出' and w.exited_on is null)`,
      )
    )[0]!.n;

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 120);
    await seedUser(services, { username: 'mz', role: 'civil-affairs-admin', orgCode: '000000' });
    await seedUser(services, { username: 'sj', role: 'community-secretary', orgCode: YC });
    admin = createClient(services);
    await admin.login('mz');
    secretary = createClient(services);
    await secretary.login('sj');
    await setFacts(YC, 3000, 7800);
    await setFacts(YC2, 5000, 13000);
    await setFacts(YC3, 5001, 13000);
    await setFacts(CC, 3450, 9000);
  });
  afterAll(() => services.database.close());

  const lineOf = (
    row: { lines: { name: string; min: number; max: number | null }[] },
    name: string,
  ) => row.lines.find((l) => l.name === name);

  it('gives a Yinchuan community of 3000 households 5 两委 posts and 6–10 grid workers (004 职业化 (三))', async () => {
    const res = await admin.get(`/api/quota/${YC}?date=${DATE}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const node = res.body.node;
    expect(node.packId).toBe('yinchuan-2018');
    expect(lineOf(node, '两委成员')).toMatchObject({ min: 5, max: 5 });
    // 每300—500户1名网格员：⌈3000/500⌉=6 … ⌊3000/300⌋=10, shown but not added to the total.
    expect(lineOf(node, '网格员')).toMatchObject({ min: 6, max: 10, inTotal: false });
    // 两委成员兼任网格员，不足部分招聘：6−5=1 … 10−5=5.
    expect(lineOf(node, '专职网格员')).toMatchObject({ min: 1, max: 5 });
    expect(node.quota).toEqual({ min: 6, max: 10 });
    const actual = await activeIn(YC);
    expect(node.actual).toBe(actual);
    expect(node.remainder).toEqual({ min: 6 - actual, max: 10 - actual });
    expect(node.status).toBe(actual < 6 ? '缺配' : actual > 10 ? '超配' : '符合');
  });

  it('gives 7 两委 posts at exactly 5000 households and 9 above (004 职业化 (三))', async () => {
    const at5000 = await admin.get(`/api/quota/${YC2}?date=${DATE}`);
    const at5001 = await admin.get(`/api/quota/${YC3}?date=${DATE}`);
    expect(lineOf(at5000.body.node, '两委成员')).toMatchObject({ min: 7, max: 7 });
    expect(lineOf(at5001.body.node, '两委成员')).toMatchObject({ min: 9, max: 9 });
  });

  it('gives a Changchun community of 3450 households 10–16 posts with 2 reserved 党建 posts (002 二(二), 000 二(二))', async () => {
    const res = await admin.get(`/api/quota/${CC}?date=${DATE}`);
    const node = res.body.node;
    expect(node.packId).toBe('changchun-xinqu-2020');
    // 10 + ⌊450/500⌋ = 10; 15 + ⌊450/300⌋ = 16.
    expect(lineOf(node, '社工岗')).toMatchObject({ min: 10, max: 16 });
    expect(lineOf(node, '专职党建岗')).toMatchObject({
      min: 2,
      max: 2,
      reserved: true,
      within: '社工岗',
    });
    expect(node.quota).toEqual({ min: 10, max: 16 });
  });

  it('rolls communities up to street, county and city, with 18 per 10,000 residents for a county (003 二.3)', async () => {
    const city = await admin.get(`/api/quota/640100?date=${DATE}`);
    expect(city.status).toBe(200);
    const county = await admin.get(`/api/quota/640104?date=${DATE}`);
    const xq = city.body.children.find((c: { code: string }) => c.code === '640104');
    expect(xq.actual).toBe(county.body.node.actual);
    expect(xq.quota).toEqual(county.body.node.quota);
    // The county is the sum of its streets, the city of its counties.
    const sum = (rows: { actual: number; quota: { min: number } | null }[]) => ({
      actual: rows.reduce((s, r) => s + r.actual, 0),
      min: rows.reduce((s, r) => s + (r.quota?.min ?? 0), 0),
    });
    expect(sum(county.body.children)).toEqual({
      actual: county.body.node.actual,
      min: county.body.node.quota.min,
    });
    expect(sum(city.body.children)).toEqual({
      actual: city.body.node.actual,
      min: city.body.node.quota.min,
    });
    const per10k = county.body.node.standards.find(
      (s: { rule: string }) => s.rule === 'n-quota-per-10k',
    );
    const residents = county.body.node.residents;
    expect(per10k.min).toBe(Math.floor((residents * 18) / 10000 + 0.5));
    // Grids still needing a grid worker are counted up the tree too.
    expect(city.body.node.gridsWithoutWorker).toBe(
      city.body.children.reduce(
        (s: number, c: { gridsWithoutWorker: number }) => s + c.gridsWithoutWorker,
        0,
      ),
    );
  });

  it('explains a community quota with the clauses of the pack', async () => {
    const res = await secretary.get(`/api/quota/${YC}/explain?date=${DATE}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.error).toBeNull();
    const sources = res.body.trace.map((s: { source: string }) => s.source);
    expect(sources).toContain('004 职业化 (三)');
    expect(res.body.value).toMatchObject({ min: 6, max: 10 });
  });

  it('keeps a community secretary to the community (another is 404)', async () => {
    expect((await secretary.get(`/api/quota/${YC2}?date=${DATE}`)).status).toBe(404);
    expect((await secretary.get(`/api/quota/640104?date=${DATE}`)).status).toBe(404);
  });

  it('writes the same quota into the 配备明细表 of the county', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await exportStaffing(
      ctxFor(services, systemActor()),
      { org: '640104', onDate: DATE, format: 'csv' },
      out,
    );
    const csv = Buffer.concat(chunks).toString('utf8');
    const row = csv.split('\r\n').find((l) => l.includes(YC));
    expect(row).toBeDefined();
    const cells = row!.split(',');
    // 核定职数（下限）, 核定职数（上限） follow 政策包.
    const at = cells.indexOf('yinchuan-2018');
    expect(cells.slice(at + 1, at + 3)).toEqual(['6', '10']);
  });
});
