import { AppError } from '@shegong/shared';
import { writeAudit } from '../../audit/audit.ts';
import type { TServices } from '../../context.ts';
import {
  hashPassword,
  passwordChangeRequired,
  randomToken,
  sha256Hex,
  verifyPassword,
} from '../../security/passwords.ts';
import { hitRateLimit } from '../../security/rate-limit.ts';
import {
  findOrgPath,
  findUserByUsername,
  insertSession,
  recordFailedLogin,
  recordSuccessfulLogin,
} from './auth.repo.ts';

export type TLoginResult = {
  token: string;
  csrfToken: string;
  sessionId: string;
  userId: string;
  /** The password expired or is a temporary one: only changing it is allowed. */
  passwordChangeRequired: boolean;
};

// A hash to verify against when the user does not exist, so timing does not reveal user names.
let dummyHash: Promise<string> | undefined;

/**
 * Refuses a login attempt beyond the per-IP or per-user-name limit of the current window,
 * before any password hashing (the counters are shared by all server processes).
 */
const checkRateLimits = async (services: TServices, username: string, ip: string | undefined) => {
  const { config } = services;
  const { db } = services.database;
  const window = config.LOGIN_RATE_WINDOW_SECONDS;
  const byUser = await hitRateLimit(
    db,
    `login:user:${username.toLowerCase()}`,
    config.LOGIN_RATE_USER_MAX,
    window,
  );
  const byIp = await hitRateLimit(
    db,
    `login:ip:${ip ?? 'unknown'}`,
    config.LOGIN_RATE_IP_MAX,
    window,
  );
  const refused = [byUser, byIp].filter((h) => !h.allowed);
  if (refused.length > 0) {
    const seconds = Math.max(...refused.map((h) => h.retryAfterSeconds));
    throw new AppError('RATE_LIMITED', `登录尝试过于频繁，请 ${seconds} 秒后再试`, {
      where: { field: byUser.allowed ? 'ip' : 'username' },
    });
  }
};

/**
 * Checks the rate limits and the password, applies the lockout after repeated failures and
 * opens a new session (a fresh token every time: no session fixation). Failures and lockouts
 * are audited.
 */
export const login = async (
  services: TServices,
  input: { username: string; password: string; ip?: string; userAgent?: string },
): Promise<TLoginResult> => {
  const { db } = services.database;
  const { config } = services;
  await checkRateLimits(services, input.username, input.ip);
  const user = await findUserByUsername(db, input.username);
  const failed = new AppError('UNAUTHENTICATED', '用户名或密码错误');
  if (!user) {
    dummyHash ??= hashPassword(randomToken());
    await verifyPassword(await dummyHash, input.password);
    throw failed;
  }
  const now = new Date();
  if (user.lockedUntil && new Date(user.lockedUntil) > now) {
    throw new AppError(
      'LOCKED',
      `登录失败次数过多，账号已锁定至 ${formatTime(user.lockedUntil)}，请稍后再试或联系管理员`,
    );
  }
  if (user.disabled) throw new AppError('FORBIDDEN', '账号已停用，请联系管理员');
  const orgPath = await findOrgPath(db, user.orgCode);
  const audit = {
    actorId: user.id,
    actorName: user.username,
    entity: 'user',
    entityId: user.id,
    orgPath: orgPath ?? null,
  };
  if (!(await verifyPassword(user.passwordHash, input.password))) {
    const failures = user.failedLogins + 1;
    const lock = failures >= config.LOGIN_MAX_FAILURES;
    const lockedUntil = lock
      ? new Date(now.getTime() + config.LOGIN_LOCK_MINUTES * 60_000).toISOString()
      : null;
    await db.transaction(async (tx) => {
      await recordFailedLogin(tx, user.id, lockedUntil);
      await writeAudit(tx, {
        ...audit,
        action: lock ? 'lockout' : 'login-failed',
        after: { failures, lockedUntil },
        reason: input.ip ?? null,
      });
    });
    if (lock) {
      throw new AppError(
        'LOCKED',
        `连续${failures}次密码错误，账号已锁定${config.LOGIN_LOCK_MINUTES}分钟`,
      );
    }
    throw failed;
  }
  if (!orgPath) throw new AppError('FORBIDDEN', '账号所属机构不存在，请联系管理员');
  const token = randomToken();
  const csrfToken = randomToken();
  const sessionId = sha256Hex(token);
  const absolute = new Date(now.getTime() + config.SESSION_ABSOLUTE_HOURS * 3_600_000);
  await db.transaction(async (tx) => {
    await insertSession(tx, {
      id: sessionId,
      userId: user.id,
      csrfToken,
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      expiresAt: absolute.toISOString(),
      ip: input.ip ?? null,
      userAgent: input.userAgent?.slice(0, 300) ?? null,
    });
    await recordSuccessfulLogin(tx, user.id);
    await writeAudit(tx, { ...audit, action: 'login', reason: input.ip ?? null });
  });
  return {
    token,
    csrfToken,
    sessionId,
    userId: user.id,
    passwordChangeRequired: passwordChangeRequired(
      user,
      config.PASSWORD_MAX_AGE_DAYS,
      now.getTime(),
    ),
  };
};

const formatTime = (iso: string): string =>
  new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
