import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../../context.ts';
import { appUser, auditLog, session } from '../../db/schema/index.ts';
import { createClient, seedDemo, seedUser, TEST_PASSWORD } from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';

const NEW_PASSWORD = 'Brand-New-Pass9';
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

describe(`passwords, expiry and sessions (${testDbKind()})`, () => {
  let services: TServices;
  const userId = async (username: string) =>
    (await services.database.db.select().from(appUser).where(eq(appUser.username, username)))[0]!
      .id;

  beforeAll(async () => {
    services = await createTestServices({
      PASSWORD_MAX_AGE_DAYS: '90',
      SESSION_IDLE_MINUTES: '5',
      LOGIN_RATE_USER_MAX: '1000',
      LOGIN_RATE_IP_MAX: '1000',
    });
    await seedDemo(services, 20);
    for (const username of ['old-pass', 'reset-me', 'idle', 'other'])
      await seedUser(services, { username, role: 'street-admin', orgCode: '640104001000' });
    await seedUser(services, { username: 'sec', role: 'security-admin', orgCode: '640100' });
  });
  afterAll(() => services.database.close());

  it('lets a user with an expired password in only to change it, then everything works', async () => {
    const { db } = services.database;
    await db
      .update(appUser)
      .set({ passwordChangedAt: daysAgo(91) })
      .where(eq(appUser.username, 'old-pass'));
    const elsewhere = createClient(services);
    expect((await elsewhere.login('old-pass')).status).toBe(200);
    const client = createClient(services);
    const login = await client.login('old-pass');
    expect(login.status).toBe(200);
    expect(login.body.passwordChangeRequired).toBe(true);
    const blocked = await client.get('/api/orgs/640104001000');
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.message).toContain('请先修改密码');
    expect(blocked.body.error.where).toEqual({ field: 'password' });
    expect((await client.get('/api/auth/me')).body.passwordChangeRequired).toBe(true);

    const wrongOld = await client.post('/api/auth/password', {
      oldPassword: 'not-it',
      newPassword: NEW_PASSWORD,
    });
    expect(wrongOld.status).toBe(422);
    expect(wrongOld.body.error).toMatchObject({
      message: '原密码不正确',
      where: { field: 'oldPassword' },
    });
    const weak = await client.post('/api/auth/password', {
      oldPassword: TEST_PASSWORD,
      newPassword: 'short',
    });
    expect(weak.status).toBe(422);
    expect(weak.body.error.where).toEqual({ field: 'newPassword' });
    const withName = await client.post('/api/auth/password', {
      oldPassword: TEST_PASSWORD,
      newPassword: 'Old-Pass-2024x',
    });
    expect(withName.body.error.message).toBe('密码不能包含用户名');
    const same = await client.post('/api/auth/password', {
      oldPassword: TEST_PASSWORD,
      newPassword: TEST_PASSWORD,
    });
    expect(same.body.error.message).toBe('新密码不能与原密码相同');

    const ok = await client.post('/api/auth/password', {
      oldPassword: TEST_PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    expect(ok.status).toBe(200);
    expect((await client.get('/api/auth/me')).body.passwordChangeRequired).toBe(false);
    expect((await client.get('/api/orgs/640104001000')).status).toBe(200);
    // The other session of the account ended; the old password no longer works.
    expect((await elsewhere.get('/api/auth/me')).status).toBe(401);
    expect((await createClient(services).login('old-pass')).status).toBe(401);
    expect((await createClient(services).login('old-pass', NEW_PASSWORD)).status).toBe(200);

    const id = await userId('old-pass');
    const audits = await db.select().from(auditLog).where(eq(auditLog.entityId, id));
    const actions = audits.map((a) => a.action);
    expect(actions).toContain('password-change');
    expect(actions).toContain('password-change-failed');
    expect(JSON.stringify(audits)).not.toContain(NEW_PASSWORD);
    expect(JSON.stringify(audits)).not.toContain(TEST_PASSWORD);
  });

  it('does not expire passwords when PASSWORD_MAX_AGE_DAYS is 0', async () => {
    const never = await createTestServices({ PASSWORD_MAX_AGE_DAYS: '0' });
    try {
      await seedDemo(never, 5);
      await seedUser(never, { username: 'ancient', role: 'street-admin', orgCode: '640104001000' });
      await never.database.db
        .update(appUser)
        .set({ passwordChangedAt: daysAgo(4000) })
        .where(eq(appUser.username, 'ancient'));
      const login = await createClient(never).login('ancient');
      expect(login.body.passwordChangeRequired).toBe(false);
    } finally {
      await never.database.close();
    }
  });

  it('makes a reset password temporary: the user must replace it at the next login', async () => {
    const admin = createClient(services);
    await admin.login('sec');
    const user = createClient(services);
    await user.login('reset-me');
    const id = await userId('reset-me');
    const reset = await admin.post(`/api/users/${id}/reset-password`);
    expect(reset.status).toBe(200);
    const temporary = reset.body.temporaryPassword as string;
    expect(temporary).toMatch(/^[A-Za-z0-9]{16}$/);
    // Resetting ends the user's sessions.
    expect((await user.get('/api/auth/me')).status).toBe(401);
    const login = await user.login('reset-me', temporary);
    expect(login.body.passwordChangeRequired).toBe(true);
    expect((await user.get('/api/orgs/640104001000')).status).toBe(403);
    const changed = await user.post('/api/auth/password', {
      oldPassword: temporary,
      newPassword: NEW_PASSWORD,
    });
    expect(changed.status).toBe(200);
    expect((await user.get('/api/orgs/640104001000')).status).toBe(200);
  });

  it('ends a session idle longer than SESSION_IDLE_MINUTES (5 here), and not before', async () => {
    const { db } = services.database;
    const client = createClient(services);
    await client.login('idle');
    const id = await userId('idle');
    const setIdle = (minutes: number) =>
      db
        .update(session)
        .set({ lastSeenAt: new Date(Date.now() - minutes * 60_000).toISOString() })
        .where(eq(session.userId, id));
    await setIdle(4);
    expect((await client.get('/api/auth/me')).status).toBe(200);
    await setIdle(6);
    expect((await client.get('/api/auth/me')).status).toBe(401);
    // The expired session row is gone, not just ignored.
    expect(await db.select().from(session).where(eq(session.userId, id))).toEqual([]);
  });

  it('ends a session at its absolute lifetime even while in use', async () => {
    const { db } = services.database;
    const client = createClient(services);
    await client.login('other');
    const id = await userId('other');
    await db
      .update(session)
      .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
      .where(eq(session.userId, id));
    expect((await client.get('/api/auth/me')).status).toBe(401);
  });
});

describe(`login rate limits (${testDbKind()})`, () => {
  let services: TServices;
  beforeAll(async () => {
    services = await createTestServices({
      LOGIN_RATE_USER_MAX: '3',
      LOGIN_RATE_IP_MAX: '5',
      LOGIN_RATE_WINDOW_SECONDS: '600',
      LOGIN_MAX_FAILURES: '100',
      TRUST_PROXY: 'true',
    });
    await seedDemo(services, 5);
    await seedUser(services, { username: 'target', role: 'street-admin', orgCode: '640104001000' });
  });
  afterAll(() => services.database.close());

  const attempt = (username: string, ip: string, password = 'wrong-password') =>
    createClient(services).request(
      'POST',
      '/api/auth/login',
      { username, password },
      { 'X-Forwarded-For': `203.0.113.77, ${ip}` },
    );

  it('refuses a fourth attempt on one user name within the window, from any address', async () => {
    for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3'])
      expect((await attempt('target', ip)).status).toBe(401);
    const refused = await attempt('target', '10.0.0.4', TEST_PASSWORD);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('RATE_LIMITED');
    expect(refused.body.error.message).toMatch(/^登录尝试过于频繁，请 \d+ 秒后再试$/);
    expect(refused.body.error.where).toEqual({ field: 'username' });
    // Names are counted case-insensitively.
    expect((await attempt('TARGET', '10.0.0.5')).status).toBe(429);
  });

  it('refuses a sixth attempt from one address, whatever the user names', async () => {
    for (let i = 0; i < 5; i++) expect((await attempt(`nobody${i}`, '10.9.9.9')).status).toBe(401);
    const refused = await attempt('nobody-else', '10.9.9.9');
    expect(refused.status).toBe(429);
    expect(refused.body.error.where).toEqual({ field: 'ip' });
    // The address is the proxy's last hop: the client-supplied first entry does not count.
    expect((await attempt('nobody-else', '10.9.9.10')).status).toBe(401);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY is set', async () => {
    const direct = await createTestServices({ LOGIN_RATE_IP_MAX: '2', LOGIN_RATE_USER_MAX: '100' });
    try {
      const send = (n: number) =>
        createClient(direct).request(
          'POST',
          '/api/auth/login',
          { username: `u${n}`, password: 'x' },
          { 'X-Forwarded-For': `198.51.100.${n}` },
        );
      expect((await send(1)).status).toBe(401);
      expect((await send(2)).status).toBe(401);
      // Forging a new address per request does not reset the count.
      expect((await send(3)).status).toBe(429);
    } finally {
      await direct.database.close();
    }
  });
});
