import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../../context.ts';
import { worker } from '../../db/schema/index.ts';
import { createClient, seedDemo, seedUser, type TTestClient } from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';
import { registerWorker } from '../todo/workflow-fixtures.ts';

// 温州 二(三) 一年一签, 二(六) 3年内未取得证书的不予续签; 银川 (九) 两委 contracts end with the
// term, grid workers sign after a 3-month probation.

describe(`contracts (${testDbKind()})`, () => {
  let services: TServices;
  let admin: TTestClient;
  const sign = (id: string, body: object) => admin.post(`/api/contracts/${id}`, body);

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 60);
    await seedUser(services, { username: 'admin', role: 'system-admin', orgCode: '000000' });
    admin = createClient(services);
    await admin.login('admin');
  });
  afterAll(() => services.database.close());

  it('signs 温州 contracts for one year and refuses renewal after 3 years without a certificate', async () => {
    const at = {
      communityCode: '330302001001',
      postTitle: '专职工作人员',
      serviceStartedOn: '2022-01-01',
      hiredOn: '2022-01-01',
    };
    const none = await registerWorker(admin, { ...at, name: '合同甲' });
    const cert = await registerWorker(admin, {
      ...at,
      name: '合同乙',
      certificateLevel: '助理社会工作师',
      certificateDate: '2023-06-01',
    });
    for (const id of [none, cert])
      for (const y of [2022, 2023, 2024]) {
        const r = await sign(id, { startOn: `${y}-01-01` });
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        expect(r.body).toMatchObject({ type: '一年一签', endOn: `${y}-12-31` });
      }
    const refused = await sign(none, { startOn: '2025-01-01' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toContain('不予续签');
    expect(refused.body.error.message).toContain('001 二(六)');
    expect((await sign(cert, { startOn: '2025-01-01' })).status).toBe(201);
    // Overlap with the contract in force.
    expect((await sign(cert, { startOn: '2025-06-01' })).status).toBe(409);
    const list = await admin.get('/api/contracts?org=330302001001');
    const row = list.body.items.find((i: { workerId: string }) => i.workerId === none);
    expect(row.policy).toMatchObject({ type: '一年一签', years: 1, source: '001 二(三)、二(六)' });
  });

  it('ends a 银川 委员 contract with the term and signs a grid worker only after probation', async () => {
    const member = await registerWorker(admin, {
      communityCode: '640104001001',
      postTitle: '委员',
      name: '合同丙',
    });
    const noEnd = await sign(member, { startOn: '2021-06-01' });
    expect(noEnd.status).toBe(422);
    expect(noEnd.body.error.message).toContain('本届任期届满日期');
    const term = await sign(member, { startOn: '2021-06-01', endOn: '2026-05-31' });
    expect(term.body).toMatchObject({ type: '以完成一定工作任务为期限', endOn: '2026-05-31' });

    const grid = await registerWorker(admin, {
      communityCode: '640104001001',
      name: '合同丁',
      serviceStartedOn: '2026-01-05',
      hiredOn: '2026-01-05',
      status: '试用期',
      probationUntil: '2026-04-04',
    });
    const early = await sign(grid, { startOn: '2026-04-05', endOn: '2029-04-04' });
    expect(early.status).toBe(409);
    expect(early.body.error.message).toContain('004 职业化 (九)');
    const p = await admin.post(`/api/contracts/${grid}/probation-end`, { on: '2026-04-05' });
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    expect((await admin.post(`/api/proposals/${p.body.id}/approve`, {})).status).toBe(200);
    const w = (await services.database.db.select().from(worker).where(eq(worker.id, grid)))[0]!;
    expect(w.status).toBe('在岗');
    const ok = await sign(grid, { startOn: '2026-04-05', endOn: '2029-04-04' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.type).toBe('固定期限');
  });
});
