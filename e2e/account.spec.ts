import { expect, test } from '@playwright/test';
import { adminCredentials, apiLogin, logout } from './helpers.ts';

const NEW_PASSWORD = 'Brand-New-Pass9';

test('[ACCOUNT] a new account must replace its temporary password before anything else', async ({
  page,
  request,
}) => {
  // The administrator creates an account through the API; it gets a temporary password.
  const { username, password } = adminCredentials();
  const headers = await apiLogin(request, { username, password });
  const name = `e2e-${Date.now() % 1_000_000}`;
  const created = await request.post('/api/users', {
    data: {
      username: name,
      displayName: '临时账号',
      role: 'street-admin',
      orgCode: '640104001000',
    },
    headers,
  });
  expect(created.status()).toBe(201);
  const { temporaryPassword } = (await created.json()) as { temporaryPassword: string };

  await page.goto('/login');
  await page.getByLabel('用户名').fill(name);
  await page.getByLabel('密码').fill(temporaryPassword);
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await expect(page).toHaveURL(/\/account\/password$/);
  await expect(page.getByText('临时密码，请先设置新密码')).toBeVisible();
  // Anywhere else leads back here.
  await page.goto('/workers');
  await expect(page).toHaveURL(/\/account\/password$/);

  await page.getByLabel('原密码').fill(temporaryPassword);
  await page.getByLabel('新密码', { exact: true }).fill('short');
  await page.getByLabel('确认新密码').fill('short');
  await page.getByRole('button', { name: '确认修改' }).click();
  await expect(page.getByText('密码长度至少10位')).toBeVisible();

  await page.getByLabel('新密码', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('确认新密码').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: '确认修改' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('user-menu')).toBeVisible();

  await logout(page);
  await page.getByLabel('用户名').fill(name);
  await page.getByLabel('密码').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await expect(page.getByTestId('user-menu')).toBeVisible();
  await expect(page).not.toHaveURL(/account\/password/);
});
