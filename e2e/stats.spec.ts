import { expect, test } from '@playwright/test';
import ExcelJS from 'exceljs';
import { adminCredentials, loginAs } from './helpers.ts';

test('[STATS] open the dashboard, drill down two levels by a bar and a row, export the table', async ({
  page,
}) => {
  const { username, password } = adminCredentials();
  await loginAs(page, username, password);
  await page.getByRole('menuitem', { name: '统计' }).click();
  await expect(page.getByTestId('stats-node-name')).toHaveText('全国');
  await expect(page.getByTestId('stats-headcount')).toContainText(/\d/);
  await expect(page.getByTestId('stat-card-education')).toBeVisible();

  // Level 1: click the longest bar of the children chart (bars are sorted, largest on top).
  const chart = page.getByTestId('stats-children-chart');
  await expect(chart.locator('canvas')).toBeVisible();
  const box = (await chart.boundingBox())!;
  const children = 3;
  const band = (box.height - 32 - 48) / children;
  await page.mouse.click(box.x + box.width * 0.6, box.y + 32 + band / 2);
  await expect(page.getByTestId('stats-node-name')).toHaveText('宁夏回族自治区');
  await expect(page.getByTestId('stats-trail')).toContainText('全国');
  await expect(page).toHaveURL(/\/stats\/640000$/);

  // Level 2: the same children as a table; a row drills into that child.
  const panel = page.getByTestId('stats-children');
  await panel.getByText('表格', { exact: true }).click();
  await panel.getByRole('row', { name: /银川市/ }).click();
  await expect(page.getByTestId('stats-node-name')).toHaveText('银川市');
  await expect(page).toHaveURL(/\/stats\/640100$/);
  await expect(page.getByTestId('stats-targets')).toContainText('大专及以上学历');
  // 职数配备率 (against the quota) and 按标准应配 (against the population standard) say which
  // standard each follows, with its clause from the pack.
  await page.getByTestId('stats-quota-help').hover();
  const quotaTip = page.locator('.ant-tooltip:visible', { hasText: '核定职数' });
  await expect(quotaTip).toContainText('两委成员、专职网格员');
  await expect(quotaTip).toContainText('004 职业化 (三)');
  await expect(quotaTip).toContainText('按常住人口');
  await page.getByTestId('stats-standard-help').hover();
  await expect(
    page.locator('.ant-tooltip:visible', { hasText: '按常住人口配备标准计算' }),
  ).toContainText('003');

  // The comparison of the districts, exported as .xlsx: the same names and headcounts.
  await panel.getByText('表格', { exact: true }).click();
  const table = page.getByTestId('stat-table-children');
  await expect(table).toContainText('兴庆区');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: '导出下级单位对比' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^银川市-下级单位对比-\d{4}-\d{2}-\d{2}\.xlsx$/);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(await download.path());
  const ws = wb.worksheets[0]!;
  expect(ws.getRow(1).getCell(1).value).toBe('名称');
  const names: string[] = [];
  ws.eachRow((row, n) => {
    if (
      n > 1 &&
      typeof row.getCell(2).value === 'string' &&
      /^\d{6}$/.test(String(row.getCell(2).value))
    )
      names.push(String(row.getCell(1).value));
  });
  expect(names).toEqual(['兴庆区', '西夏区', '金凤区', '永宁县', '贺兰县', '灵武市']);
  const xingqing = table.getByRole('row', { name: /兴庆区/ });
  const shown = ((await xingqing.locator('td').nth(2).textContent()) ?? '').replace(/,/g, '');
  const exported = ws.getRows(2, ws.rowCount)!.find((r) => r.getCell(1).value === '兴庆区')!;
  expect(String(exported.getCell(3).value)).toBe(shown);

  // The periodic report of the city and its districts.
  const [report] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: /导出统计报表/ }).click(),
  ]);
  expect(report.suggestedFilename()).toMatch(/^银川市-统计报表-/);
});
