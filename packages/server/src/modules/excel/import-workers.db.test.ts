import { todayIso } from '@shegong/shared';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SNAPSHOT_DOCUMENT, verifyAuditChain } from '../../audit/audit.ts';
import type { TServices } from '../../context.ts';
import { queryRows } from '../../db/client.ts';
import { archiveItem, auditLog, org, worker } from '../../db/schema/index.ts';
import { createClient, seedDemo, seedUser, type TTestClient } from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';
import { rebuildStatRollup } from '../stats/stat-maintenance.ts';
import { buildXlsx, fixtureId, importThrough, readXlsx } from './excel-fixtures.ts';
import { readThreadConfig, readThreadStats } from './read-thread.ts';

// A street admin of 凤凰北街街道 (640104001000) takes in a 花名册 as street offices keep them.

const STREET = '640104001000';
const COMMUNITY = '640104001001';

describe(`worker roster import (${testDbKind()})`, () => {
  let services: TServices;
  let street: TTestClient;
  let communityName: string;
  let otherCommunity: { code: string; name: string };

  let csrf = '';

  const importFile = (file: Buffer | string, commit?: 'skip' | 'stop', fileName = '花名册.xlsx') =>
    importThrough(street, csrf, 'workers', file, { commit, fileName });

  const countOf = async (table: typeof worker | typeof auditLog | typeof archiveItem) =>
    (
      await services.database.db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(table)
    )[0]!.n;

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 60);
    // Statistics built before the imports, so that the imports are seen to keep them.
    await rebuildStatRollup(services.database.db);
    await seedUser(services, { username: 'street', role: 'street-admin', orgCode: STREET });
    street = createClient(services);
    const login = await street.login('street');
    csrf = login.body.csrfToken;
    const { db } = services.database;
    communityName = (await db.select().from(org).where(eq(org.code, COMMUNITY)))[0]!.name;
    const other = (
      await db
        .select()
        .from(org)
        .where(sql`${org.parentCode} <> ${STREET} and ${org.level} = 'community'`)
        .limit(1)
    )[0]!;
    otherCommunity = { code: other.code, name: other.name };
  });
  afterAll(() => services.database.close());

  const HEADER = [
    '序号',
    '姓名',
    '身份证号码',
    '联系电话',
    '文化程度',
    '社区',
    '现任职务',
    '参加社区工作时间',
    '政治面貌',
    '爱好',
  ];
  const idA = fixtureId('640104', '1990-03-07', 11);
  const idB = fixtureId('640104', '1985-11-30', 12).replace(/X$/, 'x');
  const idC = fixtureId('640104', '1979-01-02', 13);

  const messyRoster = () =>
    buildXlsx([
      {
        name: '凤凰北街',
        textColumns: [3],
        merges: ['A1:J1'],
        rows: [
          ['2025年凤凰北街街道社区工作者花名册'],
          [],
          HEADER,
          // Full-width digits in the ID and phone; stray spaces; 大学本科 for 本科; a text date.
          [
            1,
            ' 张  三 ',
            toFullWidth(idA),
            '１３９ 1234 5678',
            '大学本科',
            communityName,
            '网格员',
            '2019/3/1',
            '党员',
            '读书',
          ],
          // Lower-case x; the month-only dates as written in real files.
          [2, '李四', ` ${idB} `, null, '大专', communityName, '委员', '2019年3月', '群众', null],
          // An Excel date (serial number shown as a date) and 2019.03 typed into a General cell.
          [
            3,
            '王五',
            idC,
            '13800001111',
            '本科',
            communityName,
            '专职工作人员',
            new Date(Date.UTC(2020, 5, 15)),
            '中共党员',
            null,
          ],
          // 身份证号 stored as a number: the last digits are gone.
          [
            4,
            '赵六',
            Number('640104199001011234'), // as Excel holds it: a double
            null,
            '本科',
            communityName,
            '网格员',
            2019.03,
            '群众',
            null,
          ],
          // A place outside the street; a bad check digit; an unknown education word.
          [
            5,
            '钱七',
            fixtureId('640104', '1992-02-02', 15),
            null,
            '本科',
            '不存在的社区',
            '网格员',
            '2020-01-01',
            '群众',
            null,
          ],
          [
            6,
            '孙八',
            `${idA.slice(0, 17)}${idA[17] === '0' ? '1' : '0'}`,
            null,
            '本科',
            communityName,
            '网格员',
            '2020-01-01',
            '群众',
            null,
          ],
          [
            7,
            '周九',
            fixtureId('640104', '1993-04-04', 16),
            null,
            '研究生班',
            communityName,
            '网格员',
            '2020.1',
            '群众',
            null,
          ],
          [],
          [],
        ],
      },
    ]);

  it('checks a messy roster without writing anything, each problem placed and said in Chinese', async () => {
    const workers = await countOf(worker);
    const audits = await countOf(auditLog);
    const { batch, issues } = await importFile(await messyRoster());
    expect(await countOf(worker)).toBe(workers);
    expect(await countOf(auditLog)).toBe(audits);
    expect(batch.status).toBe('checked');
    expect(batch.counts).toMatchObject({ rows: 7, valid: 3, invalid: 4, created: 3, updated: 0 });
    const at = (row: number) =>
      issues.filter((i) => i.row === row).map((i) => `${i.column}|${i.message}`);
    expect(at(3)).toEqual(['爱好|未识别的列“爱好”（J列），已忽略']);
    expect(at(7)).toEqual([
      '身份证号码|身份证号码：身份证号被保存为数字，Excel 只保留15位有效数字，末几位已丢失：请将该列设为文本格式后重新填写',
    ]);
    expect(at(8)).toEqual(['社区|社区：“不存在的社区”不存在或不在您的管辖范围内']);
    expect(at(9)).toEqual(['身份证号码|身份证号码：身份证号校验位错误']);
    expect(at(10)).toContain(
      '文化程度|文化程度：学历应为：高中及以下、中专、大专、本科、硕士、博士',
    );
    expect(
      at(10).some((m: string) => m.startsWith('参加社区工作时间|') && m.includes('有歧义')),
    ).toBe(true);
    expect(issues.every((i: { sheet: string }) => i.sheet === '凤凰北街')).toBe(true);
  });

  it('commits the valid rows (skip) with values normalised, encrypted, audited and a post item each', async () => {
    const before = await countOf(worker);
    const { batch } = await importFile(await messyRoster(), 'skip');
    expect(batch.status).toBe('committed');
    expect(batch.counts).toMatchObject({ created: 3, updated: 0, skipped: 4 });
    expect(await countOf(worker)).toBe(before + 3);
    const list = await street.get(`/api/workers?q=${idA}`);
    expect(list.body.items).toHaveLength(1);
    const w = list.body.items[0];
    expect(w).toMatchObject({
      name: '张三',
      idNumber: idA,
      educationLevel: '本科',
      postTitle: '网格员',
      serviceStartedOn: '2019-03-01',
    });
    const detail = (await street.get(`/api/workers/${w.id}`)).body;
    expect(detail.worker.phone).toBe('13912345678');
    expect(detail.worker.politicalStatus).toBe('中共党员');
    expect(
      detail.archive.map((i: { kind: string; startOn: string }) => [i.kind, i.startOn]),
    ).toEqual([['post', '2019-03-01']]);
    const b = (await street.get(`/api/workers?q=${idB.toUpperCase()}`)).body.items[0];
    expect(b).toMatchObject({ name: '李四', serviceStartedOn: '2019-03-01' });
    const c = (await street.get(`/api/workers?q=${idC}`)).body.items[0];
    expect(c).toMatchObject({ serviceStartedOn: '2020-06-15', postTitle: '专职工作人员' });
    // Each post item's data names its own worker's title and community (the importer makes
    // the text once per community and title).
    for (const [x, title] of [
      [w, '网格员'],
      [c, '专职工作人员'],
    ] as const) {
      const items = (await street.get(`/api/workers/${x.id}`)).body.archive;
      expect(items.map((i: { kind: string; data: unknown }) => [i.kind, i.data])).toEqual([
        ['post', { title, communityCode: COMMUNITY, oneShoulder: false }],
      ]);
    }
    const history = (await street.get(`/api/workers/${w.id}/history`)).body.items;
    expect(history.map((h: { action: string }) => h.action)).toEqual(['create']);
    expect(JSON.stringify(history)).not.toContain(idA);
    // Audited in the compact form (a line of the batch's snapshot document), shown as the
    // worker was created.
    expect(history[0].after).toMatchObject({
      id: w.id,
      name: '张三',
      educationLevel: '本科',
      postTitle: '网格员',
      serviceStartedOn: '2019-03-01',
      phoneMasked: '139****5678',
      communityCode: COMMUNITY,
    });
    expect(history[0].importRef).toMatchObject({ batchId: batch.id });
    // The audit log asked for this worker shows the same creation.
    const audit = (await street.get(`/api/audit?entity=worker&entityId=${w.id}`)).body.items;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'create', entityId: w.id, after: history[0].after });
    // The document's entity_id is its first worker's id: asked for that id without naming an
    // entity, the log shows that worker's creation once, not the document beside it.
    const first = await queryRows<{ id: string }>(
      services.database.db,
      sql`select entity_id as id from audit_log
           where entity = ${SNAPSHOT_DOCUMENT} and after->>'batchId' = ${batch.id}`,
    );
    expect(first).toHaveLength(1);
    const byId = (await street.get(`/api/audit?entityId=${first[0]!.id}`)).body.items;
    expect(byId.map((r: { entity: string; action: string }) => [r.entity, r.action])).toEqual([
      ['worker', 'create'],
    ]);
    expect(await verifyAuditChain(services.database.db)).toMatchObject({ ok: true });
  });

  it('re-importing the same file changes nothing and adds no audit rows', async () => {
    const workers = await countOf(worker);
    const audits = await countOf(auditLog);
    const items = await countOf(archiveItem);
    const { batch } = await importFile(await messyRoster(), 'skip');
    expect(batch.counts).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    expect(await countOf(worker)).toBe(workers);
    expect(await countOf(auditLog)).toBe(audits);
    expect(await countOf(archiveItem)).toBe(items);
  });

  it('reads in the reader thread with the same report, and commits and re-imports from it', async () => {
    const file = await messyRoster();
    const here = await importFile(file);
    const saved = { ...readThreadConfig };
    // Every file in the thread, from its first row (not read here while the thread starts).
    readThreadConfig.minBytes = 0;
    readThreadConfig.readWhileStarting = false;
    try {
      const before = readThreadStats.files;
      const there = await importFile(file);
      expect(readThreadStats.files).toBe(before + 1);
      expect(there.batch.counts).toEqual(here.batch.counts);
      expect(there.issues).toEqual(here.issues);
      const ids = [31, 32, 33].map((n) => fixtureId('640104', '1991-05-05', n));
      const fresh = await buildXlsx([
        {
          name: '花名册',
          textColumns: [2],
          rows: [
            ['姓名', '身份证号', '学历', '社区', '职务', '参加社区工作时间', '手机号'],
            ...ids.map((id, i) => [
              `新人${'甲乙丙'[i]}`,
              id,
              '本科',
              communityName,
              '网格员',
              '2021-04-01',
              `1370000000${i}`,
            ]),
          ],
        },
      ]);
      const committed = await importFile(fresh, 'stop');
      expect(committed.batch).toMatchObject({ status: 'committed' });
      expect(committed.batch.counts).toMatchObject({ created: 3, updated: 0, invalid: 0 });
      const b = (await street.get(`/api/workers?q=${ids[1]}`)).body.items[0];
      expect(b).toMatchObject({
        name: '新人乙',
        serviceStartedOn: '2021-04-01',
        postTitle: '网格员',
      });
      const again = await importFile(fresh, 'stop');
      expect(again.batch.counts).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
      expect(readThreadStats.files).toBe(before + 5);
    } finally {
      Object.assign(readThreadConfig, saved);
    }
  });

  it('"stop on any error" writes nothing while one row is wrong', async () => {
    const workers = await countOf(worker);
    const file = await buildXlsx([
      {
        name: 'Sheet1',
        textColumns: [2],
        rows: [
          ['姓名', '身份证号', '学历', '社区代码', '职务', '参加社区工作时间'],
          [
            '新人甲',
            fixtureId('640104', '1995-05-05', 21),
            '本科',
            COMMUNITY,
            '网格员',
            '2024-01-01',
          ],
          [
            '新人乙',
            fixtureId('640104', '1995-05-06', 22),
            '本科',
            otherCommunity.code,
            '网格员',
            '2024-01-01',
          ],
        ],
      },
    ]);
    const { batch, issues } = await importFile(file, 'stop');
    expect(batch.status).toBe('rejected');
    expect(await countOf(worker)).toBe(workers);
    expect(issues.map((i: { row: number; message: string }) => [i.row, i.message])).toEqual([
      [3, `社区代码：社区 ${otherCommunity.code} 不存在或不在您的管辖范围内`],
    ]);
  });

  it('refuses a 参加社区工作时间, 入职日期 or birth date after today, placed by sheet, row and column', async () => {
    const workers = await countOf(worker);
    const today = todayIso();
    const nextYear = `${Number(today.slice(0, 4)) + 1}-03-01`;
    const file = await buildXlsx([
      {
        name: '在岗人员',
        textColumns: [2],
        rows: [
          ['姓名', '身份证号', '学历', '社区代码', '职务', '参加社区工作时间', '入职日期'],
          [
            '将来甲',
            fixtureId('640104', '1995-05-07', 23),
            '本科',
            COMMUNITY,
            '网格员',
            nextYear,
            null,
          ],
          [
            '将来乙',
            fixtureId('640104', '1995-05-08', 24),
            '本科',
            COMMUNITY,
            '网格员',
            today,
            nextYear,
          ],
          [
            '将来丙',
            fixtureId('640104', nextYear, 25),
            '本科',
            COMMUNITY,
            '网格员',
            '2024-01-01',
            null,
          ],
        ],
      },
    ]);
    const { batch, issues } = await importFile(file, 'skip');
    expect(await countOf(worker)).toBe(workers);
    expect(batch.counts).toMatchObject({ rows: 3, valid: 0, invalid: 3 });
    expect(issues.map((i) => [i.sheet, i.row, i.column, i.message].join('|'))).toEqual([
      `在岗人员|2|参加社区工作时间|参加社区工作时间：${nextYear} 晚于今天（${today}）`,
      `在岗人员|3|入职日期|入职日期：${nextYear} 晚于今天（${today}）`,
      `在岗人员|4|身份证号|身份证号：身份证号中的出生日期 ${nextYear} 晚于今天（${today}）`,
    ]);
  });

  it('updates only changed columns of registered workers, with a post item for a new post and an education item', async () => {
    const file = await buildXlsx([
      {
        name: 'Sheet1',
        textColumns: [2],
        rows: [
          ['姓名', '身份证号', '学历', '社区代码', '职务', '参加社区工作时间'],
          ['张三', idA, '硕士', COMMUNITY, '委员', '2019-03-01'],
          ['李四', idB.toUpperCase(), '大专', COMMUNITY, '委员', '2019-03-01'],
        ],
      },
    ]);
    const { batch } = await importFile(file, 'stop');
    expect(batch.counts).toMatchObject({ created: 0, updated: 1, unchanged: 1 });
    const w = (await street.get(`/api/workers?q=${idA}`)).body.items[0];
    const detail = (await street.get(`/api/workers/${w.id}`)).body;
    // Phone, political status were not in this file: kept.
    expect(detail.worker).toMatchObject({
      educationLevel: '硕士',
      postTitle: '委员',
      phone: '13912345678',
      politicalStatus: '中共党员',
      version: 2,
    });
    expect(
      detail.archive
        .filter((i: { kind: string }) => i.kind === 'post')
        .map((i: { data: { title: string }; endOn: string | null }) => [
          i.data.title,
          i.endOn === null,
        ]),
    ).toEqual([
      ['网格员', false],
      ['委员', true],
    ]);
    // The new 学历 is dated from the import (学历变动), with the one held before: months before
    // it are paid on 本科 (pay-inputs.ts, educationOn).
    expect(
      detail.archive
        .filter((i: { kind: string }) => i.kind === 'education')
        .map((i: { startOn: string; data: unknown }) => [i.startOn, i.data]),
    ).toEqual([
      [
        todayIso(),
        {
          level: '硕士',
          recognised: true,
          major: null,
          previous: { level: '本科', recognised: true, major: null },
        },
      ],
    ]);
    const history = (await street.get(`/api/workers/${w.id}/history`)).body.items;
    expect(history.at(-1)).toMatchObject({
      action: 'update',
      before: { educationLevel: '本科', postTitle: '网格员' },
      after: { educationLevel: '硕士', postTitle: '委员' },
    });
    // A 社工证 obtained since: dated by its 取证日期, with the one held before (none).
    const cert = await buildXlsx([
      {
        name: 'Sheet1',
        textColumns: [2],
        rows: [
          [
            '姓名',
            '身份证号',
            '学历',
            '社区代码',
            '职务',
            '参加社区工作时间',
            '社工证等级',
            '取证日期',
          ],
          ['张三', idA, '硕士', COMMUNITY, '委员', '2019-03-01', '社会工作师', '2024-05-18'],
        ],
      },
    ]);
    const certImport = await importFile(cert, 'stop');
    expect(certImport.batch.counts, JSON.stringify(certImport)).toMatchObject({ updated: 1 });
    const after = (await street.get(`/api/workers/${w.id}`)).body;
    expect(
      after.archive
        .filter((i: { kind: string }) => i.kind === 'certificate')
        .map((i: { startOn: string; data: unknown }) => [i.startOn, i.data]),
    ).toEqual([
      [
        '2024-05-18',
        { level: '社会工作师', on: '2024-05-18', previous: { level: '无', on: null } },
      ],
    ]);
  });

  it('the error report is the same spreadsheet with an error column', async () => {
    const { batchId } = await importFile(await messyRoster());
    const res = await street.app.request(`/api/imports/${batchId}/report`, {
      headers: { Cookie: street.cookie },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(encodeURIComponent('错误报告'));
    const [sheet] = await readXlsx(new Uint8Array(await res.arrayBuffer()));
    expect(sheet!.name).toBe('凤凰北街');
    expect(sheet!.rows[0]![0]).toBe('2025年凤凰北街街道社区工作者花名册');
    expect(sheet!.rows[2]!.slice(0, 10)).toEqual(HEADER);
    expect(sheet!.rows[2]![10]).toBe('错误说明');
    expect(sheet!.rows[3]![1]).toBe(' 张  三 ');
    expect(sheet!.rows[3]![10]).toBeUndefined();
    expect(String(sheet!.rows[8]![10])).toContain('身份证号校验位错误');
    expect(String(sheet!.rows[6]![10])).toContain('末几位已丢失');
  });

  it('lists the batches of the scope', async () => {
    const res = await street.get('/api/imports');
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThanOrEqual(5);
    expect(res.body.items[0]).toMatchObject({
      kind: 'workers',
      kindLabel: '社区工作者花名册',
      createdBy: 'street',
    });
  });

  it('rows for places of another street are errors, and nothing of them is written', async () => {
    const workers = await countOf(worker);
    const { db } = services.database;
    // A worker registered in another street, and a place there.
    const foreign = (
      await db
        .select({ name: worker.name, cipher: worker.idNumberCipher })
        .from(worker)
        .where(sql`${worker.orgPath} not like ${'%/640104001000/%'}`)
        .limit(1)
    )[0]!;
    const foreignId = services.crypto.decrypt(foreign.cipher);
    const file = await buildXlsx([
      {
        name: 'Sheet1',
        textColumns: [2, 4],
        rows: [
          ['姓名', '身份证号', '学历', '社区代码', '职务', '参加社区工作时间'],
          [
            '外街甲',
            fixtureId('640104', '1994-04-04', 41),
            '本科',
            otherCommunity.code,
            '网格员',
            '2024-01-01',
          ],
          [foreign.name, foreignId, '硕士', COMMUNITY, '网格员', '2024-01-01'],
        ],
      },
    ]);
    const { batch, issues } = await importFile(file, 'skip');
    expect(batch.counts).toMatchObject({ rows: 2, valid: 0, invalid: 2, created: 0, updated: 0 });
    expect(issues.map((i) => [i.row, i.column, i.message])).toEqual([
      [2, '社区代码', `社区代码：社区 ${otherCommunity.code} 不存在或不在您的管辖范围内`],
      [3, '身份证号', '该身份证号已在您管辖范围以外登记，不能在此导入'],
    ]);
    expect(await countOf(worker)).toBe(workers);
    const after = (
      await db
        .select({ education: worker.educationLevel })
        .from(worker)
        .where(sql`${worker.idNumberHash} = ${services.crypto.blindIndex(foreignId)}`)
    )[0]!;
    expect(after.education).not.toBe('硕士');
  });

  it('takes a CSV with a BOM (as Excel saves "CSV UTF-8"), and a GBK one', async () => {
    const idD = fixtureId('640104', '1991-07-07', 51);
    const idE = fixtureId('640104', '1992-08-08', 52);
    const csv = `\ufeff姓名,身份证号,学历,社区,职务,参加社区工作时间\r\n王芳,${idD},大专,${communityName},网格员,2021/9/1\r\n`;
    const { batch, issues } = await importFile(csv, 'stop', '花名册.csv');
    expect(issues).toEqual([]);
    expect(batch.counts).toMatchObject({ created: 1 });
    const w = (await street.get(`/api/workers?q=${idD}`)).body.items[0];
    expect(w).toMatchObject({
      name: '王芳',
      educationLevel: '大专',
      serviceStartedOn: '2021-09-01',
    });
    const gbkFile = encodeGbk(
      `姓名,身份证号,学历,社区,职务,参加社区工作时间\r\n李娜,${idE},本科,${communityName},委员,2022-03-01\r\n`,
    );
    const second = await importFile(gbkFile, 'stop', '花名册.csv');
    expect(second.batch.counts).toMatchObject({ created: 1 });
    expect((await street.get(`/api/workers?q=${idE}`)).body.items[0]).toMatchObject({
      name: '李娜',
      postTitle: '委员',
    });
  });

  it('moves and exits through a file: posts closed and opened, an exit item, history per worker', async () => {
    const { db } = services.database;
    // A second community of the street, taken in by its own file.
    const communities = await buildXlsx([
      {
        name: '社区',
        textColumns: [1],
        rows: [
          ['社区代码', '社区名称', '统计日期', '常住户数'],
          ['640104001950', '新建社区', '2025-12-31', 2100],
        ],
      },
    ]);
    const made = await importThrough(street, csrf, 'communities', communities, { commit: 'stop' });
    expect(made.batch.counts).toMatchObject({ created: 1 });
    const second = (await db.select().from(org).where(eq(org.code, '640104001950')))[0]!;
    const file = await buildXlsx([
      {
        name: 'Sheet1',
        textColumns: [2, 4],
        rows: [
          ['姓名', '身份证号', '学历', '社区代码', '职务', '参加社区工作时间', '状态'],
          ['张三', idA, '硕士', second.code, '委员', '2019-03-01', '在岗'],
          ['李四', idB.toUpperCase(), '大专', COMMUNITY, '委员', '2019-03-01', '已退出'],
        ],
      },
    ]);
    const { batch } = await importFile(file, 'stop');
    expect(batch.counts).toMatchObject({ created: 0, updated: 2 });
    const a = (await street.get(`/api/workers?q=${idA}`)).body.items[0];
    const detailA = (await street.get(`/api/workers/${a.id}`)).body;
    expect(detailA.worker).toMatchObject({ communityCode: second.code, version: 4 }); // 2 after the first update, 3 after the 社工证 import above
    const posts = detailA.archive
      .filter((i: { kind: string }) => i.kind === 'post')
      .map((i: { data: { communityCode: string }; endOn: string | null }) => [
        i.data.communityCode,
        i.endOn === null,
      ]);
    expect(posts).toEqual([
      [COMMUNITY, false],
      [COMMUNITY, false],
      [second.code, true],
    ]);
    const b = (await street.get(`/api/workers?q=${idB.toUpperCase()}`)).body.items[0];
    const detailB = (await street.get(`/api/workers/${b.id}`)).body;
    expect(detailB.worker.status).toBe('已退出');
    expect(detailB.worker.exitedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(detailB.archive.filter((i: { kind: string }) => i.kind === 'exit')).toHaveLength(1);
    expect(
      detailB.archive.filter(
        (i: { kind: string; endOn: string | null }) => i.kind === 'post' && i.endOn === null,
      ),
    ).toEqual([]);
    const history = (await street.get(`/api/workers/${b.id}/history`)).body.items;
    expect(history.at(-1)).toMatchObject({
      action: 'update',
      before: { status: '在岗' },
      after: { status: '已退出' },
    });
  });

  it('a worker moved by a file to a community of another county takes the archive along (county_code)', async () => {
    const { db } = services.database;
    await seedUser(services, { username: 'province', role: 'system-admin', orgCode: '000000' });
    const province = createClient(services);
    const token = (await province.login('province')).body.csrfToken;
    const w = (
      await db
        .select()
        .from(worker)
        .where(sql`${worker.countyCode} = '640104' and ${worker.status} = '在岗'`)
        .limit(1)
    )[0]!;
    const before = await queryRows<{ county_code: string }>(
      db,
      sql`select county_code from archive_item where worker_id = ${w.id}`,
    );
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((r) => r.county_code === '640104')).toBe(true);
    const file = await buildXlsx([
      {
        name: 'Sheet1',
        textColumns: [2, 4],
        rows: [
          ['姓名', '身份证号', '学历', '社区代码', '职务', '参加社区工作时间'],
          [
            w.name,
            services.crypto.decrypt(w.idNumberCipher),
            w.educationLevel,
            '330302001001',
            w.postTitle ?? '网格员',
            w.serviceStartedOn,
          ],
        ],
      },
    ]);
    const { batch } = await importThrough(province, token, 'workers', file, {
      commit: 'stop',
      org: '000000',
    });
    expect(batch.counts).toMatchObject({ created: 0, updated: 1 });
    const after = await queryRows<{ county_code: string }>(
      db,
      sql`select county_code from archive_item where worker_id = ${w.id}`,
    );
    // The old items and the new post item, all in the worker's new county.
    expect(after.length).toBe(before.length + 1);
    expect(after.every((r) => r.county_code === '330302')).toBe(true);
  });

  it('a column missing from one sheet leaves that field as registered for the rows of that sheet only', async () => {
    const idX = fixtureId('640104', '1993-03-03', 61);
    const idY = fixtureId('640104', '1994-04-04', 62);
    const header = ['姓名', '身份证号', '学历', '社区代码', '职务', '参加社区工作时间'];
    const base = await buildXlsx([
      {
        name: 'Sheet1',
        textColumns: [2, 4],
        rows: [
          [...header, '政治面貌'],
          ['周一', idX, '本科', COMMUNITY, '网格员', '2020-01-01', '共青团员'],
          ['吴二', idY, '本科', COMMUNITY, '网格员', '2020-01-01', '中共党员'],
        ],
      },
    ]);
    expect((await importFile(base, 'stop')).batch.counts).toMatchObject({ created: 2 });
    const file = await buildXlsx([
      {
        name: '有政治面貌',
        textColumns: [2, 4],
        rows: [
          [...header, '政治面貌'],
          ['周一', idX, '本科', COMMUNITY, '网格员', '2020-01-01', '中共党员'],
        ],
      },
      {
        name: '无政治面貌',
        textColumns: [2, 4],
        rows: [header, ['吴二', idY, '硕士', COMMUNITY, '网格员', '2020-01-01']],
      },
    ]);
    const { batch } = await importFile(file, 'stop');
    expect(batch.counts).toMatchObject({ created: 0, updated: 2 });
    const x = (await street.get(`/api/workers?q=${idX}`)).body.items[0];
    const y = (await street.get(`/api/workers?q=${idY}`)).body.items[0];
    expect((await street.get(`/api/workers/${x.id}`)).body.worker).toMatchObject({
      politicalStatus: '中共党员',
      educationLevel: '本科',
    });
    // Not 群众 (the schema's default for a missing column): the registry's value stays.
    expect((await street.get(`/api/workers/${y.id}`)).body.worker).toMatchObject({
      politicalStatus: '中共党员',
      educationLevel: '硕士',
    });
    const history = (await street.get(`/api/workers/${y.id}/history`)).body.items;
    expect(history.at(-1)).toMatchObject({
      action: 'update',
      before: { educationLevel: '本科' },
      after: { educationLevel: '硕士' },
    });
    expect(Object.keys(history.at(-1).after)).toEqual(['educationLevel']);
  });

  it('a chunk whose write fails while later chunks are in flight: the commit fails, nothing of any chunk is written, the chain stays whole', async () => {
    const { db } = services.database;
    const before = [await countOf(worker), await countOf(auditLog), await countOf(archiveItem)];
    // Four chunks of 5,000 rows; the server refuses a row of the second while the third and
    // fourth are being read, looked up and encrypted.
    const rows: unknown[][] = [
      ['姓名', '身份证号', '学历', '社区代码', '职务', '参加社区工作时间'],
    ];
    for (let i = 0; i < 17_000; i++) {
      const birth = `1970-01-${String(10 + Math.floor(i / 1000)).padStart(2, '0')}`;
      rows.push([
        i === 7_000 ? '失败行' : `分块${i}`,
        fixtureId('640104', birth, i % 1000),
        '本科',
        COMMUNITY,
        '网格员',
        '2024-01-01',
      ]);
    }
    const file = await buildXlsx([{ name: '花名册', textColumns: [2], rows }]);
    await db.execute(
      sql.raw(`create function test_refuse_row() returns trigger language plpgsql as $$
      begin if new.name = '失败行' then raise exception 'test: row refused'; end if; return new; end $$`),
    );
    await db.execute(
      sql.raw(`create trigger test_refuse_row before insert on worker
        for each row execute function test_refuse_row()`),
    );
    try {
      await expect(importFile(file, 'stop')).rejects.toThrow(/commit job:.*failed/);
    } finally {
      await db.execute(sql.raw('drop trigger test_refuse_row on worker'));
      await db.execute(sql.raw('drop function test_refuse_row()'));
    }
    // Nothing written late either (a chunk in flight writing after the rollback).
    await new Promise((r) => setTimeout(r, 500));
    expect([await countOf(worker), await countOf(auditLog), await countOf(archiveItem)]).toEqual(
      before,
    );
    const batches = await queryRows<{ status: string }>(
      db,
      sql`select status from import_batch order by created_at desc limit 1`,
    );
    expect(batches[0]?.status).toBe('failed');
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  }, 180_000);

  it('keeps the statistics equal to the raw records and the audit chain whole', async () => {
    const { db } = services.database;
    const rollup = await queryRows<{ code: string; dim: string; value: string; n: number }>(
      db,
      sql`select org_code as code, dim, value, n::int as n from stat_rollup
          where dim in ('headcount', 'education', 'title', 'exited') and n <> 0`,
    );
    const raw = await queryRows<{ code: string; dim: string; value: string; n: number }>(
      db,
      sql`select o.code, d.dim, d.value, count(*)::int as n
          from worker w join org o on w.org_path like o.path || '%' and o.level <> 'grid'
          cross join lateral (values
            ('headcount', case when w.status <> '已退出' then '' end),
            ('education', case when w.status <> '已退出' then w.education_level end),
            ('title', case when w.status <> '已退出' then coalesce(w.post_title, '未填写') end),
            ('exited', case when w.status = '已退出'
               then extract(year from coalesce(w.exited_on, w.hired_on, w.service_started_on))::text end)
          ) as d(dim, value)
          where d.value is not null
          group by 1, 2, 3`,
    );
    const key = (r: { code: string; dim: string; value: string }) =>
      `${r.code}|${r.dim}|${r.value}`;
    expect(Object.fromEntries(rollup.map((r) => [key(r), r.n]))).toEqual(
      Object.fromEntries(raw.map((r) => [key(r), r.n])),
    );
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });
});

const toFullWidth = (s: string) =>
  s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));

/** GBK bytes of Chinese text, as Excel saves "CSV" on Chinese Windows (GB18030 ⊃ GBK). */
const encodeGbk = (text: string): Buffer => {
  const decoder = new TextDecoder('gb18030');
  const table = new Map<string, number[]>();
  // Build the reverse table of the characters needed from the two-byte range.
  const wanted = new Set(text);
  for (let hi = 0x81; hi <= 0xfe && table.size < wanted.size; hi++) {
    for (let lo = 0x40; lo <= 0xfe; lo++) {
      if (lo === 0x7f) continue;
      const ch = decoder.decode(new Uint8Array([hi, lo]));
      if (wanted.has(ch) && !table.has(ch)) table.set(ch, [hi, lo]);
    }
  }
  const bytes: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) bytes.push(code);
    else bytes.push(...table.get(ch)!);
  }
  return Buffer.from(bytes);
};
