import { expect, test } from '@playwright/test';
import ExcelJS from 'exceljs';
import { adminCredentials, idNumber, loginAs } from './helpers.ts';

/** A small 花名册 as a street office keeps it: a title row, two good rows and a wrong one. */
const roster = async () => {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('花名册');
  ws.getColumn(3).numFmt = '@';
  ws.addRow(['凤凰北街街道社区工作者花名册']);
  ws.addRow(['序号', '姓名', '身份证号码', '学历', '社区代码', '职务', '参加社区工作时间']);
  ws.addRow([
    1,
    '导入甲',
    idNumber('64010419910101051'),
    '本科',
    '640104001001',
    '网格员',
    '2021/3/1',
  ]);
  ws.addRow([
    2,
    '导入乙',
    idNumber('64010419920202052'),
    '大专',
    '640104001001',
    '委员',
    '2020年5月',
  ]);
  ws.addRow([3, '导入丙', '640104199303030530', '本科', '640104001001', '网格员', '2020-01-01']);
  ws.mergeCells('A1:G1');
  return Buffer.from(await wb.xlsx.writeBuffer());
};

test('[IMPORT] upload a roster, read the dry-run report, commit the valid rows, find them in the list', async ({
  page,
}) => {
  const { username, password } = adminCredentials();
  await loginAs(page, username, password);
  await page.getByRole('menuitem', { name: '数据导入' }).click();
  await page.locator('input[type=file]').setInputFiles({
    name: '花名册.xlsx',
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: await roster(),
  });
  await page.getByRole('button', { name: '检查文件' }).click();

  // Dry run: nothing written, the wrong row named with its row and column.
  const counts = page.getByTestId('import-counts');
  await expect(counts).toContainText('数据行3');
  await expect(counts).toContainText('有效2');
  await expect(counts).toContainText('有误1');
  await expect(counts).toContainText('新增2');
  const issues = page.getByTestId('import-issues');
  await expect(issues).toContainText('身份证号校验位错误');
  await expect(issues.getByRole('row', { name: /校验位错误/ })).toContainText('5');
  const report = page.waitForEvent('download');
  await page.getByRole('link', { name: /下载错误报告/ }).click();
  expect((await report).suggestedFilename()).toContain('错误报告');

  await page.getByRole('radio', { name: /跳过有误的行/ }).check();
  await page.getByRole('button', { name: '确认导入' }).click();
  await expect(page.getByTestId('import-result')).toContainText('新增 2');
  await expect(page.getByTestId('import-batches')).toContainText('已导入');

  await page.getByRole('menuitem', { name: '社区工作者' }).click();
  await page.getByPlaceholder('姓名、身份证号或手机号').fill('导入');
  await page.getByRole('button', { name: /查\s*询/ }).click();
  await expect(page.getByRole('link', { name: '导入甲' })).toBeVisible();
  await expect(page.getByRole('link', { name: '导入乙' })).toBeVisible();
  await expect(page.getByRole('link', { name: '导入丙' })).toHaveCount(0);

  // Its history shows the import's 登记, kept in the batch's snapshot document.
  await page.getByRole('link', { name: '导入甲' }).click();
  const history = page.getByTestId('history-table');
  await expect(history).toContainText('登记');
  await expect(history).toContainText(username);
});
