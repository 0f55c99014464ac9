import { expect, test } from '@playwright/test';
import { adminCredentials, chooseNthOption, chooseOrg, fillDate, loginAs } from './helpers.ts';

// A long flow through several pages; the shared test machine can be slow.
test.describe.configure({ timeout: 240_000 });

const iso = (offsetDays: number) =>
  new Date(Date.now() + 8 * 3_600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);

test('[SECOND] a secondment refused by the 5% limit, with the rule quoted', async ({ page }) => {
  const { username, password } = adminCredentials();
  await loginAs(page, username, password);
  await page.getByRole('menuitem', { name: '借调挂职' }).click();
  await chooseOrg(page, '单位', ['全国', '宁夏回族自治区', '银川市', '兴庆区', '文化街街道']);
  // 银川 (十一): at most 5% of a street's workers a year. Pending requests count, so requests
  // are made until the street's share is used up and the next one is refused.
  let refused = false;
  for (let i = 0; i < 4 && !refused; i++) {
    await page.getByRole('button', { name: '申请借调（挂职）' }).click();
    const modal = page.locator('.ant-modal:visible');
    // The workers load when the dropdown opens: an option clicked before they did was lost (CI).
    await chooseNthOption(page, '人员', i);
    await modal.getByLabel('借调（挂职）单位').fill('兴庆区民政局');
    await modal.getByLabel('事由').fill('重大工作任务');
    await fillDate(page, '开始日期', iso(7));
    await fillDate(page, '结束日期', iso(60));
    await modal.getByRole('button', { name: /提\s*交/ }).click();
    const refusal = page.getByTestId('secondment-refusal');
    const done = page.getByText('已提交，待审批');
    await expect(refusal.or(done).first()).toBeVisible();
    refused = await refusal.isVisible();
    if (refused) {
      await expect(refusal).toContainText('控制在实际社区工作者总人数的5%以内');
      await expect(refusal).toContainText('004 职业化 (十一)');
      await expect(refusal).toContainText('超过5%');
    }
  }
  expect(refused).toBe(true);
});
