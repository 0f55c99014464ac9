import { type APIRequestContext, expect, test } from '@playwright/test';
import { adminCredentials, apiLogin, fillDate, idNumber, loginAs, logout } from './helpers.ts';

const NEW_PASSWORD = 'Pay-Locker-Pass9';

/** A new account with its own password (the temporary one replaced through the API). */
const newAccount = async (
  request: APIRequestContext,
  role: string,
  orgCode: string,
): Promise<{ username: string; password: string }> => {
  const headers = await apiLogin(request, adminCredentials());
  const username = `e2e-lock-${Date.now() % 1_000_000}`;
  const created = await request.post('/api/users', {
    data: { username, displayName: '市民政局经办人', role, orgCode },
    headers,
  });
  expect(created.status()).toBe(201);
  const { temporaryPassword } = (await created.json()) as { temporaryPassword: string };
  const changed = await request.post('/api/auth/password', {
    data: { oldPassword: temporaryPassword, newPassword: NEW_PASSWORD },
    headers: await apiLogin(request, { username, password: temporaryPassword }),
  });
  expect(changed.status()).toBe(200);
  return { username, password: NEW_PASSWORD };
};

test('[PAY] compute a street month, open a 为什么, review, and lock by another person', async ({
  page,
  request,
}) => {
  // A whole street computed, then two people's sessions: more than the default minute when the
  // machine is shared.
  test.setTimeout(180_000);
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
  const sheetUrl = page.url();

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

  // Review. The reviewer may not also lock the sheet (separation of duties).
  await page.getByRole('button', { name: '审核' }).click();
  await page.locator('.ant-popconfirm').getByRole('button', { name: '审 核' }).click();
  await expect(page.getByTestId('pay-run-status')).toHaveText('已审核');
  // The sheet names its reviewer and when; the reviewer's 锁定 is disabled and says why.
  await expect(page.getByTestId('pay-run-reviewed')).toContainText('系统管理员');
  await expect(page.getByTestId('pay-run-reviewed')).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
  await expect(page.getByRole('button', { name: '锁定' })).toBeDisabled();
  await page.getByTestId('pay-lock-own-review').hover();
  await expect(page.getByRole('tooltip')).toContainText('您审核了本表，不能再锁定');
  await expect(page.getByTestId('pay-run-status')).toHaveText('已审核');

  // Another person of the city bureau locks it: a locked sheet says so and offers no changes.
  const locker = await newAccount(request, 'civil-affairs-admin', '640100');
  await logout(page);
  await loginAs(page, locker.username, locker.password);
  await page.goto(sheetUrl);
  await expect(page.getByTestId('pay-run-status')).toHaveText('已审核', { timeout: 30_000 });
  await expect(page.getByTestId('pay-run-reviewed')).toContainText('系统管理员');
  await page.getByRole('button', { name: '锁定' }).click();
  await page.locator('.ant-popconfirm').getByRole('button', { name: '锁 定' }).click();
  await expect(page.getByTestId('pay-run-status')).toHaveText('已锁定');
  await expect(page.getByText('本表已锁定，不再变动')).toBeVisible();
  await expect(page.getByTestId('pay-run-locked')).toContainText('市民政局经办人');
  await expect(page.getByRole('button', { name: '审核' })).toHaveCount(0);
});

test("[PAY] a worker's 薪酬 tab: each figure with its 为什么 and clause", async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  // A 网格员 (套改表 “其他人员”) since 2021-03-01, 本科, 助理社会工作师 (2022).
  const admin = adminCredentials();
  const headers = await apiLogin(request, admin);
  const created = await request.post('/api/workers', {
    data: {
      name: '薪酬测试',
      idNumber: idNumber('64010419850615123'),
      communityCode: '640104001001',
      postTitle: '网格员',
      serviceStartedOn: '2021-03-01',
      hiredOn: '2021-03-01',
      educationLevel: '本科',
      certificateLevel: '助理社会工作师',
      certificateDate: '2022-01-01',
    },
    headers,
  });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = (await created.json()) as { id: string };

  await loginAs(page, admin.username, admin.password);
  await page.goto(`/workers/${id}`);
  await expect(page.getByTestId('worker-name')).toHaveText('薪酬测试');
  await page.getByRole('tab', { name: '薪酬' }).click();
  await fillDate(page, '月份', '2026-07');
  // 004 附件: 其他人员 5年 → 2级, 本科 +1, 助理社会工作师 +1 = 4级, 系数1.30, 2000 × 1.30 = 2600元.
  const figures = page.getByTestId('worker-pay-figures');
  const row = (label: string) => figures.locator('tr', { hasText: label });
  await expect(row('岗位等级')).toContainText('4级');
  await expect(row('等级系数')).toContainText('1.30');
  await expect(row('基本薪酬')).toContainText('2,600.00元/月');
  await expect(row('本月应发')).toContainText('2,600.00元（在岗31/31天）');

  await row('基本薪酬').getByRole('button', { name: '基本薪酬的计算依据' }).click();
  const drawer = page.getByTestId('worker-pay-explain');
  await expect(drawer.getByTestId('trace').first()).toBeVisible();
  await expect(drawer).toContainText('基本工资 = 2,000.00元 × 1.30 = 2,600.00元/月');
  await expect(drawer).toContainText('004 职业化 (十六)、附件');
  await page.keyboard.press('Escape');

  await row('岗位等级').getByRole('button', { name: '岗位等级的计算依据' }).click();
  await expect(drawer).toContainText('004 职业化 (十七)');
});

test("[PAY] a month split at a new post: the 分段计算 table on the worker's 薪酬 tab", async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  // 网格员 (其他人员) since 2020: 6年 → 2级 1.20, 2400元; 副主任 (副职) from 16 November 2026:
  // 4-6年 → 5级 1.35, 2700元 (004 附件 套改表). November: 1200.00 + 1350.00 = 2550.00元.
  const admin = adminCredentials();
  const headers = await apiLogin(request, admin);
  const created = await request.post('/api/workers', {
    data: {
      name: '分段测试',
      idNumber: idNumber('64010419850615124'),
      communityCode: '640104001001',
      postTitle: '网格员',
      serviceStartedOn: '2020-01-01',
      hiredOn: '2020-01-01',
      educationLevel: '大专',
    },
    headers,
  });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const moved = await request.patch(`/api/workers/${id}`, {
    data: { version: 1, postTitle: '副主任', effectiveOn: '2026-11-16', reason: '调任副主任' },
    headers,
  });
  expect(moved.status(), await moved.text()).toBe(200);

  await loginAs(page, admin.username, admin.password);
  await page.goto(`/workers/${id}`);
  await expect(page.getByTestId('worker-name')).toHaveText('分段测试');
  await page.getByRole('tab', { name: '薪酬' }).click();
  await fillDate(page, '月份', '2026-11');
  const figures = page.getByTestId('worker-pay-figures');
  await expect(figures.locator('tr', { hasText: '本月应发' })).toContainText('2,550.00元');
  const parts = page.getByTestId('pay-parts').first();
  await expect(parts.locator('tbody tr')).toHaveCount(2);
  await expect(parts).toContainText('2026-11-16 至 2026-11-30');
  await expect(parts).toContainText('职务：网格员 → 副主任');
  await expect(parts).toContainText('人事档案');
  await expect(parts).toContainText('1,350.00元');
});
