import { expect, type Page, test } from '@playwright/test';
import {
  adminCredentials,
  chooseFirstOption,
  chooseOption,
  chooseOrg,
  fillDate,
  idNumber,
  loginAs,
} from './helpers.ts';

// A long flow through several pages; the shared test machine can be slow.
test.describe.configure({ timeout: 240_000 });

const iso = (offsetDays: number) => {
  const d = new Date(Date.now() + 8 * 3_600_000 + offsetDays * 86_400_000);
  return d.toISOString().slice(0, 10);
};

const nextStep = async (page: Page, step: string) => {
  await page.getByRole('button', { name: `进入下一环节：${step}` }).click();
  await expect(page.getByTestId('campaign-step')).toHaveText(step);
};

test('[RECRUIT] run a recruitment from announcement to hire', async ({ page }) => {
  const { username, password } = adminCredentials();
  await loginAs(page, username, password);
  await page.getByRole('menuitem', { name: '招聘' }).click();
  await page.getByRole('button', { name: '发布招聘公告' }).click();
  await page.getByLabel('公告标题').fill('兴庆区专职社区网格员招聘公告');
  await chooseOrg(page, '组织单位', ['全国', '宁夏回族自治区', '银川市', '兴庆区']);
  // A community with a free post under its quota (职数 less those in post).
  await chooseFirstOption(page, '招聘社区');
  await page
    .locator('.ant-modal:visible')
    .getByRole('button', { name: /发\s*布/ })
    .click();
  await expect(page.getByTestId('campaign-title')).toHaveText('兴庆区专职社区网格员招聘公告', {
    timeout: 30_000,
  });
  // 银川 (五): the nine steps of the procedure, from the pack.
  await expect(page.getByText('004 职业化 (五)')).toBeVisible();
  await expect(page.getByTestId('campaign-step')).toHaveText('公告');

  await nextStep(page, '报名');
  await page.getByRole('button', { name: '录入报名' }).click();
  const applicants = [
    { name: '应聘甲', id: idNumber('64010419950301002') },
    { name: '应聘乙', id: idNumber('64010419960402003') },
  ];
  for (const a of applicants) {
    await page.getByLabel('姓名', { exact: true }).fill(a.name);
    await page.getByLabel('身份证号', { exact: true }).fill(a.id);
    await chooseOption(page, '学历', '本科');
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await expect(page.getByTestId(`eligible-${a.name}`)).toHaveText('符合');
  }
  await page.getByRole('button', { name: '关 闭' }).click();

  await nextStep(page, '资格审查');
  for (const a of applicants) await chooseOption(page, `${a.name}资格审查`, '通过');
  await nextStep(page, '笔试');
  const score = async (label: string, value: string) => {
    const input = page.getByLabel(label);
    await input.fill(value);
    const saved = page.waitForResponse(
      (r) => r.url().includes('/api/recruitment/applications/') && r.request().method() === 'PATCH',
    );
    await input.blur();
    expect((await saved).status()).toBe(200);
  };
  await score('应聘甲笔试成绩', '82');
  await score('应聘乙笔试成绩', '78');
  await nextStep(page, '面试');
  await expect(page.getByTestId('application-table')).toContainText('82.00');
  await score('应聘甲面试成绩', '86');
  await score('应聘乙面试成绩', '90');
  await nextStep(page, '体检');
  await expect(page.getByTestId('application-table')).toContainText('90.00');
  // 50% × 82 + 50% × 86 = 84.00 against 84.00: equal totals, then the written score.
  await expect(page.getByTestId('application-table')).toContainText('84.00');
  await chooseOption(page, '应聘甲体检', '合格');
  await nextStep(page, '考察');
  await chooseOption(page, '应聘甲考察', '合格');
  await page.getByRole('button', { name: '进入下一环节：公示' }).click();
  await fillDate(page, '公示开始', iso(-10));
  await fillDate(page, '公示结束', iso(-3));
  await page
    .locator('.ant-modal:visible')
    .getByRole('button', { name: /确\s*定|OK/ })
    .click();
  await expect(page.getByTestId('campaign-step')).toHaveText('公示');
  await expect(page.getByTestId('application-table')).toContainText('拟聘用');

  await page.getByRole('button', { name: /聘\s*用/ }).click();
  await page
    .locator('.ant-modal:visible')
    .getByRole('button', { name: /确\s*定|OK/ })
    .click();
  await expect(page.getByTestId('campaign-step')).toHaveText('已完成');
  await page.getByRole('link', { name: '已聘用' }).click();
  // The hired applicant is a worker on the 3-month probation of 银川 (九).
  await expect(page.getByTestId('worker-name')).toHaveText('应聘甲');
  await expect(page.getByText('试用期', { exact: true }).first()).toBeVisible();
  await expect(page.getByTestId('archive-timeline')).toContainText('公开招聘聘用');
  await expect(page.getByTestId('archive-timeline')).toContainText('004 职业化 (九)');
});
