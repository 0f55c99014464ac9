import { todayIso } from '@shegong/shared';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../../context.ts';
import { archiveItem, auditLog, recruitmentApplication, worker } from '../../db/schema/index.ts';
import { createClient, seedDemo, seedUser, type TTestClient } from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';
import { addDays, addMonths } from '../todo/dates.ts';
import { testIdNumber } from '../todo/workflow-fixtures.ts';

// A campaign from announcement to hiring, with the documents' figures: 银川 (五) procedure and
// priorities, (六) retirees only with approval, (九) 3-month probation for grid workers;
// 温州 二(三) reserve pool ≤ 1:1 until the next notice, 6-month probation, one-year contracts.

type TVacancy = { communityCode: string; vacancies: number; quota: unknown };

describe(`recruitment (${testDbKind()})`, () => {
  let services: TServices;
  let bureau: TTestClient;
  let street: TTestClient;
  const today = todayIso();
  const notice = { noticeFrom: addDays(today, -12), noticeUntil: addDays(today, -5) };

  const vacantCommunity = async (client: TTestClient, org: string, seats: number) => {
    const v = await client.get(`/api/recruitment/vacancies?org=${org}`);
    expect(v.status, JSON.stringify(v.body)).toBe(200);
    const c = (v.body.items as TVacancy[]).find((x) => x.vacancies >= seats);
    if (!c) throw new Error(`no community with ${seats} vacancies under ${org}`);
    return c;
  };
  const advance = async (id: string, step: string, extra: object = {}) => {
    const r = await bureau.post(`/api/recruitment/campaigns/${id}/advance`, { step, ...extra });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };
  const apply = (id: string, body: Record<string, unknown>) =>
    street.post(`/api/recruitment/campaigns/${id}/applications`, {
      educationLevel: '本科',
      flags: [],
      ...body,
    });
  const patch = async (appId: string, body: object) => {
    const r = await bureau.patch(`/api/recruitment/applications/${appId}`, body);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 60);
    await seedUser(services, { username: 'bureau', role: 'system-admin', orgCode: '000000' });
    await seedUser(services, { username: 'street', role: 'street-admin', orgCode: '640104001000' });
    bureau = createClient(services);
    street = createClient(services);
    await bureau.login('bureau');
    await street.login('street');
  });
  afterAll(() => services.database.close());

  it('refuses seats beyond the community quota, naming the figures', async () => {
    const v = await bureau.get('/api/recruitment/vacancies?org=640104001000');
    const c = (v.body.items as (TVacancy & { communityName: string })[]).find((x) => x.quota)!;
    const res = await bureau.post('/api/recruitment/campaigns', {
      title: '测试超出职数的招聘',
      orgCode: '640104001000',
      announcedOn: today,
      applyUntil: today,
      writtenWeight: 50,
      interviewWeight: 50,
      posts: [{ communityCode: c.communityCode, postTitle: '网格员', seats: c.vacancies + 1 }],
    });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain(`最多还可招聘${c.vacancies}人`);
  });

  it('runs a 银川 campaign from announcement to hire, ranking equal totals by priority', async () => {
    const c = await vacantCommunity(bureau, '640104001000', 1);
    const created = await bureau.post('/api/recruitment/campaigns', {
      title: '2026年兴庆区专职社区网格员招聘',
      orgCode: '640104001000',
      announcedOn: addDays(today, -60),
      applyUntil: addDays(today, -45),
      writtenWeight: 50,
      interviewWeight: 50,
      posts: [{ communityCode: c.communityCode, postTitle: '网格员', seats: 1 }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    let view = (await street.get(`/api/recruitment/campaigns/${id}`)).body;
    expect(view.policy.recruitment.procedure).toEqual([
      '公告',
      '报名',
      '资格审查',
      '笔试',
      '面试',
      '体检',
      '考察',
      '公示',
      '聘用',
    ]);
    const postId = view.posts[0].id as string;
    // The post names its community with its street: names repeat across streets.
    expect(view.posts[0].streetName).toBe('凤凰北街街道');
    // Applications only in the 报名 step.
    expect((await apply(id, { postId, name: '早报名', idNumber: testIdNumber() })).status).toBe(
      409,
    );
    await advance(id, '报名');

    const idA = testIdNumber('1995-01-01');
    const a = await apply(id, { postId, name: '甲考生', idNumber: idA });
    const b = await apply(id, {
      postId,
      name: '乙考生',
      idNumber: testIdNumber('1994-01-01'),
      educationLevel: '大专',
      certificateLevel: '助理社会工作师',
      certificateDate: '2022-06-01',
      flags: ['本社区居民'],
    });
    const cc = await apply(id, { postId, name: '丙考生', idNumber: testIdNumber('1996-01-01') });
    const d = await apply(id, {
      postId,
      name: '丁考生',
      idNumber: testIdNumber('1960-01-01'),
      flags: ['离退休人员'],
    });
    for (const r of [a, b, cc, d]) expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(d.body.eligible).toBe(false);
    view = (await street.get(`/api/recruitment/campaigns/${id}`)).body;
    const dView = view.applications.find((x: { id: string }) => x.id === d.body.id);
    const retiree = dView.eligibility.criteria.find(
      (x: { rule: string }) => x.rule === 'yc-retiree-approval',
    );
    expect(retiree).toMatchObject({ passed: false, source: '004 职业化 (六)' });
    const bView = view.applications.find((x: { id: string }) => x.id === b.body.id);
    // 银川 (五) and, from 2024-03-28, 003 二.3 (持证、就近居住) both apply.
    expect(bView.eligibility.priorities.map((p: { rule: string }) => p.rule)).toEqual(
      expect.arrayContaining(['yc-priority-certificate', 'yc-priority-resident']),
    );
    // Twice the same person: refused.
    const dup = await apply(id, { postId, name: '甲考生', idNumber: idA });
    expect(dup.status).toBe(409);

    await advance(id, '资格审查');
    const refused = await bureau.patch(`/api/recruitment/applications/${d.body.id}`, {
      review: '通过',
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toContain('民政局批准');
    for (const x of [a, b, cc]) await patch(x.body.id, { review: '通过' });
    await patch(d.body.id, { review: '不通过', reviewNote: '离退休人员未经民政局批准' });
    await advance(id, '笔试');
    await patch(a.body.id, { writtenScore: 80 });
    await patch(b.body.id, { writtenScore: 80 });
    await patch(cc.body.id, { writtenScore: 70 });
    await advance(id, '面试');
    await patch(a.body.id, { interviewScore: 80 });
    await patch(b.body.id, { interviewScore: 80 });
    await patch(cc.body.id, { interviewScore: 95 });
    await advance(id, '体检');
    view = (await street.get(`/api/recruitment/campaigns/${id}`)).body;
    const rank = (appId: string) => view.applications.find((x: { id: string }) => x.id === appId);
    expect(rank(cc.body.id)).toMatchObject({ total: 8250, rank: 1 });
    expect(rank(b.body.id)).toMatchObject({ total: 8000, rank: 2 });
    expect(rank(a.body.id)).toMatchObject({ total: 8000, rank: 3 });
    expect(rank(b.body.id).tieBreak).toContain('优先条件');
    expect(view.candidates).toEqual([cc.body.id]);
    // 丙 fails the medical: 乙 is next.
    await patch(cc.body.id, { medical: '不合格' });
    await expect(
      bureau.post(`/api/recruitment/campaigns/${id}/advance`, { step: '考察' }),
    ).resolves.toMatchObject({ status: 409 });
    await patch(b.body.id, { medical: '合格' });
    await advance(id, '考察');
    await patch(b.body.id, { background: '合格' });
    await advance(id, '公示', notice);
    // Hiring needs workflow:approve.
    expect(
      (await street.post(`/api/recruitment/campaigns/${id}/hire`, { hiredOn: today })).status,
    ).toBe(403);
    const hired = await bureau.post(`/api/recruitment/campaigns/${id}/hire`, { hiredOn: today });
    expect(hired.status, JSON.stringify(hired.body)).toBe(200);
    expect(hired.body.hired).toHaveLength(1);
    const w = (
      await services.database.db
        .select()
        .from(worker)
        .where(eq(worker.id, hired.body.hired[0].workerId))
    )[0]!;
    expect(w).toMatchObject({
      name: '乙考生',
      status: '试用期',
      postTitle: '网格员',
      communityCode: c.communityCode,
      hiredOn: today,
      livesInCommunity: true,
      // 银川 (九): 3 months.
      probationUntil: addDays(addMonths(today, 3), -1),
    });
    const items = await services.database.db
      .select()
      .from(archiveItem)
      .where(eq(archiveItem.workerId, w.id));
    expect(items.map((i) => i.kind).sort()).toEqual(['note', 'post']);
    const apps = await services.database.db
      .select()
      .from(recruitmentApplication)
      .where(eq(recruitmentApplication.campaignId, id));
    expect(Object.fromEntries(apps.map((x) => [x.name, x.outcome]))).toEqual({
      甲考生: '未录用',
      乙考生: '已聘用',
      丙考生: '未录用',
      丁考生: null,
    });
    // 银川 sets no reserve pool.
    const reserve = await bureau.post(`/api/recruitment/campaigns/${id}/reserve`, {
      applicationIds: [a.body.id],
    });
    expect(reserve.status).toBe(422);
    const audit = await services.database.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.entityId, id));
    expect(audit.map((x) => x.action)).toEqual(
      expect.arrayContaining(['create', 'advance', 'hire']),
    );
  });

  it('keeps a 温州 reserve pool of at most 1:1 until the next notice', async () => {
    const c = await vacantCommunity(bureau, '330302', 1);
    const create = (title: string) =>
      bureau.post('/api/recruitment/campaigns', {
        title,
        orgCode: '330302',
        announcedOn: addDays(today, -60),
        applyUntil: addDays(today, -45),
        writtenWeight: 40,
        interviewWeight: 60,
        posts: [{ communityCode: c.communityCode, postTitle: '专职工作人员', seats: 1 }],
      });
    const created = await create('2026年鹿城区专职社区工作者招聘');
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    const postId = (await bureau.get(`/api/recruitment/campaigns/${id}`)).body.posts[0].id;
    await advance(id, '报名');
    const ids: string[] = [];
    for (const [i, name] of ['温一', '温二', '温三'].entries()) {
      const r = await bureau.post(`/api/recruitment/campaigns/${id}/applications`, {
        postId,
        name,
        idNumber: testIdNumber(`199${i}-05-05`, '330302'),
        educationLevel: '本科',
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      ids.push(r.body.id);
    }
    await advance(id, '资格审查');
    for (const x of ids) await patch(x, { review: '通过' });
    await advance(id, '笔试');
    for (const [i, x] of ids.entries()) await patch(x, { writtenScore: 90 - i });
    await advance(id, '面试');
    for (const [i, x] of ids.entries()) await patch(x, { interviewScore: 90 - i });
    await advance(id, '体检');
    await patch(ids[0]!, { medical: '合格' });
    await advance(id, '考察');
    await patch(ids[0]!, { background: '合格' });
    await advance(id, '公示', notice);
    const hired = await bureau.post(`/api/recruitment/campaigns/${id}/hire`, { hiredOn: today });
    expect(hired.status, JSON.stringify(hired.body)).toBe(200);
    const workerId = hired.body.hired[0].workerId as string;
    const w = (await services.database.db.select().from(worker).where(eq(worker.id, workerId)))[0]!;
    // 温州 二(三): 6 months' probation and a one-year contract.
    expect(w.probationUntil).toBe(addDays(addMonths(today, 6), -1));
    const contract = (
      await services.database.db
        .select()
        .from(archiveItem)
        .where(eq(archiveItem.workerId, workerId))
    ).find((i) => i.kind === 'contract');
    expect(contract).toMatchObject({ startOn: today, endOn: addDays(addMonths(today, 12), -1) });
    expect(contract?.data).toMatchObject({ type: '一年一签', probationMonths: 6 });

    const tooMany = await bureau.post(`/api/recruitment/campaigns/${id}/reserve`, {
      applicationIds: [ids[1], ids[2]],
    });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error.message).toContain('本次录用1人，最多1人');
    expect(tooMany.body.error.message).toContain('001 二(三)');
    const ok = await bureau.post(`/api/recruitment/campaigns/${id}/reserve`, {
      applicationIds: [ids[1]],
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    // The next notice in the county ends the reserve.
    const next = await create('2027年鹿城区专职社区工作者招聘');
    expect(next.status, JSON.stringify(next.body)).toBe(201);
    expect(next.body.reserveExpired).toBe(1);
    const row = (
      await services.database.db
        .select()
        .from(recruitmentApplication)
        .where(eq(recruitmentApplication.id, ids[1]!))
    )[0]!;
    expect(row.outcome).toBe('后备已到期');
  });

  it('imports applications from a CSV, all or nothing, naming row and column', async () => {
    const c = await vacantCommunity(bureau, '640104001000', 1);
    const created = await bureau.post('/api/recruitment/campaigns', {
      title: '导入报名测试招聘',
      orgCode: '640104001000',
      announcedOn: today,
      applyUntil: today,
      writtenWeight: 50,
      interviewWeight: 50,
      posts: [{ communityCode: c.communityCode, postTitle: '网格员', seats: 1 }],
    });
    const id = created.body.id as string;
    await advance(id, '报名');
    const head =
      '姓名,身份证号,手机号,学历,专业,社工证,取证日期,报考社区,报考岗位,本社区居民,退役军人';
    const row1 = `导入甲,${testIdNumber('1993-02-02')},13900000001,本科,社会学,无,,${c.communityCode},网格员,是,否`;
    const bad = `导入乙,640104199302020000,,大学,,无,,${c.communityCode},网格员,否,是`;
    const res = await bureau.post(`/api/recruitment/campaigns/${id}/applications/import`, {
      csv: [head, row1, bad].join('\r\n'),
    });
    expect(res.status).toBe(422);
    const fields = res.body.error.issues.map((i: { field: string }) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['第3行 身份证号', '第3行 学历']));
    expect((await bureau.get(`/api/recruitment/campaigns/${id}`)).body.applications).toHaveLength(
      0,
    );
    const good = `导入乙,${testIdNumber('1992-02-02')},,大专,,无,,${c.communityCode},网格员,否,是`;
    const ok = await bureau.post(`/api/recruitment/campaigns/${id}/applications/import`, {
      csv: `\ufeff${[head, row1, good].join('\n')}\n`,
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.imported).toBe(2);
    const apps = (await bureau.get(`/api/recruitment/campaigns/${id}`)).body.applications;
    expect(apps.find((x: { name: string }) => x.name === '导入乙').flags).toEqual(['退役军人']);
    expect(apps.find((x: { name: string }) => x.name === '导入甲').flags).toEqual(['本社区居民']);
  });

  it('hides campaigns outside the scope', async () => {
    const list = await street.get('/api/recruitment/campaigns?org=640104001000');
    expect(list.status).toBe(200);
    for (const c of list.body.items)
      expect(
        c.orgPath.startsWith('/000000/640000/640100/640104/640104001000/') ||
          c.orgPath === '/000000/640000/640100/640104/640104001000/',
      ).toBe(true);
    expect((await street.get('/api/recruitment/campaigns?org=330302')).status).toBe(404);
  });
});
