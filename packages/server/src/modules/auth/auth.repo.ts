import { and, eq, lt, sql } from 'drizzle-orm';
import { keptSql, runPrepared, type TExecutor } from '../../db/client.ts';
import { appUser, org, session } from '../../db/schema/index.ts';

export type TUserRow = typeof appUser.$inferSelect;

export const findUserByUsername = async (db: TExecutor, username: string) =>
  (await db.select().from(appUser).where(eq(appUser.username, username)).limit(1))[0];

export const findUserById = async (db: TExecutor, id: string) =>
  (await db.select().from(appUser).where(eq(appUser.id, id)).limit(1))[0];

export const findOrgPath = async (db: TExecutor, code: string) =>
  (await db.select({ path: org.path }).from(org).where(eq(org.code, code)).limit(1))[0]?.path;

export const recordFailedLogin = (db: TExecutor, userId: string, lockedUntil: string | null) =>
  db
    .update(appUser)
    .set({
      failedLogins: lockedUntil ? 0 : sql`${appUser.failedLogins} + 1`,
      lockedUntil,
    })
    .where(eq(appUser.id, userId));

export const recordSuccessfulLogin = (db: TExecutor, userId: string) =>
  db
    .update(appUser)
    .set({ failedLogins: 0, lockedUntil: null, lastLoginAt: new Date().toISOString() })
    .where(eq(appUser.id, userId));

export const insertSession = (db: TExecutor, row: typeof session.$inferInsert) =>
  db.insert(session).values(row);

export const findSession = async (db: TExecutor, id: string) =>
  (await db.select().from(session).where(eq(session.id, id)).limit(1))[0];

/** What resolving a session reads: the session's CSRF token, its user and the user's org path. */
export type TSessionRow = {
  csrfToken: string;
  /** Past its absolute lifetime or idle too long. */
  ended: boolean;
  /** The account is disabled or locked. */
  blocked: boolean;
  /** `last_seen_at` older than the slide's bound. */
  stale: boolean;
  id: string;
  username: string;
  displayName: string;
  role: string;
  orgCode: string;
  workerId: string | null;
  passwordChangedAt: string;
  mustChangePassword: boolean;
  orgPath: string | null;
};

/**
 * A session with its user and the user's org path, and what to do with it, decided in SQL from
 * the server's clock: whether it has ended (`expires_at <= now` or `last_seen_at <= idleBefore`),
 * whether its account is disabled or locked, and whether its idle window is due to slide
 * (`last_seen_at < touchBefore`). Only the columns the caller needs (not the password hash).
 * Read-only: the writes this may call for are rare and separate (`deleteSession`,
 * `touchSession`) — one statement doing both in data-modifying CTEs cost the backend about
 * twice this read's CPU on every request (measured, 2026-12-07).
 */
export const findSessionForRequest = async (
  db: TExecutor,
  p: { id: string; now: string; idleBefore: string; touchBefore: string },
): Promise<TSessionRow | undefined> => {
  const query = keptSql(db, 'session_for_request', '', sessionForRequestStatement);
  return (await runPrepared<TSessionRow>(query, p))[0];
};

/**
 * `findSessionForRequest`'s statement, built and prepared once per database (`keptSql`):
 * PostgreSQL keeps its plan per connection (primary-key reads: the generic plan is the custom one).
 */
const sessionForRequestStatement = () => {
  const now = sql`${sql.placeholder('now')}::timestamptz`;
  return sql`select s.csrf_token as "csrfToken",
      (s.expires_at <= ${now} or s.last_seen_at <= ${sql.placeholder('idleBefore')}::timestamptz) as ended,
      (u.disabled or coalesce(u.locked_until > ${now}, false)) as blocked,
      s.last_seen_at < ${sql.placeholder('touchBefore')}::timestamptz as stale,
      u.id, u.username, u.display_name as "displayName", u.role, u.org_code as "orgCode",
      u.worker_id as "workerId", u.password_changed_at as "passwordChangedAt",
      u.must_change_password as "mustChangePassword", o.path as "orgPath"
    from ${session} s
    join ${appUser} u on u.id = s.user_id
    left join ${org} o on o.code = u.org_code
    where s.id = ${sql.placeholder('id')}`;
};

/**
 * Slides a session's idle window to `at`, if it is still older than `before` (a concurrent
 * request may have moved it). A session deleted meanwhile (logout) stays deleted.
 */
export const touchSession = (db: TExecutor, id: string, at: string, before: string) =>
  db
    .update(session)
    .set({ lastSeenAt: at })
    .where(and(eq(session.id, id), lt(session.lastSeenAt, before)));

export const deleteSession = (db: TExecutor, id: string) =>
  db.delete(session).where(eq(session.id, id));

export const deleteUserSessions = (db: TExecutor, userId: string) =>
  db.delete(session).where(eq(session.userId, userId));

export const deleteExpiredSessions = (db: TExecutor, now: string) =>
  db.delete(session).where(and(lt(session.expiresAt, now)));
