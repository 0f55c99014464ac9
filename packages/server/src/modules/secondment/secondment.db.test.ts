import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../../context.ts';
import { archiveItem, worker } from '../../db/schema/index.ts';
import { createClient, seedDemo, seedUser, type TTestClient } from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';
import { addArchive, registerWorker } from '../todo/workflow-fixtures.ts';

// 银川 职业化 (十一): 挂职锻炼 per street ≤ 5% of its actual workers a year, ≤ 6 months each,
// ≤ 2 times per person; 003 六.17: organs at county level and above may not borrow.

describe(`secondment (${testDbKind()})`, () => {
  let services: TServices;
  let admin: TTestClient;
  let street: TTestClient;
  const ask = (workerId: string, extra: object = {}) =>
    street.post('/api/secondments', {
      workerId,
      kind: '挂职锻炼',
      borrower: '兴庆区民政局',
      borrowerKind: '街道（乡镇）',
      purpose: '重大工作任务',
      fromOn: '2026-03-01',
      toOn: '2026-08-31',
      ...extra,
    });
  const headcount = async (streetCode: string) =>
    (
      await services.database.db
        .select({ n: sql<number>`count(*)`.mapWith(Number) })
        .from(worker)
        .where(
          and(
            sql`${worker.orgPath} like ${`%/${streetCode}/%`}`,
            sql`${worker.status} <> '已退出'`,
          ),
        )
    )[0]!.n;

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 60);
    await seedUser(services, { username: 'admin', role: 'civil-affairs-admin', orgCode: '640100' });
    await seedUser(services, { username: 'street', role: 'street-admin', orgCode: '640104001000' });
    admin = createClient(services);
    street = createClient(services);
    await admin.login('admin');
    await street.login('street');
  });
  afterAll(() => services.database.close());

  it('refuses the first secondment of a street with fewer than 20 workers, quoting the 5% rule', async () => {
    const n = await headcount('640104001000');
    expect(n).toBeLessThan(20);
    const w = await registerWorker(street, { communityCode: '640104001001', name: '挂职甲' });
    const res = await ask(w);
    expect(res.status).toBe(422);
    const msg = res.body.error.message as string;
    expect(msg).toContain('控制在实际社区工作者总人数的5%以内');
    expect(msg).toContain(`本街道实有社区工作者${n + 1}人`);
    expect(msg).toContain('004 职业化 (十一)');
  });

  it('refuses more than 6 months and a county-level borrower', async () => {
    const w = await registerWorker(street, { communityCode: '640104001001', name: '挂职乙' });
    const long = await ask(w, { toOn: '2026-09-01' });
    expect(long.body.error.message).toContain('超过6个月（最迟2026-08-31）');
    const organ = await ask(w, { borrowerKind: '县级以上机关事业单位', borrower: '市民政局' });
    expect(organ.body.error.message).toContain('003 六.17');
  });

  it('approves one in a street of 20, refuses the second, and returns the worker', async () => {
    const ids: string[] = [];
    while ((await headcount('640104001000')) < 20)
      ids.push(await registerWorker(street, { communityCode: '640104001001', name: '补足人员' }));
    const first = await registerWorker(street, { communityCode: '640104001001', name: '挂职丙' });
    const ok = await ask(first, { toOn: '2026-08-31' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.checks.every((c: { passed: boolean }) => c.passed)).toBe(true);
    expect((await street.post(`/api/secondments/${ok.body.id}/approve`, {})).status).toBe(403);
    const approved = await admin.post(`/api/secondments/${ok.body.id}/approve`, {});
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const w = (await services.database.db.select().from(worker).where(eq(worker.id, first)))[0]!;
    expect(w.status).toBe('借调');
    // The list names the community with its street: names repeat across streets.
    const listed = (await street.get('/api/secondments?org=640104001000')).body.items;
    expect(listed.find((r: { id: string }) => r.id === ok.body.id)).toMatchObject({
      name: '挂职丙',
      streetName: '凤凰北街街道',
    });
    // 2 of 21 would be 9.5%.
    const second = await ask(ids[0] ?? first);
    expect(second.status).toBe(422);
    expect(second.body.error.message).toContain('超过5%');
    const back = await street.post(`/api/secondments/${ok.body.id}/return`, {
      returnedOn: '2026-07-31',
    });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    const after = (
      await services.database.db.select().from(worker).where(eq(worker.id, first))
    )[0]!;
    expect(after.status).toBe('在岗');
    const item = (
      await services.database.db
        .select()
        .from(archiveItem)
        .where(and(eq(archiveItem.workerId, first), eq(archiveItem.kind, 'secondment')))
    )[0]!;
    expect(item).toMatchObject({ startOn: '2026-03-01', endOn: '2026-07-31' });
  });

  it('refuses a third secondment of the same person', async () => {
    const w = await registerWorker(street, { communityCode: '640104001001', name: '挂职丁' });
    for (const y of [2020, 2022])
      await addArchive(street, w, {
        kind: 'secondment',
        startOn: `${y}-03-01`,
        endOn: `${y}-05-31`,
        data: { to: '区委组织部', purpose: '挂职锻炼' },
      });
    const res = await ask(w);
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain('本人已有2次借调（挂职），累计不得超过2次');
  });
});
