import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAuditHashSuite, verifyAuditChain, writeAudit } from '../../audit/audit.ts';
import { systemActor, type TServices } from '../../context.ts';
import { appUser, auditCheckpoint, auditLog } from '../../db/schema/index.ts';
import { allRoutes } from '../../routes.ts';
import { gmAvailable } from '../../security/crypto-suite.ts';
import { createFieldCrypto } from '../../security/field-crypto.ts';
import { createClient, seedDemo, seedUser, type TTestClient } from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';
import { createUser } from '../auth/create-user.ts';
import { archiveAudit, sealAudit, verifyArchiveFile } from './checkpoint.ts';

// Self-service writes every logged-in user may make on their own session or password.
const SELF_SERVICE = new Set([
  'POST /api/auth/login',
  'POST /api/auth/logout',
  'POST /api/auth/password',
]);

/** A request path for a route, its parameters filled with plausible values. */
const pathOf = (routePath: string) =>
  routePath
    .replace(/:id\b/g, '0190a0b0-0000-7000-8000-000000000001')
    .replace(/:code\b/g, '640104001001')
    .replace(/:(\w+)/g, 'x');

const snapshot = async (services: TServices) =>
  (await services.database.db.select().from(auditLog).orderBy(asc(auditLog.seq))).map((r) => ({
    seq: r.seq,
    hash: r.hash,
    action: r.action,
  }));

