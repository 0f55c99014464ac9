import type { TActor, TServices } from '../../context.ts';
import { passwordChangeRequired, sha256Hex } from '../../security/passwords.ts';
import { buildActor } from './actor.ts';
import { deleteSession, findSessionWithUser, touchSession } from './auth.repo.ts';

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
 * absolute lifetime, or when the account is disabled or locked.
 */
export const resolveSession = async (
  services: TServices,
  token: string,
): Promise<TResolvedSession | undefined> => {
  const { db } = services.database;
  const id = sha256Hex(token);
  const found = await findSessionWithUser(db, id);
  if (!found) return undefined;
  const { session: row, user, orgPath } = found;
  const now = Date.now();
  const idleLimit = services.config.SESSION_IDLE_MINUTES * 60_000;
  if (
    new Date(row.expiresAt).getTime() <= now ||
    new Date(row.lastSeenAt).getTime() + idleLimit <= now
  ) {
    await deleteSession(db, id);
    return undefined;
  }
  if (user.disabled || (user.lockedUntil && new Date(user.lockedUntil).getTime() > now)) {
    await deleteSession(db, id);
    return undefined;
  }
  if (!orgPath) return undefined;
  // Slide the idle window, at most once a minute to keep reads cheap.
  if (now - new Date(row.lastSeenAt).getTime() > 60_000) {
    await touchSession(db, id, new Date(now).toISOString());
  }
  return {
    actor: buildActor(user, orgPath),
    sessionId: id,
    csrfToken: row.csrfToken,
    passwordChangeRequired: passwordChangeRequired(
      user,
      services.config.PASSWORD_MAX_AGE_DAYS,
      now,
    ),
  };
};
