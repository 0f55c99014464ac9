import { AppError } from '@shegong/shared';
import { deleteCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { writeAudit } from '../../audit/audit.ts';
import type { TActor } from '../../context.ts';
import { defineRoute } from '../../http/route.ts';
import { passwordChangeRequired } from '../../security/passwords.ts';
import { clientIp } from '../../security/rate-limit.ts';
import { deleteSession, findUserById } from './auth.repo.ts';
import { changePassword, ZChangePassword } from './change-password.ts';
import { login } from './login.ts';
import { resolveSession, SESSION_COOKIE } from './session.ts';

export const ZLogin = z.object({
  username: z.string().trim().min(1, '请输入用户名').max(64),
  password: z.string().min(1, '请输入密码').max(256),
});

const ZMe = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.string(),
  orgCode: z.string(),
  workerId: z.string().nullable(),
  permissions: z.array(z.string()),
  csrfToken: z.string(),
  /** The password expired or is temporary: the web app shows the change-password page. */
  passwordChangeRequired: z.boolean(),
});

export const authRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/auth/login',
    summary: '登录',
    tag: '认证',
    access: 'public',
    body: ZLogin,
    response: ZMe,
    handler: async (c, { body }) => {
      const services = c.get('services');
      // A login replaces the session the browser may still hold (no session fixation).
      const held = c.get('sessionId');
      if (held) await deleteSession(services.database.db, held);
      const result = await login(services, {
        ...body,
        ip: clientIp(c, services.config.TRUST_PROXY ?? false),
        userAgent: c.req.header('user-agent'),
      });
      setCookie(c, SESSION_COOKIE, result.token, {
        httpOnly: true,
        sameSite: 'Strict',
        path: '/',
        secure: services.config.COOKIE_SECURE ?? false,
        maxAge: services.config.SESSION_ABSOLUTE_HOURS * 3600,
      });
      const resolved = await resolveSession(services, result.token);
      if (!resolved) throw new AppError('INTERNAL', '会话创建失败');
      return meOf(resolved.actor, result.csrfToken, result.passwordChangeRequired);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/auth/logout',
    summary: '退出登录',
    tag: '认证',
    access: 'authenticated',
    handler: async (c) => {
      const sessionId = c.get('sessionId');
      const actor = c.get('actor')!;
      const { db } = c.get('services').database;
      if (sessionId) {
        await db.transaction(async (tx) => {
          await deleteSession(tx, sessionId);
          await writeAudit(tx, {
            actorId: actor.id,
            actorName: actor.username,
            action: 'logout',
            entity: 'user',
            entityId: actor.id,
          });
        });
      }
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return { ok: true };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/auth/me',
    summary: '当前用户',
    tag: '认证',
    access: 'authenticated',
    response: ZMe,
    handler: async (c) => {
      const { config, database } = c.get('services');
      const actor = c.get('actor')!;
      const user = await findUserById(database.db, actor.id);
      const required = user ? passwordChangeRequired(user, config.PASSWORD_MAX_AGE_DAYS) : false;
      return meOf(actor, c.get('csrfToken') ?? '', required);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/auth/password',
    summary: '修改本人密码（需原密码）',
    tag: '认证',
    access: 'authenticated',
    body: ZChangePassword,
    handler: async (c, { body }) => {
      await changePassword(c.get('services'), {
        ...body,
        userId: c.get('actor')!.id,
        sessionId: c.get('sessionId')!,
      });
      return { ok: true };
    },
  }),
];

const meOf = (actor: TActor, csrfToken: string, passwordChangeRequired: boolean) => ({
  id: actor.id,
  username: actor.username,
  displayName: actor.displayName,
  role: actor.role,
  orgCode: actor.orgCode,
  workerId: actor.workerId,
  permissions: [...actor.permissions],
  csrfToken,
  passwordChangeRequired,
});