describe(`audit log: separation of duties and protection (${testDbKind()})`, () => {
  let services: TServices;
  const clients: Record<string, TTestClient> = {};

  beforeAll(async () => {
    services = await createTestServices();
    await seedDemo(services, 30);
    const users = [
      ['auditor', 'audit-admin', '000000'],
      ['security', 'security-admin', '000000'],
      ['sysadmin', 'system-admin', '000000'],
      ['street', 'street-admin', '640104001000'],
      ['victim', 'street-admin', '640104001000'],
    ] as const;
    for (const [username, role, orgCode] of users) {
      await seedUser(services, { username, role, orgCode });
      clients[username] = createClient(services);
      expect((await clients[username]!.login(username)).status).toBe(200);
    }
  });
  afterAll(() => services.database.close());

  it('refuses the audit administrator every write route (403), and changes nothing', async () => {
    const before = await snapshot(services);
    const writes = allRoutes.filter(
      (r) => r.method !== 'get' && !SELF_SERVICE.has(`${r.method.toUpperCase()} ${r.path}`),
    );
    expect(writes.length).toBeGreaterThan(5);
    for (const route of writes) {
      const res = await clients.auditor!.request(
        route.method.toUpperCase(),
        pathOf(route.path),
        {},
      );
      expect(res.status, `${route.method} ${route.path}`).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    expect(await snapshot(services)).toEqual(before);
  });

  it('lets the audit administrator read and verify the log, and nothing of people data', async () => {
    const auditor = clients.auditor!;
    const list = await auditor.get('/api/audit?entity=user&limit=200');
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: { action: string }) => i.action)).toContain('login');
    const verify = await auditor.get('/api/audit/verify');
    expect(verify.status).toBe(200);
    expect(verify.body.ok).toBe(true);
    expect((await auditor.get('/api/workers')).status).toBe(403);
    expect((await auditor.get('/api/users')).status).toBe(403);
  });

  it('lets the security administrator manage accounts but read no people data or audit log', async () => {
    const security = clients.security!;
    for (const p of ['/api/workers', '/api/audit', '/api/audit/verify'])
      expect((await security.get(p)).status, p).toBe(403);
    const { db } = services.database;
    const victim = (await db.select().from(appUser).where(eq(appUser.username, 'victim')))[0]!;
    await db
      .update(appUser)
      .set({ lockedUntil: new Date(Date.now() + 3_600_000).toISOString(), failedLogins: 5 })
      .where(eq(appUser.id, victim.id));
    expect((await createClient(services).login('victim')).status).toBe(423);
    expect((await security.post(`/api/users/${victim.id}/unlock`)).status).toBe(200);
    expect((await createClient(services).login('victim')).status).toBe(200);
    const list = await security.get('/api/users?org=640104001000');
    expect(list.body.items.map((u: { username: string }) => u.username)).toContain('victim');
    expect(JSON.stringify(list.body)).not.toContain('passwordHash');
    // Nobody administers their own account (no self-unlock, no self-promotion).
    const me = (await db.select().from(appUser).where(eq(appUser.username, 'security')))[0]!;
    const self = await security.request('PATCH', `/api/users/${me.id}`, { role: 'system-admin' });
    expect(self.status).toBe(403);
    // Disabling an account ends its sessions at once.
    const victimClient = createClient(services);
    await victimClient.login('victim');
    expect((await security.patch(`/api/users/${victim.id}`, { disabled: true })).status).toBe(200);
    expect((await victimClient.get('/api/auth/me')).status).toBe(401);
    // A role at a level it cannot sit is refused naming the role in Chinese, not its code.
    const wrong = await security.patch(`/api/users/${victim.id}`, { role: 'community-secretary' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.message).toBe('社区书记不能设在“凤凰北街街道”这一级机构');
  });

  it('lets no one grant or change a 三员 account through the API (403 naming the role); the host command still makes one', async () => {
    const { db } = services.database;
    const byName = async (username: string) =>
      (await db.select().from(appUser).where(eq(appUser.username, username)))[0]!;
    let n = 0;
    for (const who of ['security', 'sysadmin'] as const) {
      for (const [role, label] of [
        ['system-admin', '系统管理员'],
        ['security-admin', '安全管理员'],
        ['audit-admin', '审计管理员'],
      ] as const) {
        const res = await clients[who]!.post('/api/users', {
          username: `admin-${n++}`,
          displayName: '新管理员',
          role,
          orgCode: '000000',
        });
        expect(res.status, `${who} ${role}`).toBe(403);
        expect(res.body.error.message).toContain(`不能在此授予“${label}”角色`);
      }
    }
    const victim = await byName('victim');
    const promote = await clients.security!.patch(`/api/users/${victim.id}`, {
      role: 'system-admin',
      orgCode: '000000',
    });
    expect(promote.status).toBe(403);
    expect(promote.body.error.message).toContain('“系统管理员”');
    expect((await byName('victim')).role).toBe('street-admin');
    // An account holding one of the roles is not changed here: no reset, no disabling, no new role.
    const sysadmin = await byName('sysadmin');
    const auditor = await byName('auditor');
    const attempts = [
      clients.security!.post(`/api/users/${sysadmin.id}/reset-password`),
      clients.security!.patch(`/api/users/${sysadmin.id}`, { disabled: true }),
      clients.security!.patch(`/api/users/${auditor.id}`, { role: 'civil-affairs-admin' }),
      clients.sysadmin!.post(`/api/users/${auditor.id}/unlock`),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(/^“(系统|审计)管理员”账号不能在此修改/);
    }
    expect(await byName('sysadmin')).toEqual(sysadmin);
    expect(await byName('auditor')).toEqual(auditor);
    // Other roles are still the security administrator's to grant.
    const street = await clients.security!.post('/api/users', {
      username: 'street-new',
      displayName: '街道管理员乙',
      role: 'street-admin',
      orgCode: '640104001000',
    });
    expect(street.status).toBe(201);
    // The host's path (shegong user add, the first start) calls the use case directly.
    const made = await createUser(
      { db, actor: systemActor(), services, log: services.log },
      {
        username: 'secadmin2',
        displayName: '安全管理员',
        role: 'security-admin',
        orgCode: '000000',
      },
    );
    expect((await byName(made.username)).role).toBe('security-admin');
  });

  it('gives the system administrator no way to alter the log: every write route leaves it intact', async () => {
    expect(allRoutes.filter((r) => r.path.startsWith('/api/audit') && r.method !== 'get')).toEqual(
      [],
    );
    const before = await snapshot(services);
    const sys = clients.sysadmin!;
    for (const route of allRoutes.filter((r) => r.method !== 'get')) {
      if (SELF_SERVICE.has(`${route.method.toUpperCase()} ${route.path}`)) continue;
      for (const body of [{}, { id: before[0]!.seq, hash: 'x', seq: 1, action: 'delete' }]) {
        const res = await sys.request(route.method.toUpperCase(), pathOf(route.path), body);
        expect(res.status, `${route.method} ${route.path}`).toBeLessThan(500);
      }
    }
    for (const method of ['DELETE', 'PATCH', 'PUT', 'POST']) {
      const res = await sys.request(method, `/api/audit/${before[0]!.seq}`, {});
      expect(res.status).toBe(404);
    }
    // Rows may have been appended, never changed or removed.
    const after = await snapshot(services);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(await verifyAuditChain(services.database.db, { crypto: services.crypto })).toMatchObject(
      {
        ok: true,
      },
    );
  });

  it('limits a street administrator to the audit rows of their street', async () => {
    const street = clients.street!;
    const rows = await street.get('/api/audit?limit=200');
    expect(rows.status).toBe(200);
    expect(rows.body.items.length).toBeGreaterThan(0);
    for (const item of rows.body.items)
      expect(item.orgPath.startsWith('/000000/640000/640100/640104/640104001000/')).toBe(true);
    expect((await street.get('/api/audit?org=330302')).status).toBe(404);
    const bad = await street.get("/api/audit?entity=worker'--");
    expect(bad.status).toBe(422);
    expect(bad.body.error.where).toEqual({ field: 'entity' });
  });

  it('pages through the log newest first with a keyset cursor', async () => {
    const auditor = clients.auditor!;
    const first = await auditor.get('/api/audit?limit=3');
    const second = await auditor.get(`/api/audit?limit=3&before=${first.body.nextBefore}`);
    const seqs = [...first.body.items, ...second.body.items].map((i: { seq: number }) => i.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(new Set(seqs).size).toBe(6);
  });
});

