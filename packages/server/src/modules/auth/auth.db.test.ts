import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../../context.ts';
import { appUser, auditLog, session } from '../../db/schema/index.ts';
import { createClient, seedDemo, seedUser, TEST_PASSWORD } from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';

describe(`auth (${testDbKind()})`, () => {
  let services: TServices;

  beforeAll(async () => {
    services = await createTestServices({ LOGIN_MAX_FAILURES: '3', SESSION_IDLE_MINUTES: '30' });
    await seedDemo(services, 40);
    await seedUser(services, {
      username: 'city-admin',
      role: 'civil-affairs-admin',
      orgCode: '640100',
    });
    await seedUser(services, {
      username: 'locked-out',
      role: 'street-admin',
      orgCode: '640104001000',
    });
  });
  afterAll(() => services.database.close());

  it('answers the health check with the database kind', async () => {
    const client = createClient(services);
    const res = await client.get('/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ok',
      database: testDbKind() === 'pg' ? 'postgres' : 'pglite',
    });
  });

  it('logs in with the right password, sets an HttpOnly SameSite cookie and returns the user', async () => {
    const client = createClient(services);
    const res = await client.login('city-admin');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      username: 'city-admin',
      role: 'civil-affairs-admin',
      orgCode: '640100',
    });
    expect(res.body.csrfToken).toMatch(/^[\w-]{40,}$/);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const me = await client.get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.username).toBe('city-admin');
    // Only the hash of the token is stored.
    const token = client.cookie.replace('sg_session=', '');
    const rows = await services.database.db.select().from(session);
    expect(rows.some((r) => r.id === token)).toBe(false);
  });

  it('refuses a wrong password and an unknown user with the same Chinese message', async () => {
    const client = createClient(services);
    const wrong = await client.login('city-admin', 'not-the-password');
    const unknown = await client.login('nobody', 'whatever');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.message).toBe('用户名或密码错误');
    expect(unknown.body.error.message).toBe('用户名或密码错误');
    expect((await client.get('/api/auth/me')).status).toBe(401);
  });

  it('locks the account after repeated failures, even for the right password, and audits it', async () => {
    const client = createClient(services);
    for (let i = 0; i < 2; i++) expect((await client.login('locked-out', 'bad')).status).toBe(401);
    const third = await client.login('locked-out', 'bad');
    expect(third.status).toBe(423);
    expect(third.body.error.message).toContain('锁定');
    const right = await client.login('locked-out', TEST_PASSWORD);
    expect(right.status).toBe(423);
    const { db } = services.database;
    const user = (await db.select().from(appUser).where(eq(appUser.username, 'locked-out')))[0]!;
    expect(new Date(user.lockedUntil!).getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    const audits = await db.select().from(auditLog).where(eq(auditLog.entityId, user.id));
    expect(audits.map((a) => a.action)).toEqual([
      'create',
      'login-failed',
      'login-failed',
      'lockout',
    ]);
  });

  it('refuses a write carrying the session cookie but no CSRF token', async () => {
    const client = createClient(services);
    await client.login('city-admin');
    const res = await client.post('/api/auth/logout', undefined, { 'X-CSRF-Token': '' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('CSRF_FAILED');
    const forged = await client.post('/api/auth/logout', undefined, { 'X-CSRF-Token': 'forged' });
    expect(forged.status).toBe(403);
    expect((await client.get('/api/auth/me')).status).toBe(200);
    expect((await client.post('/api/auth/logout')).status).toBe(200);
    expect((await client.get('/api/auth/me')).status).toBe(401);
  });

  it('ends a session after the idle timeout', async () => {
    const client = createClient(services);
    await client.login('city-admin');
    const token = client.cookie;
    const { db } = services.database;
    const rows = await db.select().from(session);
    const longAgo = new Date(Date.now() - 31 * 60_000).toISOString();
    for (const row of rows)
      await db.update(session).set({ lastSeenAt: longAgo }).where(eq(session.id, row.id));
    expect((await client.get('/api/auth/me')).status).toBe(401);
    client.setCookie(token);
    expect((await client.get('/api/auth/me')).status).toBe(401);
  });

  it('issues a new session token at each login (no session fixation)', async () => {
    const a = createClient(services);
    const b = createClient(services);
    await a.login('city-admin');
    b.setCookie(a.cookie);
    await b.login('city-admin');
    expect(b.cookie).not.toBe(a.cookie);
    // The session the browser held before logging in is gone.
    expect((await a.get('/api/auth/me')).status).toBe(401);
  });

  it('hides a node outside the caller’s scope as not found', async () => {
    const client = createClient(services);
    await client.login('city-admin');
    expect((await client.get('/api/orgs/640104')).status).toBe(200);
    const outside = await client.get('/api/orgs/330300');
    expect(outside.status).toBe(404);
    expect(outside.body.error.message).toContain('不存在');
  });
});
