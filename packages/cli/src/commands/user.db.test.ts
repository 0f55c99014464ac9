import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemActor, type TServices } from '@shegong/server';
import { ensureRootOrg } from '@shegong/server/bootstrap.ts';
import { appUser } from '@shegong/server/db/schema/index.ts';
import {
  resetPassword,
  unlockUser,
  updateUser,
  userIdByName,
} from '@shegong/server/modules/auth/manage-user.ts';
import { createClient, seedUser, TEST_PASSWORD } from '@shegong/server/testing/test-app.ts';
import { createTestServices, ctxFor, testDbKind } from '@shegong/server/testing/test-db.ts';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// 三员分立: the web refuses to change the three administrators' accounts (manage-user.ts,
// targetUser), so a forgotten password or a departed administrator is handled on the host:
// `shegong user reset-password | unlock | disable | enable <username>`, audited as the system.

describe(`shegong user on the host (${testDbKind()})`, () => {
  let services: TServices;
  beforeAll(async () => {
    services = await createTestServices();
    await ensureRootOrg(services);
    await seedUser(services, { username: 'sec', role: 'security-admin', orgCode: '000000' });
    await seedUser(services, { username: 'sys', role: 'system-admin', orgCode: '000000' });
  });
  afterAll(() => services.database.close());

  it('resets, unlocks, disables and enables an administrator as the host, never through the web', async () => {
    const host = ctxFor(services, systemActor());
    const sys = await userIdByName(host, 'sys');
    // Through the web, the security administrator may not touch the system administrator.
    const sec = createClient(services);
    expect((await sec.login('sec')).status).toBe(200);
    expect((await sec.post(`/api/users/${sys}/reset-password`)).status).toBe(403);
    // The same function on the host may.
    const { password } = await resetPassword(host, sys, true);
    const web = createClient(services);
    expect((await web.login('sys', TEST_PASSWORD)).status).toBe(401);
    const login = await web.login('sys', password);
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    const row = async () =>
      (await services.database.db.select().from(appUser).where(eq(appUser.username, 'sys')))[0]!;
    expect((await row()).mustChangePassword).toBe(true);
    // Without onHost the functions keep refusing, whoever calls them.
    await expect(resetPassword(host, sys)).rejects.toThrow(/只能在服务器上用命令行/);
    await services.database.db
      .update(appUser)
      .set({ failedLogins: 9, lockedUntil: new Date(Date.now() + 3_600_000).toISOString() })
      .where(eq(appUser.id, sys));
    await unlockUser(host, sys, true);
    expect(await row()).toMatchObject({ failedLogins: 0, lockedUntil: null });
    await updateUser(host, sys, { disabled: true }, true);
    expect((await web.get('/api/auth/me')).status).toBe(401);
    expect((await createClient(services).login('sys', password)).status).not.toBe(200);
    await updateUser(host, sys, { disabled: false }, true);
    expect((await createClient(services).login('sys', password)).status).toBe(200);
    await expect(userIdByName(host, 'nobody')).rejects.toThrow('用户“nobody”不存在');
  });

  it.runIf(testDbKind() === 'pglite')(
    'the commands, run on a data directory: reset-password prints a temporary password once',
    () => {
      const BIN = fileURLToPath(new URL('../../bin/shegong.mjs', import.meta.url));
      const dir = mkdtempSync(path.join(os.tmpdir(), 'shegong-user-'));
      const env = { ...process.env, DATA_DIR: dir, DATABASE_URL: '', DEMO: 'false' };
      const run = (...args: string[]) =>
        spawnSync(process.execPath, [BIN, 'user', ...args], { encoding: 'utf8', env });
      try {
        const add = run(
          'add',
          '--role',
          'audit-admin',
          '--org',
          '000000',
          '--name',
          '审计员',
          '--username',
          'aud',
        );
        expect(add.status, add.stderr).toBe(0);
        const reset = run('reset-password', 'aud');
        expect(reset.status, reset.stderr).toBe(0);
        expect(reset.stdout).toMatch(/临时密码（仅显示这一次，下次登录须修改）：\S{12,}/);
        const missing = run('disable', 'nobody');
        expect(missing.status).not.toBe(0);
        expect(missing.stderr).toContain('用户“nobody”不存在');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    180_000,
  );
});
