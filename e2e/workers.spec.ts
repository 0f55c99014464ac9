import { expect, test } from '@playwright/test';
import {
  adminCredentials,
  chooseOption,
  chooseOrg,
  fillDate,
  idNumber,
  loginAs,
} from './helpers.ts';

test('[REGISTRY] register a worker, find it in the list, edit it and see the audit history', async ({
  page,
}) => {
  const { username, password } = adminCredentials();
  await loginAs(page, username, password);
  await page.getByRole('menuitem', { name: '社区工作者' }).click();
  await expect(page.getByTestId('worker-total')).toBeVisible();
  await page.getByRole('button', { name: '登记工作者' }).click();

  // Saved empty: every missing field says so in Chinese (zod's own text was English).
  await page.getByRole('button', { name: /保\s*存/ }).click();
  await expect(page.getByText('请填写姓名')).toBeVisible();
  await expect(page.getByText('必填').first()).toBeVisible();
  await expect(page.getByText(/Invalid input|expected/)).toHaveCount(0);

  await page.getByLabel('姓名', { exact: true }).fill('测试甲');
  // A wrong check digit is refused on the field, in Chinese, before anything is sent.
  await page.getByLabel('身份证号', { exact: true }).fill('640104199003070011');
  await chooseOrg(page, '所在社区', [
    '全国',
    '宁夏回族自治区',
    '银川市',
    '兴庆区',
    '凤凰北街街道',
    '社区',
  ]);
  await chooseOption(page, '职务', '网格员');
  await chooseOption(page, '学历', '大专');
  await fillDate(page, '开始从事社区工作', '2019-03-01');
  await page.getByRole('button', { name: /保\s*存/ }).click();
  await expect(page.getByText('身份证号校验位错误')).toBeVisible();

  const id = idNumber('64010419900307001');
  await page.getByLabel('身份证号', { exact: true }).fill(id);
  await page.getByRole('button', { name: /保\s*存/ }).click();
  await expect(page.getByTestId('worker-name')).toHaveText('测试甲');
  await expect(page.getByText('1990-03-07')).toBeVisible();
  await expect(page.getByTestId('archive-timeline')).toContainText('任网格员');

  // The list finds the new worker by name and by full ID number.
  await page.getByRole('menuitem', { name: '社区工作者' }).click();
  await page.getByPlaceholder('姓名、身份证号或手机号').fill(id);
  await page.getByRole('button', { name: /查\s*询/ }).click();
  await expect(page.getByRole('link', { name: '测试甲' })).toBeVisible();
  await expect(page.getByTestId('worker-total')).toHaveText(/共 1 人/);
  await page.getByRole('link', { name: '测试甲' }).click();

  // Edit: education 大专 → 本科; the history shows who changed what.
  await page.getByRole('button', { name: /修\s*改/ }).click();
  await chooseOption(page, '学历', '本科');
  await page.getByLabel('变动原因').fill('取得本科学历');
  await page.getByRole('button', { name: /保\s*存/ }).click();
  await expect(page.getByText('已保存')).toBeVisible();
  const history = page.getByTestId('history-table');
  await expect(history).toContainText('修改');
  await expect(history).toContainText('学历');
  await expect(history).toContainText('登记');
  await history.locator('.ant-table-row-expand-icon').first().click();
  await expect(page.getByText('大专 → 本科')).toBeVisible();
  // The archive dates the change (学历变动, from today): earlier months are paid on 大专.
  await expect(page.getByTestId('archive-timeline')).toContainText('学历变更为本科（原大专）');
});

test('[REGISTRY] a demo worker’s history starts with its creation by the demo load', async ({
  page,
}) => {
  const { username, password } = adminCredentials();
  await loginAs(page, username, password);
  await page.getByRole('menuitem', { name: '社区工作者' }).click();
  await expect(page.getByTestId('worker-total')).toBeVisible();
  await page.locator('tbody a[href^="/workers/"]').first().click();
  const history = page.getByTestId('history-table');
  await expect(history).toContainText('登记');
  await expect(history).toContainText('system');
});
