import { expect, test } from '@playwright/test';
import { adminCredentials, chooseOrg, fillDate, loginAs } from './helpers.ts';

// The pages of issue 7 beyond the four long flows: each loads for a 银川 node and does its
// main action (准入清单: request and approve an item; 合同: sign; 表彰: propose; 退出: cases).

test.describe.configure({ timeout: 180_000 });

const YINCHUAN = ['全国', '宁夏回族自治区', '银川市'];

test('[ADMIT] the 24 items of 004 附件2, and an approved request adds the 25th', async ({
  page,
}) => {
  const { username, password } = adminCredentials();
  await loginAs(page, username, password);
  await page.getByRole('menuitem', { name: '准入清单' }).click();
  await chooseOrg(page, '单位', YINCHUAN);
  await expect(page.getByText('（共24项）')).toBeVisible();
  await expect(page.getByText('004 管理体制 三(六)、附件2').first()).toBeVisible();
  await expect(page.getByTestId('work-items')).toContainText('党员教育管理');

  await page.getByRole('button', { name: '申请新增事项' }).click();
  const modal = page.locator('.ant-modal:visible');
  await modal.getByLabel('事项名称').fill('社区应急物资储备点日常管理');
  await modal.getByLabel('主管部门').fill('市应急管理局');
  await modal.getByLabel('主管部门').press('Enter');
  await modal.getByLabel('工作内容').fill('协助做好社区应急物资储备点的日常检查');
  await modal.getByLabel('申请理由').fill('防汛抗旱需要');
  await modal.getByLabel('经费保障（费随事转）').fill('市应急管理局按年度拨付');
  await modal.getByRole('button', { name: /确\s*定|OK/ }).click();
  await expect(page.getByText('已提交，待审批')).toBeVisible();

  await page.getByRole('tab', { name: /新增申请/ }).click();
  const row = page.locator('tr', { hasText: '社区应急物资储备点日常管理' });
  await expect(row).toContainText('待审批');
  await row.getByRole('button', { name: '批准' }).click();
  await expect(page.getByText('已批准，列入准入清单')).toBeVisible();
  await page.getByRole('tab', { name: /准入事项/ }).click();
  await expect(page.getByRole('tab', { name: '准入事项（25）' })).toBeVisible();
  await expect(page.getByTestId('work-items')).toContainText('社区应急物资储备点日常管理');
});

test('[CONTRACT] a contract is signed as the pack sets it', async ({ page }) => {
  const { username, password } = adminCredentials();
  await loginAs(page, username, password);
  await page.getByRole('menuitem', { name: '合同' }).click();
  await chooseOrg(page, '单位', [...YINCHUAN, '兴庆区', '富宁街街道', '社区']);
  const table = page.getByTestId('contract-table');
  // 银川 (九): elected members sign for the term; grid workers after a 3-month probation.
  await expect(table).toContainText('004 职业化 (九)');
  const row = table
    .locator('tbody tr.ant-table-row')
    .filter({ has: page.getByRole('button', { name: /签订|续签/ }) })
    .first();
  await row.getByRole('button', { name: /签订|续签/ }).click();
  const modal = page.locator('.ant-modal:visible');
  await expect(modal).toContainText('004 职业化');
  for (const label of ['本届任期届满日期', '终止日期'])
    if (await modal.getByLabel(label, { exact: true }).count())
      await fillDate(page, label, `${new Date().getFullYear() + 2}-12-31`);
  await modal.getByRole('button', { name: /确\s*定|OK/ }).click();
  await expect(page.getByText('合同已登记')).toBeVisible();
});

test('[HONOUR] long-service awards and the exit situations load with their clauses', async ({
  page,
}) => {
  const { username, password } = adminCredentials();
  await loginAs(page, username, password);
  await page.getByRole('menuitem', { name: '表彰' }).click();
  await chooseOrg(page, '单位', [...YINCHUAN, '兴庆区']);
  const honours = page.getByTestId('honour-table');
  await expect(honours.locator('tbody tr').first()).toBeVisible();
  // A person's community with its street (names repeat across streets).
  await expect(honours.locator('tbody tr').first()).toContainText(/（\S+街道 \/ \S+）/);
  // Awards in 元 with two decimals; after a reload (?org= in the address) the picker still names
  // the unit instead of showing its bare code.
  await expect(honours.getByRole('cell', { name: /^5,000\.00元$/ }).first()).toBeVisible();
  await page.reload();
  await expect(honours.locator('tbody tr').first()).toBeVisible();
  await expect(page.getByText('兴庆区（县级）', { exact: true })).toBeVisible();
  const propose = honours.getByRole('button', { name: '提出建议' }).first();
  if (await propose.count()) {
    await propose.click();
    await expect(page.getByText('已提出建议，待审批')).toBeVisible();
  }

  await page.getByRole('menuitem', { name: /^logout 退出$/ }).click();
  await chooseOrg(page, '单位', [...YINCHUAN, '兴庆区']);
  // 银川 (十四): the nine situations, each case with its evidence and clause.
  await expect(page.getByText(/004 职业化 .*\(十四\)/).first()).toBeVisible();
  const caseRow = page.locator('tr', { has: page.getByRole('button', { name: '提出退出建议' }) });
  const name = ((await caseRow.first().locator('td').first().textContent()) ?? '').replace(
    /（.*$/,
    '',
  );
  await caseRow.first().getByRole('button', { name: '提出退出建议' }).click();
  await page
    .locator('.ant-modal:visible')
    .getByRole('button', { name: /提\s*交/ })
    .click();
  await expect(page.getByText('退出建议已提出，待审批')).toBeVisible();
  await page.getByRole('tab', { name: /退出建议/ }).click();
  const proposal = page.getByTestId('proposal-table').locator('tr', { hasText: name });
  await expect(proposal).toContainText('待审批');
  await proposal.getByRole('button', { name: /批\s*准/ }).click();
  await expect(page.getByText('已批准并办理')).toBeVisible();
  await expect(proposal).toContainText('已批准');
});
