import { AppError, ROLE_LABELS, ROLES, type TRole } from '@shegong/shared';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { writeAudit } from '../../audit/audit.ts';
import { inTransaction, type TCtx } from '../../context.ts';
import { appUser, org, worker } from '../../db/schema/index.ts';
import { newId } from '../../security/ids.ts';
import { generatePassword, hashPassword, passwordProblem } from '../../security/passwords.ts';
import { isWithinScope } from '../org/org-scope.ts';

export const ZCreateUser = z.object({
  username: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.-]{3,32}$/, '用户名为3–32位字母、数字、下划线、点或连字符'),
  displayName: z.string().trim().min(1, '请填写姓名').max(50),
  role: z.enum(ROLES, { error: `角色必须是 ${ROLES.join('、')} 之一` }),
  orgCode: z.string().trim().min(1, '请填写所属机构代码'),
  workerId: z.uuid().optional(),
  password: z.string().optional(),
});
export type TCreateUser = z.infer<typeof ZCreateUser>;

/** Which org levels each role may be attached to. */
export const ROLE_LEVELS: Record<TRole, readonly string[]> = {
  'system-admin': ['country', 'province', 'city', 'county'],
  'civil-affairs-admin': ['country', 'province', 'city', 'county'],
  'street-admin': ['street'],
  'community-secretary': ['community'],
  worker: ['community', 'grid'],
  'security-admin': ['country', 'province', 'city', 'county'],
  'audit-admin': ['country', 'province', 'city', 'county'],
};

/**
 * Creates an account with an argon2id hash. Without a password, one is generated and returned
 * once (it is never stored in clear). A caller can only create accounts inside their scope.
 */
export const createUser = async (
  ctx: TCtx,
  input: TCreateUser,
  options: { mustChangePassword?: boolean } = {},
): Promise<{ id: string; username: string; password: string; generated: boolean }> => {
  const password = input.password ?? generatePassword();
  const problem = passwordProblem(password, input.username);
  if (problem) throw new AppError('VALIDATION_FAILED', problem, { where: { field: 'password' } });
  const node = (await ctx.db.select().from(org).where(eq(org.code, input.orgCode)).limit(1))[0];
  if (!node || !isWithinScope(ctx.actor.scope, node.path)) {
    throw new AppError('NOT_FOUND', `机构代码 ${input.orgCode} 不存在`, {
      where: { field: 'orgCode' },
    });
  }
  if (!ROLE_LEVELS[input.role].includes(node.level)) {
    throw new AppError(
      'VALIDATION_FAILED',
      `${ROLE_LABELS[input.role]}不能设在“${node.name}”这一级机构`,
      {
        where: { field: 'orgCode' },
      },
    );
  }
  if (input.role === 'worker') {
    if (!input.workerId) {
      throw new AppError('VALIDATION_FAILED', '社区工作者账号必须关联一名工作者', {
        where: { field: 'workerId' },
      });
    }
    const found = await ctx.db
      .select({ id: worker.id })
      .from(worker)
      .where(eq(worker.id, input.workerId));
    if (found.length === 0) {
      throw new AppError('NOT_FOUND', '关联的工作者不存在', { where: { field: 'workerId' } });
    }
  }
  const existing = await ctx.db
    .select({ id: appUser.id })
    .from(appUser)
    .where(eq(appUser.username, input.username));
  if (existing.length > 0) {
    throw new AppError('CONFLICT', `用户名 ${input.username} 已存在`, {
      where: { field: 'username' },
    });
  }
  const id = newId();
  const passwordHash = await hashPassword(password);
  await inTransaction(ctx, async (tx) => {
    await tx.db.insert(appUser).values({
      id,
      username: input.username,
      displayName: input.displayName,
      passwordHash,
      role: input.role,
      orgCode: input.orgCode,
      workerId: input.workerId ?? null,
      mustChangePassword: options.mustChangePassword ?? false,
    });
    await writeAudit(tx.db, {
      actorId: ctx.actor.id === '00000000-0000-0000-0000-000000000000' ? null : ctx.actor.id,
      actorName: ctx.actor.username,
      action: 'create',
      entity: 'user',
      entityId: id,
      orgPath: node.path,
      after: {
        username: input.username,
        displayName: input.displayName,
        role: input.role,
        orgCode: input.orgCode,
      },
    });
  });
  return { id, username: input.username, password, generated: input.password === undefined };
};
