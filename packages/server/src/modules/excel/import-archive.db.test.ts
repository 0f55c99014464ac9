import { and, eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../../context.ts';
import { archiveItem, auditLog, worker } from '../../db/schema/index.ts';
import { createClient, seedDemo, seedUser, type TTestClient } from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';
import { buildXlsx, importThrough } from './excel-fixtures.ts';

// Annual assessment results and training records, found by 身份证号 (the name must match the
// registry), for the workers of 凤凰北街街道 only.

const STREET = '640104001000';
const STREET_PATH = `/000000/640000/640100/640104/${STREET}/`;

type TPerson = { id: string; name: string; idNumber: string };

describe(`assessment and training import (${testDbKind()})`, () => {
  let services: TServices;
  let street: TTestClient;
  let csrf = '';
  let a: TPerson;
  let b: TPerson;
  let outsider: TPerson;

  const people = async (inside: boolean, n: number): Promise<TPerson[]> =>
    (
      await services.database.db
        .select({ id: worker.id, name: worker.name, cipher: worker.idNumberCipher })
        .from(worker)
        .where(
          inside
            ? like(worker.orgPath, `${STREET_PATH}%`)
            : sql`${worker.orgPath} not like ${`${STREET_PATH}%`}`,
        )
        .orderBy(worker.id)
        .limit(n)
    ).map((w) => ({ id: w.id, name: w.name, idNumber: services.crypto.decrypt(w.cipher) }));

  const itemsOf = (workerId: string, kind: 'assessment' | 'training') =>
    services.database.db
      .select({ startOn: archiveItem.startOn, endOn: archiveItem.endOn, data: archiveItem.data })
      .from(archiveItem)
      .where(and(eq(archiveItem.workerId, workerId), eq(archiveItem.kind, kind)))
      .orderBy(archiveItem.startOn);
  const count = async (table: typeof archiveItem | typeof auditLog) =>
    (
      await services.database.db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(table)
    )[0]!.n;

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 60);
    await seedUser(services, { username: 'street', role: 'street-admin', orgCode: STREET });
    street = createClient(services);
    csrf = (await street.login('street')).body.csrfToken;
    [a, b] = (await people(true, 2)) as [TPerson, TPerson];
    [outsider] = (await people(false, 1)) as [TPerson];
  });
  afterAll(() => services.database.close());

  const assessments = (gradeOfA = '优秀') =>
    buildXlsx([
      {
        name: '2024年度考核',
        textColumns: [1],
        rows: [
          ['身份证号', '姓名', '考核年度', '考核结果', '备注'],
          // Years before the demo's own results (2023–2025).
          [a.idNumber, a.name, 2021, gradeOfA, null],
          [b.idNumber, b.name, '2021年', '合格', '病假两月'],
          // A number cut short; a name the registry does not know for this number.
          [a.idNumber.replace(/.$/, ''), '某人', 2021, '优秀', null],
          [b.idNumber, '李鬼', 2020, '合格', null],
          // A worker of another street.
          [outsider.idNumber, outsider.name, 2021, '优秀', null],
          // Not a grade of the vocabulary.
          [a.idNumber, a.name, 2020, '良好', null],
        ],
      },
    ]);

  it('assessments: stop writes nothing; each bad row is placed and said in Chinese', async () => {
    const items = await count(archiveItem);
    const { batch, issues } = await importThrough(
      street,
      csrf,
      'assessments',
      await assessments(),
      {
        commit: 'stop',
      },
    );
    expect(batch.status).toBe('rejected');
    expect(await count(archiveItem)).toBe(items);
    expect(issues.map((i) => [i.row, i.column, i.message])).toEqual([
      [4, '身份证号', '身份证号：身份证号应为18位，前17位为数字，最后一位为数字或X'],
      [5, '姓名', `姓名与登记信息不一致（登记为“${b.name}”）`],
      [6, '身份证号', '未找到该身份证号的社区工作者（或不在您的管辖范围内）'],
      [7, '考核结果', '考核结果：考核等次应为：优秀、合格、基本合格、不合格'],
    ]);
  });

  it('assessments: skip records the valid ones in the archive, audited per worker', async () => {
    const audits = await count(auditLog);
    const { batch } = await importThrough(street, csrf, 'assessments', await assessments(), {
      commit: 'skip',
    });
    expect(batch.counts).toMatchObject({ rows: 6, created: 2, invalid: 4, skipped: 4 });
    expect((await itemsOf(a.id, 'assessment'))[0]).toEqual({
      startOn: '2021-12-31',
      endOn: null,
      data: { year: 2021, grade: '优秀' },
    });
    expect((await itemsOf(b.id, 'assessment'))[0]).toEqual({
      startOn: '2021-12-31',
      endOn: null,
      data: { year: 2021, grade: '合格', note: '病假两月' },
    });
    // Two archive-add rows and one for the batch.
    expect(await count(auditLog)).toBe(audits + 3);
    const history = (await street.get(`/api/workers/${a.id}/history`)).body.items;
    expect(history.at(-1)).toMatchObject({
      action: 'archive-add',
      after: { kind: 'assessment', data: { year: 2021, grade: '优秀' } },
    });
  });

  it('assessments: the same file again changes nothing; a changed grade corrects the item', async () => {
    const audits = await count(auditLog);
    const again = await importThrough(street, csrf, 'assessments', await assessments(), {
      commit: 'skip',
    });
    expect(again.batch.counts).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    expect(await count(auditLog)).toBe(audits);
    const changed = await importThrough(street, csrf, 'assessments', await assessments('合格'), {
      commit: 'skip',
    });
    expect(changed.batch.counts).toMatchObject({ created: 0, updated: 1, unchanged: 1 });
    expect((await itemsOf(a.id, 'assessment'))[0]).toEqual({
      startOn: '2021-12-31',
      endOn: null,
      data: { year: 2021, grade: '合格' },
    });
  });

  const trainings = () =>
    buildXlsx([
      {
        name: '培训',
        textColumns: [1],
        dateColumns: [4, 5],
        rows: [
          // 培训机构 is a known column the import does not read.
          ['身份证号', '姓名', '培训名称', '开始日期', '结束日期', '学时', '是否合格', '培训机构'],
          [
            a.idNumber,
            a.name,
            '社区治理能力提升培训',
            new Date(Date.UTC(2025, 4, 12)),
            new Date(Date.UTC(2025, 4, 14)),
            24,
            '是',
            '市委党校',
          ],
          [b.idNumber, b.name, '社区治理能力提升培训', '2025/5/12', '2025/5/14', 24, '否', null],
          [a.idNumber, a.name, '网格员业务培训', '2025-06-01', null, '八', '是', null],
          [b.idNumber, b.name, null, '2025-06-01', null, 8, '是', null],
        ],
      },
    ]);

  it('trainings: stop writes nothing; skip records the valid courses', async () => {
    const items = await count(archiveItem);
    const stopped = await importThrough(street, csrf, 'trainings', await trainings(), {
      commit: 'stop',
    });
    expect(stopped.batch.status).toBe('rejected');
    expect(await count(archiveItem)).toBe(items);
    expect(stopped.issues.map((i) => [i.row, i.column, i.message])).toEqual([
      [4, '学时', '学时：“八”不是数字'],
      [5, '培训名称', '培训名称：必填'],
    ]);
    const { batch } = await importThrough(street, csrf, 'trainings', await trainings(), {
      commit: 'skip',
    });
    expect(batch.counts).toMatchObject({ created: 2, invalid: 2, skipped: 2 });
    expect(await itemsOf(b.id, 'training')).toEqual([
      {
        startOn: '2025-05-12',
        endOn: '2025-05-14',
        data: { course: '社区治理能力提升培训', hours: 24, passed: false },
      },
    ]);
  });
});
