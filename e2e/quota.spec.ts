import { expect, test } from '@playwright/test';
import ExcelJS from 'exceljs';
import { adminCredentials, loginAs } from './helpers.ts';

test('[QUOTA] open 职数核定, drill from the country to a community, open an explanation, export a county', async ({
  page,
}) => {
  const { username, password } = adminCredentials();
  await loginAs(page, username, password);
  await page.getByRole('menuitem', { name: '职数核定' }).click();
  await expect(page.getByTestId('quota-node-name')).toHaveText('全国');
  // The pack set at this node by its name, not its id.
  await expect(
    page.getByText('关于加强社区工作者队伍建设的意见（全国）', { exact: true }),
  ).toBeVisible();
  const children = page.getByTestId('quota-children');
  for (const name of ['宁夏回族自治区', '银川市', '兴庆区']) {
    await children.getByRole('link', { name, exact: true }).click();
    await expect(page.getByTestId('quota-node-name')).toHaveText(name);
  }
  // 兴庆区: the 每万人18名 standard of the national pack applies to the county (003 二.3).
  await expect(page.getByText('社区工作者（政策标准）')).toBeVisible();

  // The county's 配备明细表 (one row per community) as .xlsx.
  await page.getByTestId('quota-export').click();
  const link = page.getByRole('link', { name: '下载文件' });
  await expect(link).not.toHaveAttribute('aria-disabled', 'true', { timeout: 30_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(await download.path());
  expect(wb.worksheets[0]!.getRow(1).getCell(10).value).toBe('核定职数（下限）');
  await page.keyboard.press('Escape');

  // A street, then its first community.
  await children.getByRole('link').first().click();
  await expect(page.getByTestId('quota-node-name')).toHaveText(/街道$/);
  const community = children.getByRole('link').first();
  const communityName = ((await community.textContent()) ?? '').trim();
  await community.click();
  await expect(page.getByTestId('quota-node-name')).toHaveText(communityName);
  const lines = page.getByTestId('quota-community');
  await expect(lines).toContainText('两委成员');
  await expect(lines).toContainText('网格员');

  // 为什么: the trace of the Yinchuan pack with its clause.
  await page.getByRole('button', { name: '为什么是这个职数' }).click();
  const drawer = page.getByTestId('quota-explain');
  await expect(drawer.getByTestId('trace')).toBeVisible();
  await expect(drawer).toContainText('004 职业化 (三)');
  await expect(drawer).toContainText('两委成员');
});
