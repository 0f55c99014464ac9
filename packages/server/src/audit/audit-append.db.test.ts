import { and, asc, eq, type SQL, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TScope, TServices } from '../context.ts';
import { queryRows } from '../db/client.ts';
import { archiveItem, auditLog, worker } from '../db/schema/index.ts';
import { addArchiveItemInScope } from '../modules/worker/worker.repo.ts';
import { newId } from '../security/ids.ts';
import { createClient, seedDemo, seedUser, type TTestClient } from '../testing/test-app.ts';
import { createTestServices, testDbKind } from '../testing/test-db.ts';
import {
  auditAppendSql,
  auditHash,
  hashSuiteOf,
  setAuditHashSuite,
  verifyAuditChain,
  writeAudit,
} from './audit.ts';

/** Every row's hash recomputed by `auditHash` (Node) from what is stored. */
const recomputed = async (services: TServices) => {
  const rows = await services.database.db.select().from(auditLog).orderBy(asc(auditLog.seq));
  return rows.map((row) => ({
    seq: row.seq,
    ok:
      row.hash ===
      auditHash(
        row.prevHash,
        { ...row, at: new Date(row.at).toISOString() },
        hashSuiteOf(row.hash),
      ),
  }));
};

// Content a hand-made canonical JSON could get wrong: quotes, backslashes, line breaks, control
// characters, CJK and an astral character, nested keys out of order, numbers, null, undefined.
const tricky = {
  actorId: null,
  actorName: '管理员 "admin"\\',
  action: 'update',
  entity: 'worker',
  entityId: 'w-1',
  orgPath: '/640000/640100/"q"\\\n/',
  before: { z: 1, a: [1.5, null, '\t\u0001'], m: { y: '王😀', b: true } },
  after: { name: '张三丰', note: 'line\nbreak', undef: undefined, n: -0.25 },
  reason: '因为“调整”\r\n',
};

