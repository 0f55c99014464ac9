import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../../context.ts';
import { archiveItem } from '../../db/schema/index.ts';
import { createClient, seedDemo, seedUser, type TTestClient } from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';
import { registerWorker } from '../todo/workflow-fixtures.ts';

// 银川 职业化 (二十): 连续工作满20年 荣誉证书 + 5000元, 满30年 + 10000元; 003 五.13: 社区党组织书记
// 在社区连续工作10年以上 (与任书记满一届) may be hired by a public institution.

describe(`honours (${testDbKind()})`, () => {
  let services: TServices;
  let admin: TTestClient;
  const due = async (id: string) =>
    (await admin.get('/api/honours?org=640104001001')).body.items.filter(
      (i: { workerId: string }) => i.workerId === id,
    );

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 60);
    await seedUser(services, { username: 'admin', role: 'civil-affairs-admin', orgCode: '640100' });
    admin = createClient(services);
    await admin.login('admin');
  });
  afterAll(() => services.database.close());

  it('pays 5000元 once approved for 20 continuous years', async () => {
    const id = await registerWorker(admin, {
      communityCode: '640104001001',
      name: '表彰甲',
      birth: '1975-03-03',
      serviceStartedOn: '2006-01-01',
    });
    const [item] = await due(id);
    expect(item).toMatchObject({
      rule: 'yc-honours',
      level: 'due',
      years: 20,
      amountFen: 500000,
      source: '004 职业化 (二十)',
      reached: true,
      // Community names repeat across streets: the list names the street as well.
      streetName: '凤凰北街街道',
    });
    const p = await admin.post('/api/honours/proposals', {
      workerId: id,
      rule: 'yc-honours',
      years: 20,
    });
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    expect(
      (await admin.post('/api/honours/proposals', { workerId: id, rule: 'yc-honours', years: 30 }))
        .status,
    ).toBe(422);
    expect((await admin.post(`/api/proposals/${p.body.id}/approve`, {})).status).toBe(200);
    const reward = (
      await services.database.db
        .select()
        .from(archiveItem)
        .where(and(eq(archiveItem.workerId, id), eq(archiveItem.kind, 'reward')))
    )[0]!;
    expect(reward.data).toMatchObject({ amountFen: 500000 });
    expect(String(reward.data.title)).toContain('满20年');
    expect((await due(id))[0].proposal.status).toBe('已批准');
  });

  it('gives the 30-year milestone its own 10000元 award, apart from the 20-year one', async () => {
    const id = await registerWorker(admin, {
      communityCode: '640104001001',
      name: '表彰丙',
      birth: '1970-03-03',
      serviceStartedOn: '1995-01-01',
    });
    const items = (await due(id)).filter((i: { rule: string }) => i.rule === 'yc-honours');
    expect(items.map((i: { years: number; amountFen: number }) => [i.years, i.amountFen])).toEqual([
      [20, 500000],
      [30, 1000000],
    ]);
    // The messages write the award as the table beside them does (10,000.00元, not 10000元).
    expect(items.map((i: { message: string }) => i.message.match(/（([\d,.]+元)）/)?.[1])).toEqual([
      '5,000.00元',
      '10,000.00元',
    ]);
    const p = await admin.post('/api/honours/proposals', {
      workerId: id,
      rule: 'yc-honours',
      years: 30,
    });
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    const after = (await due(id)).filter((i: { rule: string }) => i.rule === 'yc-honours');
    expect(after.map((i: { proposal: unknown }) => i.proposal === null)).toEqual([true, false]);
    expect((await admin.post(`/api/proposals/${p.body.id}/approve`, {})).status).toBe(200);
    const reward = (
      await services.database.db
        .select()
        .from(archiveItem)
        .where(and(eq(archiveItem.workerId, id), eq(archiveItem.kind, 'reward')))
    )[0]!;
    expect(reward.data).toMatchObject({ amountFen: 1000000 });
    expect(String(reward.data.title)).toContain('满30年');
  });

  it('names a party secretary of 10 continuous years for the public-institution path', async () => {
    const id = await registerWorker(admin, {
      communityCode: '640104001001',
      name: '书记乙',
      birth: '1980-03-03',
      postTitle: '党组织书记',
      serviceStartedOn: '2016-01-01',
    });
    const career = (await due(id)).find((i: { rule: string }) => i.rule === 'n-secretary-career');
    expect(career).toMatchObject({ kind: '发展', years: 10, source: '003 五.13' });
    expect(career.message).toContain('任书记满一届');
    const p = await admin.post('/api/honours/proposals', {
      workerId: id,
      rule: 'n-secretary-career',
      years: 10,
    });
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    const list = await admin.get('/api/proposals?status=待审批&kind=career');
    expect(list.body.items.map((x: { id: string }) => x.id)).toContain(p.body.id);
  });
});
