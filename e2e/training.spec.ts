import { expect, test } from '@playwright/test';
import { adminCredentials, chooseOption, chooseOrg, fillDate, loginAs } from './helpers.ts';

// A long flow through several pages; the shared test machine can be slow.
test.describe.configure({ timeout: 240_000 });

const COMMUNITY = ['全国', '宁夏回族自治区', '银川市', '兴庆区', '富宁街街道', '社区'];

test('[TRAIN] training compliance turns green when the days are recorded', async ({ page }) => {
  const { username, password } = adminCredentials();
  await loginAs(page, username, password);
  await page.getByRole('menuitem', { name: '培训' }).click();
  await chooseOrg(page, '单位', COMMUNITY);
  const community = page.getByTestId('community-compliance');
  // 银川 (七): every worker ≥ 3 days a year; nobody has trained this year yet.
  await expect(community).toContainText('未全部达标');
  // Community names repeat across streets: each is named with its street.
  await expect(community).toContainText('富宁街街道 / ');
  await expect(page.getByTestId('person-compliance')).toContainText('富宁街街道 / ');
  await expect(page.getByText('004 职业化 (七)').first()).toBeVisible();
  await expect(page.getByTestId('person-compliance')).toContainText('还需3天');

  await page.getByRole('tab', { name: '培训班' }).click();
  await page.getByRole('button', { name: '登记培训班' }).click();
  const year = new Date().getFullYear();
  await page.getByLabel('培训名称').fill(`${year}年度社区工作者集中轮训`);
  await chooseOption(page, '培训类型', '轮训');
  await chooseOrg(page, '举办单位', COMMUNITY);
  await fillDate(page, '开始日期', `${year}-03-02`);
  await fillDate(page, '结束日期', `${year}-03-04`);
  await page.getByLabel('学时').fill('24');
  await page.getByLabel('天数').fill('3');
  await page.getByRole('button', { name: /保\s*存/ }).click();
  await page.getByRole('button', { name: '登记举办单位全部人员' }).click();
  await expect(page.getByText(/已登记 \d+ 人参训/)).toBeVisible();
  await page.locator('.ant-drawer-close').click();

  await page.getByRole('tab', { name: '达标情况' }).click();
  await expect(community).toContainText('全部达标');
  await expect(page.getByTestId('person-compliance')).not.toContainText('未达标');
});
