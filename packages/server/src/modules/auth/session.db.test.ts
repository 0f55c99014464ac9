import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TServices } from '../../context.ts';
import { openDatabase, queryRows } from '../../db/client.ts';
import { appUser, session } from '../../db/schema/index.ts';
import { withDatabase } from '../../testing/global-setup.ts';
import { createClient, seedDemo, seedUser, type TTestClient } from '../../testing/test-app.ts';
import { createTestServices, testDbKind } from '../../testing/test-db.ts';
import { touchInterval } from './session.ts';

const IDLE_MINUTES = 5;

/**
 * Sessions live in the database only: what one server process does to a session (logout,
 * lockout, a disabled account, a password change, the idle and absolute ends) holds on the next
 * request to another. On PostgreSQL the second "process" is a second app with its own pool on
 * the same database; PGlite has one process, so there the second app shares the connection
 * (it still shows that no app keeps a session of its own).
 */
describe(`sessions across server processes (${testDbKind()})`, () => {
  let a: TServices;
  let b: TServices;

  beforeAll(async () => {
    a = await createTestServices({
      SESSION_IDLE_MINUTES: String(IDLE_MINUTES),
      LOGIN_MAX_FAILURES: '3',
      LOGIN_RATE_USER_MAX: '1000',
      LOGIN_RATE_IP_MAX: '1000',
    });
    await seedDemo(a, 10);
    for (const username of ['u-logout', 'u-lock', 'u-disable', 'u-pass', 'u-idle', 'u-slide'])
      await seedUser(a, { username, role: 'street-admin', orgCode: '640104001000' });
    if (testDbKind() === 'pg') {
      const [row] = await queryRows<{ name: string }>(
        a.database.db,
        sql`select current_database() as name`,
      );
      const database = await openDatabase({
        kind: 'postgres',
        url: withDatabase(process.env.DATABASE_URL!, row!.name),
        max: 2,
      });
      b = { ...a, database };
    } else {
      b = { ...a };
    }
  });
  afterAll(async () => {
    if (b.database !== a.database) await b.database.close();
    await a.database.close();
  });

  /** Logs in on process A; returns A's client and a client of process B with the same session. */
  const loginOnBoth = async (username: string): Promise<[TTestClient, TTestClient]> => {
    const onA = createClient(a);
    const login = await onA.login(username);
    expect(login.status).toBe(200);
    const onB = createClient(b);
    onB.setCookie(onA.cookie);
    onB.setCsrf(login.body.csrfToken);
    expect((await onB.get('/api/auth/me')).body.username).toBe(username);
    return [onA, onB];
  };
  const userId = async (username: string) =>
    (await a.database.db.select().from(appUser).where(eq(appUser.username, username)))[0]!.id;
  const sessionsOf = async (username: string) =>
    a.database.db
      .select()
      .from(session)
      .where(eq(session.userId, await userId(username)));
  const setLastSeen = async (username: string, msAgo: number) =>
    a.database.db
      .update(session)
      .set({ lastSeenAt: new Date(Date.now() - msAgo).toISOString() })
      .where(eq(session.userId, await userId(username)));

  it('ends on B the session logged out on A', async () => {
    const [onA, onB] = await loginOnBoth('u-logout');
    expect((await onA.post('/api/auth/logout')).status).toBe(200);
    expect((await onB.get('/api/auth/me')).status).toBe(401);
    expect((await onB.get('/api/orgs/640104001000')).status).toBe(401);
  });

  it('ends on B the session of an account locked by failed logins on A, and deletes it', async () => {
    const [, onB] = await loginOnBoth('u-lock');
    const elsewhere = createClient(a);
    for (let i = 0; i < 3; i++) await elsewhere.login('u-lock', 'wrong-password');
    expect((await onB.get('/api/auth/me')).status).toBe(401);
    expect(await sessionsOf('u-lock')).toEqual([]);
  });

  it('ends on B the session of an account disabled in the database, and deletes it', async () => {
    const [, onB] = await loginOnBoth('u-disable');
    await a.database.db
      .update(appUser)
      .set({ disabled: true })
      .where(eq(appUser.username, 'u-disable'));
    expect((await onB.get('/api/orgs/640104001000')).status).toBe(401);
    expect(await sessionsOf('u-disable')).toEqual([]);
  });

  it('ends on B the other sessions of a user whose password changed on A', async () => {
    const [onA] = await loginOnBoth('u-pass');
    const [, otherOnB] = await loginOnBoth('u-pass');
    const changed = await onA.post('/api/auth/password', {
      oldPassword: 'Test-Passw0rd!',
      newPassword: 'Brand-New-Pass9',
    });
    expect(changed.status).toBe(200);
    expect((await otherOnB.get('/api/auth/me')).status).toBe(401);
    expect((await onA.get('/api/auth/me')).status).toBe(200);
  });

  it('ends a session at the idle timeout and not before, on either process, deleting it', async () => {
    const [onA, onB] = await loginOnBoth('u-idle');
    // 2 s inside the timeout: alive (and its idle window slides).
    await setLastSeen('u-idle', IDLE_MINUTES * 60_000 - 2_000);
    expect((await onB.get('/api/auth/me')).status).toBe(200);
    const [row] = await sessionsOf('u-idle');
    expect(Date.now() - new Date(row!.lastSeenAt).getTime()).toBeLessThan(2_000);
    // 1 s past it: ended, and the row gone (not slid back to life).
    await setLastSeen('u-idle', IDLE_MINUTES * 60_000 + 1_000);
    expect((await onB.get('/api/auth/me')).status).toBe(401);
    expect(await sessionsOf('u-idle')).toEqual([]);
    expect((await onA.get('/api/auth/me')).status).toBe(401);
  });

  it('ends a session at its absolute lifetime, deleting it', async () => {
    const [, onB] = await loginOnBoth('u-idle');
    await a.database.db
      .update(session)
      .set({ expiresAt: new Date(Date.now() - 1_000).toISOString() })
      .where(eq(session.userId, await userId('u-idle')));
    expect((await onB.get('/api/auth/me')).status).toBe(401);
    expect(await sessionsOf('u-idle')).toEqual([]);
  });

  it('slides the idle window once it is a tenth of the timeout old (at most a minute), not before', async () => {
    expect(touchInterval(IDLE_MINUTES * 60_000)).toBe(30_000);
    expect(touchInterval(30 * 60_000)).toBe(60_000);
    const [, onB] = await loginOnBoth('u-slide');
    const lastSeen = async () => new Date((await sessionsOf('u-slide'))[0]!.lastSeenAt).getTime();
    // 20 s old: left as it is.
    await setLastSeen('u-slide', 20_000);
    const before = await lastSeen();
    expect((await onB.get('/api/auth/me')).status).toBe(200);
    expect(await lastSeen()).toBe(before);
    // 40 s old (more than a tenth of 5 minutes): moved to the request's time.
    await setLastSeen('u-slide', 40_000);
    const t0 = Date.now();
    expect((await onB.get('/api/auth/me')).status).toBe(200);
    const after = await lastSeen();
    expect(after).toBeGreaterThanOrEqual(t0);
    expect(after).toBeLessThanOrEqual(Date.now());
  });
});
