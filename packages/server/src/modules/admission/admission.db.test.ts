import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../../context.ts';
import { createClient, seedDemo, seedUser, type TTestClient } from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';

// 银川 管理体制 三(六) and 附件2: 24 admitted work items; new items need approval (费随事转).

describe(`admission list (${testDbKind()})`, () => {
  let services: TServices;
  let street: TTestClient;
  let bureau: TTestClient;

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 30);
    await seedUser(services, { username: 'street', role: 'street-admin', orgCode: '640104001000' });
    await seedUser(services, {
      username: 'bureau',
      role: 'civil-affairs-admin',
      orgCode: '640100',
    });
    street = createClient(services);
    bureau = createClient(services);
    await street.login('street');
    await bureau.login('bureau');
  });
  afterAll(() => services.database.close());

  it('lists 银川 24 items and adds one only when approved', async () => {
    const list = await street.get('/api/admission/items?org=640104001001');
    expect(list.status).toBe(200);
    expect(list.body.list.items).toHaveLength(24);
    expect(list.body.list.items[0]).toMatchObject({
      no: 1,
      name: '党员教育管理',
      departments: ['市委组织部'],
    });
    expect(list.body.list.source).toBe('004 管理体制 三(六)、附件2');
    const dup = await street.post('/api/admission/requests', {
      orgCode: '640104001000',
      name: '低保工作',
      departments: ['区民政局'],
      content: '低保家庭走访',
      reason: '测试',
      funding: '区财政',
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toContain('第10项');
    const req = await street.post('/api/admission/requests', {
      orgCode: '640104001000',
      name: '电动自行车充电隐患排查',
      departments: ['区消防救援大队'],
      content: '协助排查楼道充电隐患并上报',
      reason: '辖区老旧小区集中',
      funding: '区消防专项经费按户拨付社区',
    });
    expect(req.status, JSON.stringify(req.body)).toBe(201);
    expect((await street.get('/api/admission/items?org=640104001001')).body.added).toHaveLength(0);
    expect((await street.post(`/api/admission/requests/${req.body.id}/approve`, {})).status).toBe(
      403,
    );
    expect((await bureau.post(`/api/admission/requests/${req.body.id}/approve`, {})).status).toBe(
      200,
    );
    const after = await street.get('/api/admission/items?org=640104001001');
    expect(after.body.added.map((a: { name: string }) => a.name)).toEqual([
      '电动自行车充电隐患排查',
    ]);
  });
});
