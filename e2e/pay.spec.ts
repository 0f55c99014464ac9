import { expect, test } from '@playwright/test';
import { adminCredentials, loginAs } from './helpers.ts';

test('[PAY] compute a street month, open a 为什么, review and lock the 工资发放表', async ({
  page,
}) => {
  const { username, password } = adminCredentials();
  await loginAs(page, username, password);
  await page.getByRole('menuitem', { name: '薪酬' }).click();
  await expect(page.getByRole('tab', { name: '工资发放表' })).toBeVisible();
  // The street 凤凰北街街道 of 兴庆区, July 2026.
  await page.goto('/pay?org=640104001000&month=2026-07');
  await page.getByTestId('pay-compute').click();
  await expect(page.getByTestId('job-progress')).toContainText('凤凰北街街道');
  // When the job ends the list shows the street's new sheet.
  const streets = page.getByTestId('pay-streets');
  await expect(streets).toContainText('草稿', { timeout: 60_000 });
  await streets.getByRole('link', { name: '凤凰北街街道' }).click();
  await expect(page.getByTestId('pay-run-status')).toHaveText('草稿');

  // 为什么 of the first line: the 四岗十八级 table and its clauses (004 附件, 职业化 (十七)).
  const lines = page.getByTestId('pay-lines');
  await expect(lines.locator('tr.ant-table-row').first()).toBeVisible();
  await lines
    .getByRole('button', { name: /的计算依据$/ })
    .first()
    .click();
  const drawer = page.getByTestId('pay-explain');
  await expect(drawer.getByTestId('trace')).toBeVisible();
  await expect(drawer).toContainText('004');
  await expect(drawer).toContainText('岗位类别');
  await page.keyboard.press('Escape');

  // Review, then lock: a locked sheet says so and offers no more changes.
  await page.getByRole('button', { name: '审核' }).click();
  await page.locator('.ant-popconfirm').getByRole('button', { name: '审 核' }).click();
  await expect(page.getByTestId('pay-run-status')).toHaveText('已审核');
  await page.getByRole('button', { name: '锁定' }).click();
  await page.locator('.ant-popconfirm').getByRole('button', { name: '锁 定' }).click();
  await expect(page.getByTestId('pay-run-status')).toHaveText('已锁定');
  await expect(page.getByText('本表已锁定，不再变动')).toBeVisible();
  await expect(page.getByRole('button', { name: '审核' })).toHaveCount(0);
});
