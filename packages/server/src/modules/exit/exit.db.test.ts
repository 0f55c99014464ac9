import { todayIso } from '@shegong/shared';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../../context.ts';
import { archiveItem, auditLog, worker } from '../../db/schema/index.ts';
import { createClient, seedDemo, seedUser, type TTestClient } from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';
import { addDays } from '../todo/dates.ts';
import { assess, registerWorker } from '../todo/workflow-fixtures.ts';

// 银川 职业化 (十四): two consecutive years 不合格 is an exit situation. The alert and its clause
// reach the to-do list; the exit is a proposal a civil-affairs admin approves; the post stays.

describe(`exit (${testDbKind()})`, () => {
  let services: TServices;
  let street: TTestClient;
  let bureau: TTestClient;
  let workerId: string;

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 60);
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
    workerId = await registerWorker(street, { name: '退出甲', communityCode: '640104001001' });
    await assess(street, workerId, 2024, '不合格');
    await assess(street, workerId, 2025, '不合格');
  });
  afterAll(() => services.database.close());

  it('lists two consecutive 不合格 years in the to-do list with the clause', async () => {
    const res = await street.get('/api/todo?org=640104001001');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const alert = res.body.alerts.find(
      (a: { workerId: string; rule: string }) =>
        a.workerId === workerId && a.rule === 'yc-two-fails',
    );
    expect(alert).toMatchObject({ kind: '考核', level: 'overdue', source: '004 职业化 (十四)' });
    expect(alert.message).toContain('已连续2年');
  });

  it('shows the exit situation with its evidence', async () => {
    const res = await street.get('/api/exit/cases?org=640104001000');
    expect(res.status).toBe(200);
    expect(res.body.situations).toHaveLength(9);
    const c = res.body.items.find((i: { workerId: string }) => i.workerId === workerId);
    expect(c).toMatchObject({
      situation: '连续两年年度考核不合格',
      status: '已出现',
      source: '004 职业化 (十四)',
    });
    expect(c.evidence[0].rule).toBe('yc-two-fails');
  });

  it('refuses a situation the pack does not name', async () => {
    const res = await street.post('/api/exit/proposals', {
      workerId,
      situation: '个人原因',
      exitOn: '2026-01-31',
      reason: '测试',
    });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain('不是');
  });

  it('exits the worker only when the proposal is approved, keeping the post', async () => {
    const proposed = await street.post('/api/exit/proposals', {
      workerId,
      situation: '连续两年年度考核不合格',
      exitOn: '2026-01-31',
      reason: '2024、2025年度考核均为不合格',
    });
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(201);
    const again = await street.post('/api/exit/proposals', {
      workerId,
      situation: '连续两年年度考核不合格',
      exitOn: '2026-01-31',
      reason: '重复',
    });
    expect(again.status).toBe(409);
    // A street admin may propose, not approve.
    expect((await street.post(`/api/proposals/${proposed.body.id}/approve`, {})).status).toBe(403);
    const row = async () =>
      (await services.database.db.select().from(worker).where(eq(worker.id, workerId)))[0]!;
    expect((await row()).status).toBe('在岗');
    const todo = await bureau.get('/api/todo/summary?org=640104001000');
    expect(todo.body.proposals).toBeGreaterThanOrEqual(1);

    const seats = async () =>
      (await street.get('/api/recruitment/vacancies?org=640104001000')).body.items.find(
        (v: { communityCode: string }) => v.communityCode === '640104001001',
      ) as { actual: number; vacancies: number };
    const before = await seats();

    const ok = await bureau.post(`/api/proposals/${proposed.body.id}/approve`, { note: '同意' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const w = await row();
    expect(w.status).toBe('已退出');
    expect(w.exitedOn).toBe('2026-01-31');
    const items = await services.database.db
      .select()
      .from(archiveItem)
      .where(eq(archiveItem.workerId, workerId));
    const exit = items.find((i) => i.kind === 'exit');
    expect(exit?.startOn).toBe('2026-01-31');
    expect(String(exit?.data.reason)).toContain('004 职业化 (十四)');
    expect(items.find((i) => i.kind === 'post')?.endOn).toBe('2026-01-31');
    const audit = await services.database.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(
        and(eq(auditLog.entity, 'workflow_proposal'), eq(auditLog.entityId, proposed.body.id)),
      );
    expect(audit.map((a) => a.action).sort()).toEqual(['approve', 'propose']);
    // 人走岗留: one fewer in post, one more seat to recruit for, the quota unchanged.
    const after = await seats();
    expect(after.actual).toBe(before.actual - 1);
    expect(after.vacancies).toBe(before.vacancies + 1);
    // Decided once.
    expect((await bureau.post(`/api/proposals/${proposed.body.id}/approve`, {})).status).toBe(409);
  });
  it('shows a grid worker whose grid is below 60% satisfied, and not at 60%', async () => {
    // 银川 职业化 (十四)(八): 所负责网格居民满意率达不到60%.
    const grids = await street.get('/api/orgs/640104001001/grids');
    expect(grids.status, JSON.stringify(grids.body)).toBe(200);
    const grid = grids.body.items[0].code as string;
    const gridWorker = await registerWorker(street, {
      name: '网格乙',
      communityCode: '640104001001',
      gridCode: grid,
      certificateLevel: '助理社会工作师',
      certificateDate: '2019-06-01',
    });
    const caseOf = async () =>
      (await street.get('/api/exit/cases?org=640104001001')).body.items.find(
        (i: { workerId: string; situation: string }) =>
          i.workerId === gridWorker && i.situation.includes('满意率'),
      );
    const fact = (effectiveFrom: string, gridSatisfaction: number) =>
      street.post(`/api/orgs/${grid}/facts`, { effectiveFrom, gridSatisfaction });
    expect((await fact(addDays(todayIso(), -2), 59)).status).toBe(201);
    const below = await caseOf();
    expect(below).toMatchObject({ status: '已出现', source: '004 职业化 (十四)' });
    expect(below.evidence[0].message).toContain('居民满意率59%，低于60%');
    expect((await fact(addDays(todayIso(), -1), 60)).status).toBe(201);
    expect(await caseOf()).toBeUndefined();
  });
});
