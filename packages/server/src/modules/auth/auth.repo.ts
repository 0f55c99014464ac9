import { and, eq, lt, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { TExecutor } from '../../db/client.ts';
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
  /** Past its absolute lifetime or idle too long (deleted by the same statement). */
  ended: boolean;
  /** The account is disabled or locked (the session deleted by the same statement). */
  blocked: boolean;
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
 * Resolves a session in one statement: reads it with its user and the user's org path, decides
 * in SQL whether it has ended (`expires_at <= now`, or `last_seen_at <= idleBefore`) or its
 * account is blocked, deletes it then, and otherwise slides its idle window (`last_seen_at` set
 * to `now` when older than `touchBefore` and the user's org exists). The read sees the row as it
 * was before the statement. The two writes exclude each other; a concurrent logout's delete wins
 * over the touch (an update finds no row to revive). Every authenticated request runs it: one
 * round trip where an ending or a slide took two, and only the columns the caller needs (not
 * the password hash). `now` and the bounds come from the server's clock, as before.
 */
export const resolveSessionRow = async (
  db: TExecutor,
  p: { id: string; now: string; idleBefore: string; touchBefore: string },
): Promise<TSessionRow | undefined> => {
  let query = sessionQueries.get(db);
  if (!query) {
    query = prepareResolveSession(db);
    sessionQueries.set(db, query);
  }
  return ((await query.execute(p)) as { rows: TSessionRow[] }).rows[0];
};

/**
 * Built and prepared once per database: PostgreSQL keeps its plan per connection (primary-key
 * reads and writes: the generic plan is the custom one).
 */
const prepareResolveSession = (db: TExecutor) => {
  const id = sql.placeholder('id');
  const now = sql`${sql.placeholder('now')}::timestamptz`;
  const built = new PgDialect().sqlToQuery(sql`with s as (
      select s.csrf_token as "csrfToken", s.last_seen_at,
             (s.expires_at <= ${now} or s.last_seen_at <= ${sql.placeholder('idleBefore')}::timestamptz) as ended,
             (u.disabled or coalesce(u.locked_until > ${now}, false)) as blocked,
             u.id, u.username, u.display_name as "displayName", u.role, u.org_code as "orgCode",
             u.worker_id as "workerId", u.password_changed_at as "passwordChangedAt",
             u.must_change_password as "mustChangePassword", o.path as "orgPath"
        from ${session} s
        join ${appUser} u on u.id = s.user_id
        left join ${org} o on o.code = u.org_code
       where s.id = ${id}),
    gone as (
      delete from ${session} d using s where d.id = ${id} and (s.ended or s.blocked)),
    touched as (
      update ${session} t set last_seen_at = ${now} from s
       where t.id = ${id} and not s.ended and not s.blocked and s."orgPath" is not null
         and s.last_seen_at < ${sql.placeholder('touchBefore')}::timestamptz)
    select "csrfToken", ended, blocked, id, username, "displayName", role, "orgCode", "workerId",
           "passwordChangedAt", "mustChangePassword", "orgPath"
      from s`);
  return db._.session.prepareQuery(built, undefined, 'resolve_session', false);
};

const sessionQueries = new WeakMap<TExecutor, ReturnType<typeof prepareResolveSession>>();

export const deleteSession = (db: TExecutor, id: string) =>
  db.delete(session).where(eq(session.id, id));

export const deleteUserSessions = (db: TExecutor, userId: string) =>
  db.delete(session).where(eq(session.userId, userId));

export const deleteExpiredSessions = (db: TExecutor, now: string) =>
  db.delete(session).where(and(lt(session.expiresAt, now)));
