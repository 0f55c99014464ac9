import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../../context.ts';
import { createClient, seedDemo, seedUser, type TTestClient } from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';

describe(`policy routes (${testDbKind()})`, () => {
  let services: TServices;
  let client: TTestClient;
  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 30);
    await seedUser(services, {
      username: 'secretary',
      role: 'community-secretary',
      orgCode: '640104001001',
    });
    client = createClient(services);
    await client.login('secretary');
  });
  afterAll(() => services.database.close());

  it('lists the five seed packs', async () => {
    const res = await client.get('/api/policy/packs');
    expect(res.body.items.map((p: { id: string }) => p.id).sort()).toEqual([
      'changchun-xinqu-2020',
      'jilin-2020',
      'national-2024',
      'wenzhou-draft',
      'yinchuan-2018',
    ]);
  });

  it('evaluates the Yinchuan worked example with its clauses (004 职业化 (十七) and 附件)', async () => {
    // rules.md §3: 其他人员, 5 years, 本科, 助理社会工作师 → grade 4, 1.30, 2600 元.
    const res = await client.post('/api/policy/packs/yinchuan-2018/eval', {
      evaluation: 'grade',
      date: '2026-01-01',
      input: { post: '其他人员', years: 5, education: '本科', certificate: '助理社会工作师' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.value).toMatchObject({ grade: 4, coefficient: '1.30', basePayFen: 260000 });
    const sources = res.body.trace.map((s: { source: string }) => s.source).join(' ');
    expect(sources).toContain('004 职业化 (十七)');
  });

  it('answers an input the pack cannot read with a Chinese message', async () => {
    const res = await client.post('/api/policy/packs/yinchuan-2018/eval', {
      evaluation: 'grade',
      input: { post: '不存在的岗位', years: 5, education: '本科' },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.error.message).toMatch(/[\u4e00-\u9fa5]/);
  });

  it('describes a pack on a date with its sources and chosen readings', async () => {
    const res = await client.get('/api/policy/packs/yinchuan-2018?date=2026-01-01');
    // The chain runs from the root pack to this one.
    expect(res.body.chain).toEqual(['national-2024', 'yinchuan-2018']);
    // Documents by their titles and issuers (the 004 of the seeds), not only a file name.
    expect(res.body.sources).toContainEqual(
      expect.objectContaining({
        key: '004',
        title:
          '银川市深化街道社区管理体制改革工作的实施意见（试行）；银川市推进社区工作者队伍职业化建设的实施意见（试行）',
        issuer: '中共银川市委办公厅 银川市人民政府办公厅',
        issued: '2018-09-05',
      }),
    );
    expect(res.body.options.length).toBeGreaterThan(0);
    for (const o of res.body.options) expect(o.reason.length).toBeGreaterThan(0);
    expect((await client.get('/api/policy/packs/nope')).status).toBe(404);
  });
});
