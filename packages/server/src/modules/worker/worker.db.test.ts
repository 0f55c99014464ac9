import { idNumberCheckChar, todayIso } from '@shegong/shared';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TScope, TServices } from '../../context.ts';
import { queryRows } from '../../db/client.ts';
import { archiveItem, auditLog, worker } from '../../db/schema/index.ts';
import { newId } from '../../security/ids.ts';
import { createClient, seedDemo, seedUser, type TTestClient } from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';
import { findWorkerDetailInScope, findWorkerInScope, listArchive } from './worker.repo.ts';
import { toArchiveView } from './worker-view.ts';

// 17 digits: county 640104, born 1988-01-DD (DD from n), sequence from n.
const id17 = (n: number) =>
  `640104198801${String(1 + (n % 28)).padStart(2, '0')}${String(100 + n).slice(-3)}`;
const validId = (n: number) => id17(n) + idNumberCheckChar(id17(n));
const scopeOf = (path: string): TScope => ({
  kind: 'org',
  path,
  orgCode: path.split('/').at(-2) as string,
});

describe(`worker use cases (${testDbKind()})`, () => {
  let services: TServices;
  let admin: TTestClient;
  let n = 0;
  const newWorker = (overrides: Record<string, unknown> = {}) => ({
    name: '王小明',
    idNumber: validId(n++),
    phone: '13912345678',
    educationLevel: '大专',
    serviceStartedOn: '2018-05-01',
    communityCode: '640104001001',
    postTitle: '网格员',
    ...overrides,
  });

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 120);
    await seedUser(services, { username: 'street', role: 'street-admin', orgCode: '640104001000' });
    admin = createClient(services);
    await admin.login('street');
  });
  afterAll(() => services.database.close());

  it('registers a worker with birth date and sex from the ID number, encrypted at rest', async () => {
    const first17 = '64010419880215032'; // born 1988-02-15, sequence 032: even → female
    const input = newWorker({ idNumber: first17 + idNumberCheckChar(first17) });
    const res = await admin.post('/api/workers', input);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const row = (
      await services.database.db.select().from(worker).where(eq(worker.id, res.body.id))
    )[0]!;
    expect(row.birthDate).toBe('1988-02-15');
    expect(row.sex).toBe('女');
    expect(row.idNumberCipher).not.toContain(input.idNumber);
    expect(row.phoneCipher).not.toContain('13912345678');
    expect(row.idNumberMasked).toBe(
      `${input.idNumber.slice(0, 4)}**********${input.idNumber.slice(-4)}`,
    );
    const detail = await admin.get(`/api/workers/${res.body.id}`);
    expect(detail.body.worker.idNumber).toBe(input.idNumber);
    expect(detail.body.archive).toEqual([
      expect.objectContaining({
        kind: 'post',
        startOn: '2018-05-01',
        endOn: null,
        data: expect.objectContaining({ title: '网格员' }),
      }),
    ]);
    // The detail reads the archive in its own statement (as JSON): the same items, same values.
    const items = await listArchive(services.database.db, res.body.id);
    expect(detail.body.archive).toEqual(items.map(toArchiveView));
    expect(detail.body.archive[0].createdAt).toBe(items[0]!.createdAt);
  });

  it('reads a worker for its detail page as drizzle maps the row, in scope only', async () => {
    const { db } = services.database;
    const res = await admin.post('/api/workers', newWorker({ veteran: true }));
    await admin.post(`/api/workers/${res.body.id}/archive`, {
      kind: 'note',
      startOn: '2025-01-02',
      data: { text: '走访' },
    });
    const street = scopeOf('/000000/640000/640100/640104/640104001000/');
    // The raw statement's row equals the query builder's (every column, same types).
    const found = await findWorkerDetailInScope(db, street, res.body.id);
    expect(found?.worker).toEqual(await findWorkerInScope(db, street, res.body.id));
    expect(found?.archive).toHaveLength(2);
    expect(found?.nodes.map((n) => n.code).sort()).toEqual(
      ['000000', '640000', '640100', '640104', '640104001000', '640104001001'].sort(),
    );
    // Several times (a prepared statement's plan may become generic after five), other scopes.
    for (let i = 0; i < 7; i++) {
      expect((await findWorkerDetailInScope(db, street, res.body.id))?.worker.id).toBe(res.body.id);
      expect(
        await findWorkerDetailInScope(
          db,
          scopeOf('/000000/640000/640100/640104/640104002000/'),
          res.body.id,
        ),
      ).toBeUndefined();
      expect(
        await findWorkerDetailInScope(
          db,
          { ...street, kind: 'self', workerId: newId() },
          res.body.id,
        ),
      ).toBeUndefined();
      // The worker's own account: its record, and not outside its path.
      const self = { ...street, kind: 'self' as const, workerId: res.body.id };
      expect((await findWorkerDetailInScope(db, self, res.body.id))?.worker).toEqual(found?.worker);
      expect(
        await findWorkerDetailInScope(
          db,
          { ...self, path: '/000000/640000/640100/640104/640104002000/' },
          res.body.id,
        ),
      ).toBeUndefined();
    }
  });

  it('refuses a bad ID number, a duplicate one and a missing certificate date, naming the field in Chinese', async () => {
    const bad = await admin.post('/api/workers', newWorker({ idNumber: '640104198801011230' }));
    expect(bad.status).toBe(422);
    expect(bad.body.error.issues).toContainEqual({
      field: 'idNumber',
      message: '身份证号校验位错误',
    });
    const first = newWorker();
    expect((await admin.post('/api/workers', first)).status).toBe(201);
    const dup = await admin.post('/api/workers', { ...first, name: '另一人' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toBe('该身份证号已登记');
    const cert = await admin.post('/api/workers', newWorker({ certificateLevel: '社会工作师' }));
    expect(cert.status).toBe(422);
    expect(cert.body.error.issues).toContainEqual({
      field: 'certificateDate',
      message: '持证人员请填写取证日期',
    });
  });

  it('refuses dates after today (Asia/Shanghai) for service start, hiring, certificate and birth, on create and on change', async () => {
    const today = todayIso();
    const nextYear = `${Number(today.slice(0, 4)) + 1}-03-01`;
    const later = await admin.post(
      '/api/workers',
      newWorker({
        serviceStartedOn: nextYear,
        hiredOn: nextYear,
        certificateLevel: '社会工作师',
        certificateDate: nextYear,
      }),
    );
    expect(later.status).toBe(422);
    for (const field of ['serviceStartedOn', 'hiredOn', 'certificateDate']) {
      expect(later.body.error.issues).toContainEqual({
        field,
        message: `${nextYear} 晚于今天（${today}）`,
      });
    }
    const first17 = `640104${nextYear.replaceAll('-', '')}011`;
    const unborn = await admin.post(
      '/api/workers',
      newWorker({ idNumber: first17 + idNumberCheckChar(first17) }),
    );
    expect(unborn.status).toBe(422);
    expect(unborn.body.error.issues).toContainEqual({
      field: 'idNumber',
      message: `身份证号中的出生日期 ${nextYear} 晚于今天（${today}）`,
    });
    // Today itself is a date that has happened.
    const created = await admin.post('/api/workers', newWorker({ serviceStartedOn: today }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const change = await admin.patch(`/api/workers/${created.body.id}`, {
      version: 1,
      serviceStartedOn: nextYear,
    });
    expect(change.status).toBe(422);
    expect(change.body.error.issues).toContainEqual({
      field: 'serviceStartedOn',
      message: `${nextYear} 晚于今天（${today}）`,
    });
  });

  it('refuses a community outside the scope and a grid of another community', async () => {
    const outside = await admin.post('/api/workers', newWorker({ communityCode: '330302001001' }));
    expect(outside.status).toBe(422);
    expect(outside.body.error.message).toContain('不在您的管辖范围内');
    const grid = await admin.post('/api/workers', newWorker({ gridCode: '640104002001001' }));
    expect(grid.status).toBe(422);
    expect(grid.body.error.where).toEqual({ field: 'gridCode' });
  });

  it('changes a post: closes the open post item, opens the new one on the date, audits before/after', async () => {
    const created = await admin.post('/api/workers', newWorker());
    const id = created.body.id;
    const res = await admin.patch(`/api/workers/${id}`, {
      version: 1,
      postTitle: '委员',
      effectiveOn: '2025-01-15',
      reason: '换届当选',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const posts = await services.database.db
      .select()
      .from(archiveItem)
      .where(and(eq(archiveItem.workerId, id), eq(archiveItem.kind, 'post')))
      .orderBy(archiveItem.startOn);
    expect(posts.map((p) => [p.startOn, p.endOn, p.data.title])).toEqual([
      ['2018-05-01', '2025-01-15', '网格员'],
      ['2025-01-15', null, '委员'],
    ]);
    const audits = await services.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.entityId, id))
      .orderBy(auditLog.seq);
    expect(audits.map((a) => a.action)).toEqual(['create', 'update']);
    expect(audits[1]).toMatchObject({
      before: { postTitle: '网格员' },
      after: { postTitle: '委员' },
      reason: '换届当选',
    });
    // The audit log never holds personal data in clear. (Its content, not its ids and hashes:
    // a SHA-256 in hex holds 18 decimal digits in a row now and then.)
    const text = JSON.stringify(
      audits.map(({ before, after, reason, actorName, orgPath }) => ({
        before,
        after,
        reason,
        actorName,
        orgPath,
      })),
    );
    expect(text).not.toMatch(/\d{17}[\dX]/);
    expect(text).not.toContain('13912345678');
  });

  it('changes only the fields a change names; checks between fields run on the merged record', async () => {
    const created = await admin.post(
      '/api/workers',
      newWorker({
        ethnicity: '回族',
        politicalStatus: '中共党员',
        certificateLevel: '社会工作师',
        certificateDate: '2021-06-20',
        veteran: true,
        livesInCommunity: true,
      }),
    );
    const id = created.body.id;
    const res = await admin.patch(`/api/workers/${id}`, { version: 1, educationLevel: '本科' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { worker: after } = (await admin.get(`/api/workers/${id}`)).body;
    expect(after).toMatchObject({
      educationLevel: '本科',
      ethnicity: '回族',
      politicalStatus: '中共党员',
      certificateLevel: '社会工作师',
      certificateDate: '2021-06-20',
      veteran: true,
      livesInCommunity: true,
      status: '在岗',
    });
    // A certificate level alone is enough when the record already holds the date …
    const level = await admin.patch(`/api/workers/${id}`, {
      version: 2,
      certificateLevel: '高级社会工作师',
    });
    expect(level.status, JSON.stringify(level.body)).toBe(200);
    // … but not for a worker whose record has none.
    const plain = (await admin.post('/api/workers', newWorker())).body.id;
    const missing = await admin.patch(`/api/workers/${plain}`, {
      version: 1,
      certificateLevel: '社会工作师',
    });
    expect(missing.status).toBe(422);
    expect(missing.body.error.issues).toContainEqual({
      field: 'certificateDate',
      message: '持证人员请填写取证日期',
    });
  });

  it('refuses a stale version (someone else changed the record)', async () => {
    const created = await admin.post('/api/workers', newWorker());
    const id = created.body.id;
    expect(
      (await admin.patch(`/api/workers/${id}`, { version: 1, ethnicity: '回族' })).status,
    ).toBe(200);
    const stale = await admin.patch(`/api/workers/${id}`, { version: 1, ethnicity: '满族' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toContain('已被他人修改');
  });

  it('records an exit with its date and reason, and the post item ends that day', async () => {
    const created = await admin.post('/api/workers', newWorker());
    const id = created.body.id;
    const res = await admin.patch(`/api/workers/${id}`, {
      version: 1,
      status: '已退出',
      effectiveOn: '2026-03-31',
      reason: '个人辞职',
    });
    expect(res.status).toBe(200);
    const detail = await admin.get(`/api/workers/${id}`);
    expect(detail.body.worker.exitedOn).toBe('2026-03-31');
    expect(
      detail.body.archive.map((i: { kind: string; startOn: string; endOn: string | null }) => [
        i.kind,
        i.startOn,
        i.endOn,
      ]),
    ).toEqual([
      ['post', '2018-05-01', '2026-03-31'],
      ['exit', '2026-03-31', null],
    ]);
  });

  it('adds archive items of each kind with their own validation', async () => {
    const created = await admin.post('/api/workers', newWorker());
    const id = created.body.id;
    const ok = await admin.post(`/api/workers/${id}/archive`, {
      kind: 'assessment',
      startOn: '2025-12-31',
      data: { year: 2025, grade: '优秀' },
    });
    expect(ok.status).toBe(201);
    const wrong = await admin.post(`/api/workers/${id}/archive`, {
      kind: 'assessment',
      startOn: '2025-12-31',
      data: { year: 2025, grade: '良好' },
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.message).toContain('考核等次应为：优秀、合格、基本合格、不合格');
    const history = await admin.get(`/api/workers/${id}/history`);
    expect(history.body.items.map((h: { action: string }) => h.action)).toEqual([
      'create',
      'archive-add',
    ]);
    // Times in ISO 8601 (UTC, milliseconds), as the audit list gives them.
    for (const h of history.body.items as { at: string }[])
      expect(h.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('computes years of community work with earlier periods in the province (national 二.4)', async () => {
    const created = await admin.post(
      '/api/workers',
      newWorker({
        serviceStartedOn: '2020-01-01',
        priorService: [{ from: '2012-01-01', to: '2015-12-31', place: '银川市某社区' }],
      }),
    );
    const detail = await admin.get(`/api/workers/${created.body.id}`);
    // 4 earlier years + the years since 2020-01-01, on today's date.
    const now = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const since = Number(now.slice(0, 4)) - 2020 - (now.slice(5) < '01-01' ? 1 : 0);
    expect(detail.body.worker.serviceYears).toBe(4 + since);
  });

  it('pages with a keyset cursor: pages do not overlap and cover the scope', async () => {
    const seen = new Set<string>();
    let after: string | null = null;
    let pages = 0;
    do {
      const res: {
        body: { items: Array<{ id: string }>; nextCursor: string | null; total: number | null };
      } = await admin.get(`/api/workers?limit=7${after ? `&after=${after}` : ''}`);
      for (const w of res.body.items) {
        expect(seen.has(w.id)).toBe(false);
        seen.add(w.id);
      }
      after = res.body.nextCursor;
      pages++;
    } while (after && pages < 100);
    const first = await admin.get('/api/workers?limit=7');
    expect(seen.size).toBe(first.body.total);
  });

  it('gives the total with the first page only: counted with the filters, 0 when none match', async () => {
    const [counted] = await queryRows<{ n: number }>(
      services.database.db,
      sql`select count(*)::int as n from worker where org_path like '%/640104001000/%' and education_level = '大专'`,
    );
    const n = counted!.n;
    expect(n).toBeGreaterThan(3);
    const first = await admin.get('/api/workers?limit=3&educationLevel=大专');
    expect(first.body.items).toHaveLength(3);
    expect(first.body.total).toBe(n);
    expect(first.body.totalCapped).toBe(false);
    const second = await admin.get(
      `/api/workers?limit=3&educationLevel=大专&after=${first.body.nextCursor}`,
    );
    expect(second.body.total).toBeNull();
    const none = await admin.get('/api/workers?limit=3&q=不存在的姓');
    expect(none.body).toMatchObject({ items: [], total: 0, nextCursor: null });
  });

  it('names the street and the post category under the deepest node that sets a pack', async () => {
    await seedUser(services, { username: 'sys-list', role: 'system-admin', orgCode: '000000' });
    const sys = createClient(services);
    await sys.login('sys-list');
    // A community of 长春新区 高新开发区: the county sets changchun-xinqu-2020 below 吉林's jilin-2020.
    const [xinqu] = await queryRows<{ code: string; parent_code: string }>(
      services.database.db,
      sql`select code, parent_code from org where level = 'community' and path like '%/220173/%' order by code limit 1`,
    );
    const streets = new Map(
      (
        (await sys.get('/api/orgs/640104/children')).body.items as Array<{
          code: string;
          name: string;
        }>
      ).map((o) => [o.code, o.name]),
    );
    const xinquStreet = (await sys.get(`/api/orgs/${xinqu!.parent_code}`)).body;
    const yinchuan = await sys.post('/api/workers', newWorker({ postTitle: '委员' }));
    const changchun = await sys.post(
      '/api/workers',
      newWorker({ postTitle: '委员', communityCode: xinqu!.code }),
    );
    expect(changchun.status, JSON.stringify(changchun.body)).toBe(201);
    for (const [id, street, category] of [
      // 银川 四岗: 委员 is 两委成员 (004 职业化 (十)).
      [yinchuan.body.id, streets.get('640104001000'), '两委成员'],
      // 长春新区: 委员 is 其他两委成员 (000 二(四)), not 吉林's 两委专职成员 (002 二(一)).
      [changchun.body.id, xinquStreet.name, '其他两委成员'],
    ]) {
      const detail = await sys.get(`/api/workers/${id}`);
      expect(detail.body.worker).toMatchObject({ streetName: street, postCategory: category });
      const list = await sys.get(`/api/workers?limit=5&q=${detail.body.worker.idNumber}`);
      expect(list.body.total).toBe(1);
      expect(list.body.items[0]).toMatchObject({ id, streetName: street, postCategory: category });
    }
  });
});
