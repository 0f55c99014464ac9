import type { TActor, TServices } from '../../context.ts';
import { passwordChangeRequired, sha256Hex } from '../../security/passwords.ts';
import { buildActor } from './actor.ts';
import { deleteSession, findSessionForRequest, touchSession } from './auth.repo.ts';

export const SESSION_COOKIE = 'sg_session';

export type TResolvedSession = {
  actor: TActor;
  sessionId: string;
  csrfToken: string;
  /** Expired or temporary password: the session may only change it (or log out). */
  passwordChangeRequired: boolean;
};

/**
 * Resolves the session cookie to the caller. A session ends after the idle timeout or the
 * absolute lifetime, or when the account is disabled or locked (and is deleted then). One
 * read (`findSessionForRequest`) decides; a write follows only to end a session or to slide its
 * idle window.
 */
export const resolveSession = async (
  services: TServices,
  token: string,
): Promise<TResolvedSession | undefined> => {
  const { db } = services.database;
  const id = sha256Hex(token);
  const now = Date.now();
  const idleLimit = services.config.SESSION_IDLE_MINUTES * 60_000;
  const touchBefore = new Date(now - touchInterval(idleLimit)).toISOString();
  const row = await findSessionForRequest(db, {
    id,
    now: new Date(now).toISOString(),
    idleBefore: new Date(now - idleLimit).toISOString(),
    touchBefore,
  });
  if (!row) return undefined;
  if (row.ended || row.blocked) {
    await deleteSession(db, id);
    return undefined;
  }
  if (!row.orgPath) return undefined;
  if (row.stale) await touchSession(db, id, new Date(now).toISOString(), touchBefore);
  return {
    actor: buildActor(row, row.orgPath),
    sessionId: id,
    csrfToken: row.csrfToken,
    passwordChangeRequired: passwordChangeRequired(row, services.config.PASSWORD_MAX_AGE_DAYS, now),
  };
};

/**
 * How old `last_seen_at` may grow before a request moves it: at most once a minute (a write of
 * the row each time), and under a tenth of the idle timeout, so that a session in use never
 * ends for lack of a slide (with one minute's timeout, a slide once a minute would let a session
 * used every 30 s end) and ends at most a tenth early.
 */
export const touchInterval = (idleLimitMs: number): number => Math.min(60_000, idleLimitMs / 10);
