import { eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../../context.ts';
import { auditLog, worker } from '../../db/schema/index.ts';
import { createClient, seedDemo, seedUser, type TTestClient } from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';
import { exportThrough, importThrough, readXlsx } from './excel-fixtures.ts';

// The roster (花名册) goes out with the columns a user picks, personal data masked for a role
// that may not see it, and comes back in unchanged: export → import changes nothing.

const STREET = '640104001000';
const STREET_PATH = `/000000/640000/640100/640104/${STREET}/`;
const COMMUNITY = '640104001001';

describe(`roster export and round trip (${testDbKind()})`, () => {
  let services: TServices;
  let street: TTestClient;
  let secretary: TTestClient;
  let csrf = '';
  /** The street's workers as the registry holds them, by id. */
  let registry: Map<string, { name: string; idNumber: string; phone: string | null }>;

  const snapshot = async () =>
    (
      await services.database.db
        .select()
        .from(worker)
        .where(like(worker.orgPath, `${STREET_PATH}%`))
        .orderBy(worker.id)
    ).map(({ createdAt: _c, ...w }) => w);
  const audits = async () =>
    (
      await services.database.db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(auditLog)
    )[0]!.n;

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 80);
    await seedUser(services, { username: 'street', role: 'street-admin', orgCode: STREET });
    await seedUser(services, { username: 'sec', role: 'community-secretary', orgCode: COMMUNITY });
    street = createClient(services);
    csrf = (await street.login('street')).body.csrfToken;
    secretary = createClient(services);
    await secretary.login('sec');
    registry = new Map(
      (await snapshot()).map((w) => [
        w.id,
        {
          name: w.name,
          idNumber: services.crypto.decrypt(w.idNumberCipher),
          phone: w.phoneCipher ? services.crypto.decrypt(w.phoneCipher) : null,
        },
      ]),
    );
  });
  afterAll(() => services.database.close());

  it('shows 身份证号 and phone in clear to a street admin (worker:read-sensitive)', async () => {
    const file = await exportThrough(street, 'roster', {
      columns: ['name', 'idNumber', 'phone', 'communityCode'],
      org: COMMUNITY,
    });
    const [sheet] = await readXlsx(file);
    expect(sheet!.rows[0]).toEqual(['姓名', '身份证号', '手机号', '社区代码']);
    // Frozen header row.
    expect(sheet!.ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const expected = [...registry.values()].filter((w) => w.idNumber);
    const rows = sheet!.rows.slice(1);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      const w = expected.find((e) => e.idNumber === r[1]);
      expect(w, `row ${r.join(',')}`).toBeDefined();
      expect(r[0]).toBe(w!.name);
      expect(r[2] ?? null).toBe(w!.phone);
      expect(r[3]).toBe(COMMUNITY);
    }
  });

  it('masks 身份证号 and phone for a community secretary (no worker:read-sensitive)', async () => {
    const file = await exportThrough(secretary, 'roster', {
      columns: ['name', 'idNumber', 'phone'],
    });
    const [sheet] = await readXlsx(file);
    const rows = sheet!.rows.slice(1);
    expect(rows.length).toBeGreaterThan(0);
    for (const [name, idNumber, phone] of rows) {
      const w = [...registry.values()].find((e) => e.name === name)!;
      // 6401**********1234: the region and the last four digits stay.
      expect(idNumber).toBe(`${w.idNumber.slice(0, 4)}**********${w.idNumber.slice(14)}`);
      if (w.phone) expect(phone).toBe(`${w.phone.slice(0, 3)}****${w.phone.slice(7)}`);
      expect(JSON.stringify(rows)).not.toContain(w.idNumber);
    }
  });

  it('writes CSV with a UTF-8 BOM, dates as YYYY-MM-DD and yes/no as 是/否', async () => {
    const file = await exportThrough(street, 'roster', {
      columns: ['name', 'idNumber', 'serviceStartedOn', 'veteran'],
      org: COMMUNITY,
      format: 'csv',
    });
    expect([...file.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = file.subarray(3).toString('utf8').trimEnd().split('\r\n');
    // Columns in the roster's order, whatever order they were asked in.
    expect(lines[0]).toBe('姓名,身份证号,退役军人,参加社区工作时间');
    const [name, idNumber, veteran, started] = lines[1]!.split(',');
    const w = [...registry.values()].find((e) => e.idNumber === idNumber)!;
    expect(name).toBe(w.name);
    expect(started).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(['是', '否']).toContain(veteran);
  });

  it('round trip: the exported roster imported again changes nothing (xlsx)', async () => {
    const before = await snapshot();
    const auditCount = await audits();
    const file = await exportThrough(street, 'roster', {});
    const { batch, issues } = await importThrough(street, csrf, 'workers', file, {
      commit: 'stop',
      fileName: '花名册-导出.xlsx',
    });
    expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(batch).toMatchObject({
      status: 'committed',
      counts: { rows: before.length, created: 0, updated: 0, unchanged: before.length },
    });
    expect(await snapshot()).toEqual(before);
    expect(await audits()).toBe(auditCount);
  });

  it('round trip through CSV with BOM: nothing changes either', async () => {
    const before = await snapshot();
    const file = await exportThrough(street, 'roster', { format: 'csv' });
    const { batch } = await importThrough(street, csrf, 'workers', file, {
      commit: 'stop',
      fileName: '花名册.csv',
    });
    expect(batch.counts).toMatchObject({ created: 0, updated: 0, unchanged: before.length });
    expect(await snapshot()).toEqual(before);
  });

  it('an edited export updates just the edited worker', async () => {
    const before = await snapshot();
    const target = before.find((w) => w.status === '在岗' && w.educationLevel !== '硕士')!;
    const file = await exportThrough(street, 'roster', { format: 'csv' });
    const idNumber = registry.get(target.id)!.idNumber;
    const edited = file
      .toString('utf8')
      .split('\r\n')
      .map((line) =>
        line.includes(idNumber) ? line.replace(`,${target.educationLevel},`, ',硕士,') : line,
      )
      .join('\r\n');
    const { batch } = await importThrough(street, csrf, 'workers', edited, {
      commit: 'stop',
      fileName: '花名册.csv',
    });
    expect(batch.counts).toMatchObject({ created: 0, updated: 1, unchanged: before.length - 1 });
    const after = (
      await services.database.db.select().from(worker).where(eq(worker.id, target.id))
    )[0]!;
    expect(after).toMatchObject({ educationLevel: '硕士', version: target.version + 1 });
  });
});
