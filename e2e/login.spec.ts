import { expect, test } from '@playwright/test';
import { adminCredentials, loginAs, logout } from './helpers.ts';

test('[AUTH] a wrong password is refused with a Chinese message', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码').fill('wrong-password');
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await expect(page.getByText('用户名或密码错误')).toBeVisible();
});

test('[AUTH][HOME] the administrator logs in and sees the demo org tree with counts', async ({
  page,
}) => {
  const { username, password } = adminCredentials();
  await loginAs(page, username, password);
  const tree = page.getByTestId('org-tree');
  await expect(tree.getByText('全国（全国）')).toBeVisible();
  // The demo's three cities sit under their provinces; expand 宁夏 to reach 银川市.
  await page.getByRole('cell', { name: '宁夏回族自治区' }).click();
  await expect(page.getByRole('cell', { name: '银川市' })).toBeVisible();
  await page.getByRole('cell', { name: '银川市' }).click();
  for (const county of ['兴庆区', '西夏区', '金凤区', '永宁县', '贺兰县', '灵武市']) {
    await expect(page.getByRole('cell', { name: county, exact: true })).toBeVisible();
  }
  const workers = page.getByTestId('worker-count');
  await expect(workers).not.toHaveText(/^-?$/);
  await expect(
    page.getByText('银川市推进社区工作者队伍职业化建设的实施意见（试行）（yinchuan-2018）'),
  ).toBeVisible();
  // Expanding the tree lazily loads children from the API.
  await tree.locator('.ant-tree-switcher').first().click();
  await expect(tree.getByText('宁夏回族自治区（省级）')).toBeVisible();
  await logout(page);
});
