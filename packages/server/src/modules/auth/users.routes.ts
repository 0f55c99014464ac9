import { defineRoute } from '../../http/route.ts';
import { createUser, ZCreateUser } from './create-user.ts';
import {
  listUsers,
  refuseAdminRoleGrant,
  resetPassword,
  unlockUser,
  updateUser,
  ZListUsers,
  ZUpdateUser,
  ZUserId,
} from './manage-user.ts';

const ZNewUser = ZCreateUser.omit({ password: true });

/** Account administration: the security administrator's work (user:manage). */
export const userRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/users',
    summary: '账号列表（本管辖范围）',
    tag: '账号与安全',
    access: 'user:manage',
    query: ZListUsers,
    handler: async (c, { query }) => listUsers(c.get('ctx'), query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/users',
    summary: '新建账号（生成临时密码，首次登录须修改）',
    tag: '账号与安全',
    access: 'user:manage',
    body: ZNewUser,
    status: 201,
    handler: async (c, { body }) => {
      refuseAdminRoleGrant(body.role);
      const created = await createUser(c.get('ctx'), body, { mustChangePassword: true });
      return { id: created.id, username: created.username, temporaryPassword: created.password };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/api/users/:id',
    summary: '修改账号的姓名、角色、所属机构或停用',
    tag: '账号与安全',
    access: 'user:manage',
    params: ZUserId,
    body: ZUpdateUser,
    handler: async (c, { params, body }) => updateUser(c.get('ctx'), params.id, body),
  }),
  defineRoute({
    method: 'post',
    path: '/api/users/:id/unlock',
    summary: '解除账号锁定',
    tag: '账号与安全',
    access: 'user:manage',
    params: ZUserId,
    handler: async (c, { params }) => unlockUser(c.get('ctx'), params.id),
  }),
  defineRoute({
    method: 'post',
    path: '/api/users/:id/reset-password',
    summary: '重置密码（生成临时密码，下次登录须修改）',
    tag: '账号与安全',
    access: 'user:manage',
    params: ZUserId,
    handler: async (c, { params }) => {
      const { password } = await resetPassword(c.get('ctx'), params.id);
      return { temporaryPassword: password };
    },
  }),
];
