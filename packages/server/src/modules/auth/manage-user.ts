import { AppError, isAdminRole, ROLE_LABELS, ROLES, type TRole } from '@shegong/shared';
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { writeAudit } from '../../audit/audit.ts';
import { inTransaction, type TCtx } from '../../context.ts';
import { appUser, org, session } from '../../db/schema/index.ts';
import { generatePassword, hashPassword } from '../../security/passwords.ts';
import { isWithinScope, pathInScope } from '../org/org-scope.ts';
import { ROLE_LEVELS } from './create-user.ts';

// Account administration (安全管理员): list, change role/org/status, unlock, reset password.
// Every change is audited; nobody administers their own account here (self-service is
// POST /api/auth/password), so one administrator cannot raise or unlock themselves.

export const ZListUsers = z.object({
  org: z
    .string()
    .regex(/^\d{6,15}$/, '机构代码应为6–15位数字')
    .optional(),
  after: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const ZUpdateUser = z
  .object({
    displayName: z.string().trim().min(1, '请填写姓名').max(50).optional(),
    role: z.enum(ROLES, { error: `角色必须是 ${ROLES.join('、')} 之一` }).optional(),
    orgCode: z
      .string()
      .regex(/^\d{6,15}$/, '机构代码应为6–15位数字')
      .optional(),
    disabled: z.boolean().optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), {
    message: '请至少修改一项',
    path: ['(root)'],
  });
export type TUpdateUser = z.infer<typeof ZUpdateUser>;

export const ZUserId = z.object({ id: z.uuid('用户编号格式不正确') });

/** An account as the administrator sees it: never the hash, never people data. */
const userView = (row: typeof appUser.$inferSelect, orgName: string | null) => ({
  id: row.id,
  username: row.username,
  displayName: row.displayName,
  role: row.role as TRole,
  orgCode: row.orgCode,
  orgName,
  disabled: row.disabled,
  lockedUntil: row.lockedUntil,
  failedLogins: row.failedLogins,
  mustChangePassword: row.mustChangePassword,
  passwordChangedAt: row.passwordChangedAt,
  lastLoginAt: row.lastLoginAt,
});

const orgInScope = async (ctx: TCtx, code: string, field: string) => {
  const node = (await ctx.db.select().from(org).where(eq(org.code, code)).limit(1))[0];
  if (!node || !isWithinScope(ctx.actor.scope, node.path)) {
    throw new AppError('NOT_FOUND', `机构代码 ${code} 不存在`, { where: { field } });
  }
  return node;
};

/** Accounts attached to orgs inside the caller's scope (or the subtree of `org`), by user name. */
export const listUsers = async (ctx: TCtx, query: z.infer<typeof ZListUsers>) => {
  const under = query.org ? (await orgInScope(ctx, query.org, 'org')).path : ctx.actor.scope.path;
  const rows = await ctx.db
    .select({ user: appUser, orgName: org.name })
    .from(appUser)
    .innerJoin(org, eq(org.code, appUser.orgCode))
    .where(
      and(
        pathInScope(org.path, ctx.actor.scope),
        sql`${org.path} like ${`${under}%`}`,
        query.after ? gt(appUser.username, query.after) : undefined,
      ),
    )
    .orderBy(asc(appUser.username))
    .limit(query.limit);
  const items = rows.map((r) => userView(r.user, r.orgName));
  return {
    items,
    next: items.length === query.limit ? (items.at(-1)?.username ?? null) : null,
  };
};

/**
 * 三员分立: refuses to grant an administrator's role (系统管理员, 安全管理员, 审计管理员) through
 * the API — those accounts are created on the host with `shegong user add`, so a security
 * administrator cannot make a system administrator (or another security administrator).
 */
export const refuseAdminRoleGrant = (role: TRole, field = 'role') => {
  if (!isAdminRole(role)) return;
  throw new AppError(
    'FORBIDDEN',
    `不能在此授予“${ROLE_LABELS[role]}”角色：系统管理员、安全管理员、审计管理员账号只能在服务器上用命令行（shegong user add）创建`,
    { where: { field } },
  );
};

/** The id of the account with this username, for the host's commands. */
export const userIdByName = async (ctx: TCtx, username: string): Promise<string> => {
  const row = (
    await ctx.db.select({ id: appUser.id }).from(appUser).where(eq(appUser.username, username))
  )[0];
  if (!row)
    throw new AppError('NOT_FOUND', `用户“${username}”不存在`, { where: { field: 'username' } });
  return row.id;
};

/**
 * The target account if it lies inside the caller's scope, is not the caller's own and holds
 * no administrator's role (三员分立: those are kept on the host, not changed here) — unless
 * `onHost`: the `shegong user` commands, run on the server by whoever runs it.
 */
const targetUser = async (ctx: TCtx, id: string, onHost = false) => {
  const row = (
    await ctx.db
      .select({ user: appUser, path: org.path })
      .from(appUser)
      .innerJoin(org, eq(org.code, appUser.orgCode))
      .where(and(eq(appUser.id, id), pathInScope(org.path, ctx.actor.scope)))
      .limit(1)
  )[0];
  if (!row) throw new AppError('NOT_FOUND', '用户不存在', { where: { field: 'id' } });
  if (row.user.id === ctx.actor.id) {
    throw new AppError('FORBIDDEN', '不能在此管理本人账号（修改本人密码请使用“修改密码”）', {
      where: { field: 'id' },
    });
  }
  const role = row.user.role as TRole;
  if (isAdminRole(role) && !onHost) {
    throw new AppError(
      'FORBIDDEN',
      `“${ROLE_LABELS[role]}”账号不能在此修改、停用、解锁或重置密码，只能在服务器上用命令行（shegong user）管理`,
      { where: { field: 'id' } },
    );
  }
  return row;
};

const auditOf = (ctx: TCtx, id: string, orgPath: string) => ({
  actorId: ctx.actor.id,
  actorName: ctx.actor.username,
  entity: 'user',
  entityId: id,
  orgPath,
});

export const updateUser = async (ctx: TCtx, id: string, input: TUpdateUser, onHost = false) => {
  const { user, path } = await targetUser(ctx, id, onHost);
  if (input.role) refuseAdminRoleGrant(input.role);
  const role = input.role ?? (user.role as TRole);
  const orgCode = input.orgCode ?? user.orgCode;
  const node = await orgInScope(ctx, orgCode, 'orgCode');
  if (!ROLE_LEVELS[role].includes(node.level)) {
    throw new AppError(
      'VALIDATION_FAILED',
      `${ROLE_LABELS[role]}不能设在“${node.name}”这一级机构`,
      {
        where: { field: input.role ? 'role' : 'orgCode' },
      },
    );
  }
  if (role === 'worker' && !user.workerId) {
    throw new AppError('VALIDATION_FAILED', '社区工作者账号必须关联一名工作者', {
      where: { field: 'role' },
    });
  }
  const set = {
    displayName: input.displayName ?? user.displayName,
    role,
    orgCode,
    disabled: input.disabled ?? user.disabled,
  };
  const before = {
    displayName: user.displayName,
    role: user.role,
    orgCode: user.orgCode,
    disabled: user.disabled,
  };
  await inTransaction(ctx, async (tx) => {
    await tx.db.update(appUser).set(set).where(eq(appUser.id, id));
    // A new role, org or a disabled account takes effect now, not at the next login.
    if (set.role !== user.role || set.orgCode !== user.orgCode || set.disabled) {
      await tx.db.delete(session).where(eq(session.userId, id));
    }
    await writeAudit(tx.db, { ...auditOf(ctx, id, path), action: 'update', before, after: set });
  });
  const updated = (await ctx.db.select().from(appUser).where(eq(appUser.id, id)))[0]!;
  return userView(updated, node.name);
};

export const unlockUser = async (ctx: TCtx, id: string, onHost = false) => {
  const { user, path } = await targetUser(ctx, id, onHost);
  await inTransaction(ctx, async (tx) => {
    await tx.db
      .update(appUser)
      .set({ lockedUntil: null, failedLogins: 0 })
      .where(eq(appUser.id, id));
    await writeAudit(tx.db, {
      ...auditOf(ctx, id, path),
      action: 'unlock',
      before: { lockedUntil: user.lockedUntil, failedLogins: user.failedLogins },
    });
  });
  return { ok: true };
};

/**
 * Sets a generated temporary password, shown once to the administrator; the user must change
 * it at the next login. The user's sessions end. `onHost` (the CLI on the server, never a route)
 * may also reset an administrator's account (三员分立: they are kept on the host).
 */
export const resetPassword = async (ctx: TCtx, id: string, onHost = false) => {
  const { path } = await targetUser(ctx, id, onHost);
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  await inTransaction(ctx, async (tx) => {
    await tx.db
      .update(appUser)
      .set({
        passwordHash,
        mustChangePassword: true,
        passwordChangedAt: new Date().toISOString(),
        failedLogins: 0,
        lockedUntil: null,
      })
      .where(eq(appUser.id, id));
    await tx.db.delete(session).where(eq(session.userId, id));
    await writeAudit(tx.db, { ...auditOf(ctx, id, path), action: 'password-reset' });
  });
  return { password };
};
