import { AppError } from '@shegong/shared';
import { and, eq, ne } from 'drizzle-orm';
import { z } from 'zod';
import { writeAudit } from '../../audit/audit.ts';
import type { TServices } from '../../context.ts';
import { appUser, session } from '../../db/schema/index.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../../security/passwords.ts';
import { hitRateLimit } from '../../security/rate-limit.ts';
import { findOrgPath, findUserById } from './auth.repo.ts';

export const ZChangePassword = z.object({
  oldPassword: z.string().min(1, '请输入原密码').max(256),
  newPassword: z.string().min(1, '请输入新密码').max(256),
});
export type TChangePassword = z.infer<typeof ZChangePassword>;

/**
 * Changes the caller's own password after checking the old one (GB/T 22239 8.1.4.1 a: 定期更换).
 * Clears the expiry/temporary-password gate, ends the user's other sessions and is audited;
 * the passwords themselves never reach the audit log. Wrong old passwords are rate-limited so a
 * stolen session cannot guess its way to the password.
 */
export const changePassword = async (
  services: TServices,
  input: TChangePassword & { userId: string; sessionId: string },
): Promise<void> => {
  const { db } = services.database;
  const { config } = services;
  const user = await findUserById(db, input.userId);
  if (!user) throw new AppError('UNAUTHENTICATED', '请先登录');
  const orgPath = (await findOrgPath(db, user.orgCode)) ?? null;
  const audit = {
    actorId: user.id,
    actorName: user.username,
    entity: 'user',
    entityId: user.id,
    orgPath,
  };
  const limit = await hitRateLimit(
    db,
    `password:user:${user.id}`,
    config.LOGIN_RATE_USER_MAX,
    config.LOGIN_RATE_WINDOW_SECONDS,
  );
  if (!limit.allowed) {
    throw new AppError('RATE_LIMITED', `尝试过于频繁，请 ${limit.retryAfterSeconds} 秒后再试`, {
      where: { field: 'oldPassword' },
    });
  }
  if (!(await verifyPassword(user.passwordHash, input.oldPassword))) {
    await db.transaction((tx) => writeAudit(tx, { ...audit, action: 'password-change-failed' }));
    throw new AppError('VALIDATION_FAILED', '原密码不正确', { where: { field: 'oldPassword' } });
  }
  const problem = passwordProblem(input.newPassword, user.username);
  if (problem)
    throw new AppError('VALIDATION_FAILED', problem, { where: { field: 'newPassword' } });
  if (input.newPassword === input.oldPassword) {
    throw new AppError('VALIDATION_FAILED', '新密码不能与原密码相同', {
      where: { field: 'newPassword' },
    });
  }
  const passwordHash = await hashPassword(input.newPassword);
  await db.transaction(async (tx) => {
    await tx
      .update(appUser)
      .set({
        passwordHash,
        passwordChangedAt: new Date().toISOString(),
        mustChangePassword: false,
        failedLogins: 0,
      })
      .where(eq(appUser.id, user.id));
    // Whoever else holds a session of this account (a stolen cookie) is logged out.
    await tx
      .delete(session)
      .where(and(eq(session.userId, user.id), ne(session.id, input.sessionId)));
    await writeAudit(tx, { ...audit, action: 'password-change' });
  });
};
