import { expect, type Page, test } from '@playwright/test';
import { adminCredentials, chooseOrg, loginAs } from './helpers.ts';

// A long flow through several pages; the shared test machine can be slow.
test.describe.configure({ timeout: 240_000 });

const STREET = ['全国', '宁夏回族自治区', '银川市', '兴庆区', '解放西街街道'];

/** Opens the cycle of a year for the street, creating it with the pack's dimensions. */
const openCycle = async (page: Page, year: number) => {
  await page.getByRole('menuitem', { name: '考核' }).click();
  await page.getByRole('button', { name: '建立年度考核' }).click();
  await chooseOrg(page, '考核单位', STREET);
  await page.getByLabel('考核年度').fill(String(year));
  // 银川 (十三): 德、能、勤、绩、廉; weights left to the county's 考核细则 (equal by default).
  await expect(page.getByLabel('廉权重')).toBeVisible();
  await page
    .locator('.ant-modal:visible')
    .getByRole('button', { name: /建\s*立/ })
    .click();
  await expect(page.getByText(`${year}年度考核`)).toBeVisible();
};

test('[ASSESS] two 不合格 years lead to an exit proposal citing the clause', async ({ page }) => {
  const { username, password } = adminCredentials();
  await loginAs(page, username, password);
  await openCycle(page, 2024);
  const table = page.getByTestId('cycle-table');
  const first = table.locator('tbody tr.ant-table-row').first();
  const name = ((await first.locator('td').first().textContent()) ?? '').trim();
  await first.getByLabel(`${name}考核等次`).click();
  await page
    .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '不合格' })
    .click();
  await expect(first).toContainText('不合格');

  await openCycle(page, 2025);
  const row = page
    .getByTestId('cycle-table')
    .locator('tbody tr.ant-table-row', { hasText: name })
    .first();
  await row.getByLabel(`${name}考核等次`).click();
  await page
    .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '不合格' })
    .click();
  await expect(row).toContainText('不合格');
  await page.getByRole('button', { name: '生成处理建议' }).click();
  const proposals = page.getByTestId('proposal-table');
  const exit = proposals.locator('tr', { hasText: name }).filter({ hasText: '退出' });
  // Demo history may hold an earlier 不合格 of the same person: at least the two recorded here.
  await expect(exit).toContainText(/已连续[2-9]年（至2025年度）考核为不合格/, {
    timeout: 60_000,
  });
  await expect(exit).toContainText('004 职业化 (十四)');
  await expect(exit).toContainText('待审批');

  // The same proposal waits in the to-do list of the approver.
  await page.getByRole('menuitem', { name: '待办' }).click();
  await expect(page.getByTestId('proposal-table').locator('tr', { hasText: name })).toContainText(
    '004 职业化 (十四)',
  );
});
