import { expect, test } from '@playwright/test';
import { adminCredentials, apiLogin, chooseOption, chooseOrg, loginAs } from './helpers.ts';

test('[SYSTEM] create a street admin with a temporary password, then see it in the audit log and verify the chain', async ({
  page,
  request,
}) => {
  const { username, password } = adminCredentials();
  await loginAs(page, username, password);
  await page.getByRole('menuitem', { name: '系统' }).click();
  await page.getByRole('button', { name: '新建账号' }).click();
  await page.getByLabel('用户名', { exact: true }).fill('street-e2e');
  await page.getByLabel('姓名', { exact: true }).fill('街道管理员甲');
  // 三员分立: the three administrators' roles are not offered (made on the host), and say so.
  await page.getByLabel('角色', { exact: true }).click();
  const roles = page.locator('.ant-select-dropdown:visible .ant-select-item-option');
  await expect(roles.filter({ hasText: '街道管理员' })).toHaveCount(1);
  await expect(roles.filter({ hasText: /^(系统|安全|审计)管理员$/ })).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(
    page.getByText('三员）账号只能在服务器上用命令行 shegong user add 创建'),
  ).toBeVisible();
  await chooseOption(page, '角色', '街道管理员');
  await chooseOrg(page, '所属机构', ['全国', '宁夏回族自治区', '银川市', '兴庆区', '凤凰北街街道']);
  await page.getByRole('button', { name: /创\s*建/ }).click();
  await expect(page.getByTestId('temporary-password')).toHaveText(/^[A-Za-z0-9]{16}$/);
  await page.getByRole('button', { name: /知道了|OK|确\s*定/ }).click();
  await expect(page.getByRole('cell', { name: 'street-e2e' })).toBeVisible();
  await expect(page.getByText('须改密码')).toBeVisible();
  // One's own account is not administered here; disabling another asks first.
  const own = page.getByRole('row', { name: new RegExp(`^${username} `) });
  await expect(own).toContainText('本人账号');
  await expect(own.getByRole('button')).toHaveCount(0);
  const account = page.getByRole('row', { name: /street-e2e/ });
  await account.getByRole('button', { name: /停\s*用/ }).click();
  await expect(
    page.getByRole('dialog', { name: '停用账号 street-e2e（街道管理员甲）？' }),
  ).toBeVisible();
  await page.getByRole('button', { name: /取\s*消/ }).click();
  await expect(account).toContainText('须改密码');

  // … nor granted through the API, even by the system administrator.
  const grant = await request.post('/api/users', {
    data: {
      username: 'sec-e2e',
      displayName: '安全管理员',
      role: 'security-admin',
      orgCode: '000000',
    },
    headers: await apiLogin(request, { username, password }),
  });
  expect(grant.status()).toBe(403);
  expect(((await grant.json()) as { error: { message: string } }).error.message).toContain(
    '不能在此授予“安全管理员”角色',
  );

  await page.getByRole('menuitem', { name: '审计' }).click();
  // Actions and objects in Chinese, the time as YYYY-MM-DD HH:mm:ss (not `create`, `user`, 2026/12/7).
  const created = page
    .locator('tr', { has: page.getByRole('cell', { name: '新建', exact: true }) })
    .first();
  await expect(created.getByRole('cell', { name: '账号', exact: true })).toBeVisible();
  await expect(created.locator('td').nth(2)).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  await expect(page.getByRole('cell', { name: 'create', exact: true })).toHaveCount(0);
  await page.getByRole('button', { name: '校验审计链' }).click();
  await expect(page.getByText(/审计链完整：共 \d+ 条记录/)).toBeVisible();
});
