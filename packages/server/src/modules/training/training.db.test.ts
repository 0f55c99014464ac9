import { todayIso } from '@shegong/shared';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../../context.ts';
import { archiveItem, worker } from '../../db/schema/index.ts';
import { createClient, seedDemo, seedUser, type TTestClient } from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';
import { registerWorker } from '../todo/workflow-fixtures.ts';

// 银川 职业化 (七): every worker ≥ 3 days of concentrated training a year. 温州 二(六): ≥ 5 days
// (40 课时) a year and one case study a year, reviewed by the street.

const year = Number(todayIso().slice(0, 4));

describe(`training (${testDbKind()})`, () => {
  let services: TServices;
  let admin: TTestClient;

  const course = async (orgCode: string, days: number, hours: number) => {
    const res = await admin.post('/api/training/courses', {
      title: `${year}年度社区工作者轮训（${days}天）`,
      kind: '轮训',
      orgCode,
      startOn: `${year}-03-01`,
      endOn: `${year}-03-0${days}`,
      hours,
      days,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };
  const person = async (org: string, id: string) =>
    (await admin.get(`/api/training/compliance?org=${org}&year=${year}`)).body.people.find(
      (p: { workerId: string }) => p.workerId === id,
    );

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 60);
    await seedUser(services, { username: 'admin', role: 'system-admin', orgCode: '000000' });
    admin = createClient(services);
    await admin.login('admin');
  });
  afterAll(() => services.database.close());

  it('turns a 银川 worker and then the community green when 3 days are recorded', async () => {
    const id = await registerWorker(admin, { communityCode: '640104001001', name: '培训甲' });
    const before = await person('640104001001', id);
    expect(before.status).toBe('未达标');
    // Community names repeat across streets: people and communities carry their street.
    expect(before.streetName).toBe('凤凰北街街道');
    const communities = (await admin.get(`/api/training/compliance?org=640104001000&year=${year}`))
      .body.communities;
    expect(
      communities.find((c: { communityCode: string }) => c.communityCode === '640104001001'),
    ).toMatchObject({ streetName: '凤凰北街街道' });
    expect(before.findings[0]).toMatchObject({
      rule: 'yc-training-days',
      source: '004 职业化 (七)',
    });
    expect(before.findings[0].message).toContain('还需3天');
    // Two days are not enough.
    const short = await course('640104001000', 2, 16);
    expect(
      (await admin.post(`/api/training/courses/${short}/attendance`, { workerIds: [id] })).status,
    ).toBe(200);
    expect((await person('640104001001', id)).status).toBe('未达标');
    const more = await course('640104001000', 1, 8);
    await admin.post(`/api/training/courses/${more}/attendance`, { workerIds: [id] });
    expect((await person('640104001001', id)).status).toBe('达标');
    // The training is in the archive.
    const items = await services.database.db
      .select()
      .from(archiveItem)
      .where(and(eq(archiveItem.workerId, id), eq(archiveItem.kind, 'training')));
    expect(items.map((i) => i.data.days).sort()).toEqual([1, 2]);
    // Everyone of the community attends a 3-day course: the community meets the rule.
    const all = await services.database.db
      .select({ id: worker.id })
      .from(worker)
      .where(and(eq(worker.communityCode, '640104001001'), sql`${worker.status} <> '已退出'`));
    const full = await course('640104001000', 3, 24);
    const res = await admin.post(`/api/training/courses/${full}/attendance`, {
      workerIds: all.map((w) => w.id),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const c = (await admin.get(`/api/training/compliance?org=640104001000&year=${year}`)).body;
    expect(c.rules.map((r: { id: string }) => r.id)).toContain('yc-training-days');
    expect(
      c.communities.find((x: { communityCode: string }) => x.communityCode === '640104001001'),
    ).toMatchObject({
      met: true,
      total: all.length,
      compliant: all.length,
    });
  });

  it('needs a reviewed case study as well in 温州', async () => {
    const id = await registerWorker(admin, {
      communityCode: '330302001001',
      name: '培训乙',
      postTitle: '专职工作人员',
    });
    const five = await course('330302001000', 5, 40);
    await admin.post(`/api/training/courses/${five}/attendance`, { workerIds: [id] });
    const p = await person('330302001001', id);
    expect(p.status).toBe('未达标');
    expect(p.findings.map((f: { rule: string }) => f.rule)).toEqual(['wz-case-study']);
    const sub = await admin.post('/api/training/case-studies', {
      workerId: id,
      year,
      title: '老旧小区加装电梯协商议事',
      submittedOn: `${year}-06-01`,
    });
    expect(sub.status).toBe(201);
    expect((await person('330302001001', id)).status).toBe('未达标');
    const ok = await admin.post(`/api/training/case-studies/${sub.body.id}/review`, {
      status: '已通过',
    });
    expect(ok.status).toBe(200);
    expect((await person('330302001001', id)).status).toBe('达标');
  });
});
