import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../../context.ts';
import { archiveItem, org, workflowProposal } from '../../db/schema/index.ts';
import { createClient, seedDemo, seedUser, type TTestClient } from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';
import { assess, registerWorker } from '../todo/workflow-fixtures.ts';

// 银川 职业化 (十三): 德、能、勤、绩、廉 with weights set by the county (考核细则); (十四) two
// consecutive 不合格 → exit; (十三)/(二十) 优秀 → reward; 附件 grade by years (其他人员 4-6年 2级,
// 7-9年 3级, 2500元).

const WEIGHTS = { 德: 20, 能: 20, 勤: 20, 绩: 30, 廉: 10 };

describe(`assessment (${testDbKind()})`, () => {
  let services: TServices;
  let street: TTestClient;
  let fails: string;
  let good: string;
  let best: string;

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 60);
    await seedUser(services, { username: 'street', role: 'street-admin', orgCode: '640104001000' });
    street = createClient(services);
    await street.login('street');
    const at = { communityCode: '640104001001', serviceStartedOn: '2018-05-01' };
    fails = await registerWorker(street, { ...at, name: '考核甲' });
    good = await registerWorker(street, { ...at, name: '考核乙' });
    best = await registerWorker(street, { ...at, name: '考核丙', postTitle: '委员' });
    await assess(street, fails, 2024, '不合格');
  });
  afterAll(() => services.database.close());

  it('takes the dimensions from the pack and asks for the weights it leaves to the county', async () => {
    const missing = await street.post('/api/assessment/cycles', {
      orgCode: '640104001000',
      year: 2025,
    });
    expect(missing.status).toBe(422);
    expect(missing.body.error.message).toContain('请填写“德”的权重');
    expect(missing.body.error.message).toContain('县（市）区民政部门牵头制定考核细则');
    const wrong = await street.post('/api/assessment/cycles', {
      orgCode: '640104001000',
      year: 2025,
      weights: { ...WEIGHTS, 廉: 20 },
    });
    expect(wrong.body.error.message).toContain('110%');
  });

  it('records grades in the archive and proposes exit, reward and grade step', async () => {
    const created = await street.post('/api/assessment/cycles', {
      orgCode: '640104001000',
      year: 2025,
      weights: WEIGHTS,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    const res = await street.request('PUT', `/api/assessment/cycles/${id}/results`, {
      results: [
        { workerId: fails, grade: '不合格' },
        {
          workerId: good,
          grade: '合格',
          scores: { 德: 90, 能: 80, 勤: 85, 绩: 70, 廉: 100 },
        },
        { workerId: best, grade: '优秀' },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const view = (await street.get(`/api/assessment/cycles/${id}`)).body;
    expect(view.rule.dimensions.map((d: { name: string }) => d.name)).toEqual([
      '德',
      '能',
      '勤',
      '绩',
      '廉',
    ]);
    const row = (wid: string) => view.workers.find((w: { workerId: string }) => w.workerId === wid);
    // 0.2×90 + 0.2×80 + 0.2×85 + 0.3×70 + 0.1×100 = 82
    expect(row(good)).toMatchObject({ grade: '合格', total: 8200, streetName: '凤凰北街街道' });
    const items = await services.database.db
      .select()
      .from(archiveItem)
      .where(and(eq(archiveItem.workerId, fails), eq(archiveItem.kind, 'assessment')));
    expect(items.map((i) => i.data.grade).sort()).toEqual(['不合格', '不合格']);

    const made = await street.post(`/api/assessment/cycles/${id}/consequences`, {});
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    const proposals = await services.database.db.select().from(workflowProposal);
    const of = (wid: string, kind: string) =>
      proposals.find((p) => p.workerId === wid && p.kind === kind);
    expect(of(fails, 'exit')).toMatchObject({
      rule: 'yc-two-fails',
      ruleSource: '004 职业化 (十四)',
    });
    expect(of(best, 'reward')).toMatchObject({ ruleSource: '004 职业化 (十三)' });
    // 其他人员 7 years at the end of 2025 (3级, 1.25 × 2000 = 2500元) against 6 at the end of 2024 (2级).
    expect(of(good, 'grade-step')?.payload).toMatchObject({ from: 2, to: 3, monthlyFen: 250000 });
    expect(of(good, 'exit')).toBeUndefined();
    // Again: nothing new.
    const again = await street.post(`/api/assessment/cycles/${id}/consequences`, {});
    expect(again.body.created).toBe(0);
  });

  it('corrects a grade of the year in place, audited', async () => {
    const list = await street.get('/api/assessment/cycles?org=640104001000');
    const id = list.body.items.find((c: { year: number }) => c.year === 2025).id;
    const res = await street.request('PUT', `/api/assessment/cycles/${id}/results`, {
      results: [{ workerId: good, grade: '基本合格' }],
    });
    expect(res.status).toBe(200);
    const items = await services.database.db
      .select()
      .from(archiveItem)
      .where(and(eq(archiveItem.workerId, good), eq(archiveItem.kind, 'assessment')));
    expect(items.map((i) => i.data.grade)).toEqual(['基本合格']);
  });

  it('caps 优秀 when a pack sets a share (draft with 20%)', async () => {
    const draft = services.policies.draft('yinchuan-2018', {
      id: 'yinchuan-cap',
      rules: [
        {
          id: 'yc-assessment',
          shape: 'assessment',
          description: '年度考核，优秀不超过20%',
          source: '004 职业化 (十三)',
          dimensions: [
            { name: '德' },
            { name: '能' },
            { name: '勤' },
            { name: '绩' },
            { name: '廉' },
          ],
          excellentShareMax: '20%',
        },
      ],
    });
    (services as { policies: TServices['policies'] }).policies = draft;
    await services.database.db
      .update(org)
      .set({ packId: 'yinchuan-cap' })
      .where(eq(org.code, '640104001000'));
    const created = await street.post('/api/assessment/cycles', {
      orgCode: '640104001000',
      year: 2024,
      weights: WEIGHTS,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const view = (await street.get(`/api/assessment/cycles/${created.body.id}`)).body;
    const n = view.workers.length as number;
    const allowed = Math.floor(n / 5);
    const results = view.workers
      .slice(0, allowed + 1)
      .map((w: { workerId: string }) => ({ workerId: w.workerId, grade: '优秀' }));
    const res = await street.request('PUT', `/api/assessment/cycles/${created.body.id}/results`, {
      results,
    });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain(`最多${allowed}人优秀`);
  });
});