describe(`audit append in one statement (${testDbKind()})`, () => {
  let services: TServices;
  let admin: TTestClient;
  let workerId: string;
  let workerPath: string;

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 20);
    const [w] = await services.database.db
      .select({ id: worker.id, orgPath: worker.orgPath })
      .from(worker)
      .limit(1);
    workerId = w!.id;
    workerPath = w!.orgPath;
    // A street administrator of the worker's street (the path's last node is its community).
    const street = workerPath.split('/').filter(Boolean).at(-2)!;
    await seedUser(services, { username: 'street', role: 'street-admin', orgCode: street });
    admin = createClient(services);
    await admin.login('street');
  });
  afterAll(() => services.database.close());
  afterEach(() => setAuditHashSuite('intl'));

  it('hashes in the database exactly as auditHash does (intl), at the database time after the lock', async () => {
    const { db } = services.database;
    const before = Date.now();
    await db.transaction((tx) => writeAudit(tx, tricky));
    await db.transaction((tx) => writeAudit(tx, { ...tricky, orgPath: null, before: undefined }));
    const rows = await db.select().from(auditLog).orderBy(asc(auditLog.seq));
    const last = rows.at(-1)!;
    expect(last.orgPath).toBeNull();
    expect(rows.at(-2)!.orgPath).toBe(tricky.orgPath);
    expect(rows.at(-2)!.after).toEqual({ name: '张三丰', note: 'line\nbreak', n: -0.25 });
    expect(rows.at(-2)!.reason).toBe(tricky.reason);
    expect(last.prevHash).toBe(rows.at(-2)!.hash);
    const at = new Date(last.at).getTime();
    expect(at).toBeGreaterThanOrEqual(before - 1000);
    expect(at).toBeLessThanOrEqual(Date.now() + 1000);
    expect((await recomputed(services)).filter((r) => !r.ok)).toEqual([]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it('under gm (SM3, not in the database) writes through the head and Node hashes, one chain', async () => {
    const { db } = services.database;
    setAuditHashSuite('gm');
    expect(auditAppendSql(tricky)).toBeUndefined();
    await db.transaction((tx) => writeAudit(tx, tricky));
    await db.transaction((tx) => writeAudit(tx, [tricky, { ...tricky, entityId: 'w-2' }]));
    setAuditHashSuite('intl');
    await db.transaction((tx) => writeAudit(tx, tricky));
    const rows = await db.select().from(auditLog).orderBy(asc(auditLog.seq));
    expect(rows.slice(-4).map((r) => hashSuiteOf(r.hash))).toEqual(['gm', 'gm', 'gm', 'intl']);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it('serialises concurrent writers: no fork, seq and time in the same order', async () => {
    const { db } = services.database;
    const start = (await verifyAuditChain(db)).count;
    // Separate transactions at once (on PostgreSQL on several pooled connections): each must
    // chain onto the row the previous lock holder committed while it waited for the lock.
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        db.transaction(async (tx) => {
          await writeAudit(tx, { ...tricky, entityId: `c${i}` });
          // Hold the lock a little, as a write's other statements would.
          await tx.execute(sqlSleep);
        }),
      ),
    );
    const result = await verifyAuditChain(db);
    expect(result).toMatchObject({ ok: true, count: start + 40 });
    const rows = await db.select().from(auditLog).orderBy(asc(auditLog.seq));
    const hashes = new Set(rows.map((r) => r.prevHash));
    expect(hashes.size).toBe(rows.length);
    for (let i = 1; i < rows.length; i++)
      expect(new Date(rows[i]!.at).getTime()).toBeGreaterThanOrEqual(
        new Date(rows[i - 1]!.at).getTime(),
      );
  });

  it('adds an archive item and its audit row in one statement, only to a worker in scope', async () => {
    const { db } = services.database;
    const rowsBefore = (await db.select().from(auditLog)).length;
    const item = (id = newId()) => ({
      id,
      workerId,
      kind: 'note',
      startOn: '2026-11-01',
      endOn: null,
      data: { text: '走访 "记录"\\' },
      createdBy: null,
    });
    const audit = (id: string) => (w: SQL) =>
      auditAppendSql(
        {
          actorId: null,
          actorName: 't',
          action: 'archive-add',
          entity: 'worker',
          entityId: workerId,
          after: { itemId: id },
        },
        w,
      )!;
    const outside: TScope = { kind: 'org', path: '/999999/', orgCode: '999999' };
    const otherSelf: TScope = { kind: 'self', workerId: newId(), path: '/', orgCode: '000000' };
    const inside: TScope = {
      kind: 'org',
      path: `${workerPath.split('/').slice(0, 3).join('/')}/`,
      orgCode: '',
    };
    for (const scope of [outside, otherSelf]) {
      const id = newId();
      expect(await addArchiveItemInScope(db, scope, item(id), audit(id))).toBe(false);
      expect(await db.select().from(archiveItem).where(eq(archiveItem.id, id))).toEqual([]);
    }
    expect((await db.select().from(auditLog)).length).toBe(rowsBefore);
    const id = newId();
    expect(await addArchiveItemInScope(db, inside, item(id), audit(id))).toBe(true);
    const [added] = await db.select().from(archiveItem).where(eq(archiveItem.id, id));
    const [w] = await db.select().from(worker).where(eq(worker.id, workerId));
    expect(added).toMatchObject({
      workerId,
      countyCode: w!.countyCode,
      kind: 'note',
      data: { text: '走访 "记录"\\' },
    });
    const [row] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, workerId), eq(auditLog.action, 'archive-add')));
    // The audit row carries the worker's org path, read in the same statement.
    expect(row).toMatchObject({ orgPath: workerPath, after: { itemId: id } });
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it('the archive route writes the item and its audit row under either suite, refuses out of scope', async () => {
    const { db } = services.database;
    for (const suite of ['intl', 'gm'] as const) {
      setAuditHashSuite(suite);
      const res = await admin.post(`/api/workers/${workerId}/archive`, {
        kind: 'note',
        startOn: '2026-11-01',
        data: { text: `走访记录 ${suite}` },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const [item] = await db.select().from(archiveItem).where(eq(archiveItem.id, res.body.id));
      expect(item).toMatchObject({ workerId, data: { text: `走访记录 ${suite}` } });
      const [last] = await queryRows<{ hash: string; org_path: string; after: { itemId: string } }>(
        db,
        sqlLast,
      );
      expect(last).toMatchObject({ org_path: workerPath, after: { itemId: res.body.id } });
      expect(hashSuiteOf(last!.hash)).toBe(suite);
      const missing = await admin.post(`/api/workers/${newId()}/archive`, {
        kind: 'note',
        startOn: '2026-11-01',
        data: { text: 'x' },
      });
      expect(missing.status).toBe(404);
    }
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });
});

const sqlSleep = sql`select pg_sleep(0.002)`;
const sqlLast = sql`select hash, org_path, after from audit_log order by seq desc limit 1`;
