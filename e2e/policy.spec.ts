import { expect, test } from '@playwright/test';
import { adminCredentials, loginAs } from './helpers.ts';

test('[POLICY] read the Yinchuan pack and try the worked example with its explanation', async ({
  page,
}) => {
  const { username, password } = adminCredentials();
  await loginAs(page, username, password);
  await page.getByRole('menuitem', { name: '政策' }).click();
  await expect(page.getByText('银川', { exact: false }).first()).toBeVisible();
  await page.getByRole('tab', { name: /解读选项/ }).click();
  await expect(page.getByText('采用').first()).toBeVisible();
  // Rule shapes named in Chinese, not the engine's codes.
  await page.getByRole('tab', { name: /规则/ }).click();
  const rule = page.getByRole('row', { name: /四岗十八级/ });
  await expect(rule.getByText('按年限定级', { exact: true })).toBeVisible();
  await expect(page.getByText('grade-by-years', { exact: true })).toHaveCount(0);
  await page.getByRole('tab', { name: '试算' }).click();
  await page.getByRole('button', { name: /试\s*算/ }).click();
  // rules.md §3 worked example: 其他人员, 5 years, 本科, 助理社会工作师 → grade 4, 1.30, 2600 元.
  const value = page.getByTestId('eval-value');
  await expect(value).toContainText('"grade": 4');
  await expect(value).toContainText('"coefficient": "1.30"');
  await expect(value).toContainText('"basePayFen": 260000');
  await expect(page.getByTestId('trace')).toContainText('004 职业化 (十七)');
});

test('[POLICY] a pack dated by its document says why it starts that day (长春新区)', async ({
  page,
}) => {
  const { username, password } = adminCredentials();
  await loginAs(page, username, password);
  await page.getByRole('menuitem', { name: '政策' }).click();
  await page.getByTestId('pack-select').click();
  await page
    .locator('.ant-select-dropdown:visible .ant-select-item-option', {
      hasText: 'changchun-xinqu-2020',
    })
    .click();
  // 000 names no day of entry into force: it applies from its date (000 三(一)).
  const basis = page.getByTestId('pack-effective-basis');
  await expect(basis).toContainText('意见落款2020年11月2日、未另定施行日期');
  await expect(basis).toContainText('000 三(一)');
  // The document by its title, issuer and number — not the transcript's file name.
  const sources = page.getByTestId('pack-sources');
  await expect(sources).toContainText('长春新区关于进一步加强城市社区专职工作者队伍建设的实施意见');
  await expect(sources).toContainText('长春新区党政综合办公室');
  await expect(sources).toContainText('长新党政办发〔2020〕30号');
  await expect(sources).not.toContainText('000_8841b7948fea7cb7.txt');
});