describe(`audit checkpoints and archive (${testDbKind()})`, () => {
  let services: TServices;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-archive-'));
  const write = async (n: number, entity = 'worker') => {
    for (let i = 0; i < n; i++)
      await services.database.db.transaction((tx) =>
        writeAudit(tx, {
          actorId: null,
          actorName: 'tester',
          action: 'update',
          entity,
          entityId: String(i),
          after: { i },
        }),
      );
  };

  beforeAll(async () => {
    services = await createTestServices();
  });
  afterAll(async () => {
    await services.database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('catches a chain rewritten and re-hashed end to end, at the sealed checkpoint', async () => {
    await write(4);
    const seal = await sealAudit(services.database.db, services.crypto, 'tester');
    expect(seal.throughSeq).toBeGreaterThan(0);
    await write(2);
    const { db } = services.database;
    expect(await verifyAuditChain(db, { crypto: services.crypto })).toMatchObject({
      ok: true,
      count: 6,
    });
    // An attacker edits row 2 and recomputes every later hash: the bare chain verifies again…
    const rows = await db.select().from(auditLog).orderBy(asc(auditLog.seq));
    const { auditHash } = await import('../../audit/audit.ts');
    let prev = rows[0]!.hash;
    for (const row of rows.slice(1)) {
      const after = row.seq === rows[1]!.seq ? { i: 999 } : row.after;
      const hash = auditHash(prev, { ...row, after, at: new Date(row.at).toISOString() });
      await db
        .update(auditLog)
        .set({ after: sql`${JSON.stringify(after)}::jsonb`, prevHash: prev, hash })
        .where(eq(auditLog.seq, row.seq));
      prev = hash;
    }
    // …but it no longer passes through the signed seal.
    const result = await verifyAuditChain(db, { crypto: services.crypto });
    expect(result).toMatchObject({ ok: false, brokenAtSeq: seal.throughSeq });
    // Forging the checkpoint too needs the key.
    await db
      .update(auditCheckpoint)
      .set({
        throughHash: rows.length
          ? (await db.select().from(auditLog).where(eq(auditLog.seq, seal.throughSeq)))[0]!.hash
          : '',
      })
      .where(eq(auditCheckpoint.id, seal.id));
    const forged = await verifyAuditChain(db, { crypto: services.crypto });
    expect(forged.ok).toBe(false);
    expect(forged.ok === false && forged.message).toContain('签名无效');
  });

  it('archives only rows older than the retention window, verifiably, and the chain verifies after they are removed', async () => {
    const fresh = await createTestServices();
    try {
      const { db } = fresh.database;
      for (let i = 0; i < 7; i++)
        await db.transaction((tx) =>
          writeAudit(tx, {
            actorId: null,
            actorName: 't',
            action: 'a',
            entity: 'e',
            entityId: String(i),
          }),
        );
      const out = path.join(dir, 'audit-1.jsonl.gz');
      // Now: every row is inside the 180-day window — nothing may be archived.
      await expect(
        archiveAudit(db, fresh.crypto, { out, retentionDays: 180, createdBy: 't' }),
      ).rejects.toThrow(/没有.*尚未归档/);
      await expect(
        archiveAudit(db, fresh.crypto, {
          out,
          retentionDays: 180,
          through: new Date(),
          createdBy: 't',
        }),
      ).rejects.toThrow(/至少 180 天/);
      // 200 days from now, the rows have left the window.
      const later = new Date(Date.now() + 200 * 86_400_000);
      const archived = await archiveAudit(db, fresh.crypto, {
        out,
        retentionDays: 180,
        createdBy: 't',
        now: later,
      });
      expect(archived.rows).toBe(7);
      expect(fs.statSync(out).mode & 0o777).toBe(0o600);
      expect(await verifyArchiveFile(out, archived.checkpoint)).toEqual({ ok: true, rows: 7 });
      // The archive command deletes nothing.
      expect((await db.select().from(auditLog)).length).toBe(7);
      await db.transaction((tx) =>
        writeAudit(tx, {
          actorId: null,
          actorName: 't',
          action: 'a',
          entity: 'e',
          entityId: 'new',
        }),
      );
      // The DBA removes the archived rows: the chain verifies from the checkpoint.
      await db.execute(sql`delete from audit_log where seq <= ${archived.throughSeq}`);
      expect(await verifyAuditChain(db, { crypto: fresh.crypto })).toMatchObject({
        ok: true,
        count: 1,
        firstSeq: archived.throughSeq + 1,
      });
      // Without the checkpoint, the missing start is reported.
      await db.delete(auditCheckpoint);
      expect(await verifyAuditChain(db)).toMatchObject({ ok: false });
      // A modified archive file is detected.
      const bytes = fs.readFileSync(out);
      bytes[bytes.length - 5]! ^= 1;
      fs.writeFileSync(out, bytes);
      expect((await verifyArchiveFile(out, archived.checkpoint)).ok).toBe(false);
    } finally {
      await fresh.database.close();
    }
  });

  it.runIf(gmAvailable())(
    'chains SM3 rows after SHA-256 rows and verifies both (CRYPTO_SUITE switch)',
    async () => {
      const fresh = await createTestServices();
      try {
        const { db } = fresh.database;
        const entry = { actorId: null, actorName: 't', action: 'a', entity: 'e', entityId: '1' };
        await db.transaction((tx) => writeAudit(tx, entry));
        setAuditHashSuite('gm');
        try {
          await db.transaction((tx) => writeAudit(tx, [entry, entry]));
        } finally {
          setAuditHashSuite('intl');
        }
        const rows = await db.select().from(auditLog).orderBy(asc(auditLog.seq));
        expect(rows[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
        expect(rows[1]!.hash).toMatch(/^sm3:[0-9a-f]{64}$/);
        const gm = createFieldCrypto(crypto.randomBytes(32), { suite: 'gm' });
        await sealAudit(db, gm, 't');
        expect(await verifyAuditChain(db, { crypto: gm })).toMatchObject({ ok: true, count: 3 });
        await db.update(auditLog).set({ reason: 'x' }).where(eq(auditLog.seq, rows[2]!.seq));
        expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAtSeq: rows[2]!.seq });
      } finally {
        await fresh.database.close();
      }
    },
  );
});
