import type { TActor, TServices } from '../../context.ts';
import { passwordChangeRequired, sha256Hex } from '../../security/passwords.ts';
import { buildActor } from './actor.ts';
import { resolveSessionRow } from './auth.repo.ts';

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
 * absolute lifetime, or when the account is disabled or locked. One statement
 * (`resolveSessionRow`) reads it, deletes it when it has ended, or slides its idle window.
 */
export const resolveSession = async (
  services: TServices,
  token: string,
): Promise<TResolvedSession | undefined> => {
  const id = sha256Hex(token);
  const now = Date.now();
  const idleLimit = services.config.SESSION_IDLE_MINUTES * 60_000;
  const row = await resolveSessionRow(services.database.db, {
    id,
    now: new Date(now).toISOString(),
    idleBefore: new Date(now - idleLimit).toISOString(),
    touchBefore: new Date(now - touchInterval(idleLimit)).toISOString(),
  });
  if (!row || row.ended || row.blocked || !row.orgPath) return undefined;
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
