import { expect, type Page, test } from '@playwright/test';
import { adminCredentials, loginAs } from './helpers.ts';

// 退出 → 人走岗留, as a user sees it: an approved exit makes the worker 已退出 with the exit in
// the archive, and the community's 职数核定 shows one fewer in post and one more vacant seat.
// Several pages and a drill-down on a shared, slow machine: a generous timeout.
test.describe.configure({ timeout: 300_000 });

const XINGQING = '640104';

/** Today as the app dates things: a civil date in China (UTC+8). */
const todayIso = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

/** The signed integers of a 差额 text ("+2", "+2 至 +7", "-1", "+3以上"). */
const numbersOf = (text: string) => [...text.matchAll(/[+-]?\d+/g)].map((m) => Number(m[0]));

const readQuota = async (page: Page) => {
  await expect(page.getByTestId('quota-actual')).toBeVisible({ timeout: 60_000 });
  const actual = Number(
    (
      (await page
        .getByTestId('quota-actual')
        .locator('.ant-statistic-content-value')
        .textContent()) ?? ''
    )
      .replace(/,/g, '')
      .trim(),
  );
  const remainder = numbersOf(
    (await page.getByTestId('quota-remainder').locator('.ant-statistic-content').textContent()) ??
      '',
  );
  return { actual, remainder };
};

test('[EXIT] an approved exit: 已退出 with the archive item, one more vacant seat (人走岗留)', async ({
  page,
}) => {
  const { username, password } = adminCredentials();
  await loginAs(page, username, password);

  // A worker of 兴庆区 in one of the pack's exit situations (004 职业化 (十四)); the last case,
  // so as not to take the one the [HONOUR] flow takes.
  await page.goto(`/exit?org=${XINGQING}`);
  const cases = page.getByTestId('exit-cases');
  const caseRows = cases.locator('tr', {
    has: page.getByRole('button', { name: '提出退出建议' }),
  });
  await expect(caseRows.first()).toBeVisible({ timeout: 60_000 });
  const caseRow = caseRows.last();
  const link = caseRow.getByRole('link').first();
  const label = ((await link.textContent()) ?? '').trim();
  const name = label.replace(/（.*$/, '');
  const workerUrl = (await link.getAttribute('href')) ?? '';
  expect(workerUrl).toMatch(/^\/workers\//);

  // Before: the worker's page (in post) and the community's 职数核定, reached by drill-down.
  await page.goto(workerUrl);
  await expect(page.getByTestId('worker-name')).toHaveText(name, { timeout: 60_000 });
  await expect(page.getByTestId('worker-status')).not.toHaveText('已退出');
  const [streetName, communityName] = ((await page.getByTestId('worker-place').textContent()) ?? '')
    .split('/')
    .map((s) => s.trim());
  expect(streetName).toBeTruthy();
  expect(communityName).toBeTruthy();

  await page.getByRole('menuitem', { name: '职数核定' }).click();
  await expect(page.getByTestId('quota-node-name')).toHaveText('全国', { timeout: 60_000 });
  const children = page.getByTestId('quota-children');
  for (const node of ['宁夏回族自治区', '银川市', '兴庆区', streetName!, communityName!]) {
    await children.getByRole('link', { name: node, exact: true }).click();
    await expect(page.getByTestId('quota-node-name')).toHaveText(node, { timeout: 60_000 });
  }
  const quotaUrl = page.url();
  const before = await readQuota(page);
  expect(before.remainder.length).toBeGreaterThan(0);

  // Propose the exit (today) and approve it. A proposal left pending by an interrupted earlier
  // run of this spec is approved as it is.
  await page.goto(`/exit?org=${XINGQING}`);
  const row = page
    .getByTestId('exit-cases')
    .locator('tr', { hasText: label })
    .filter({ has: page.getByRole('button', { name: '提出退出建议' }) })
    .first();
  await row.getByRole('button', { name: '提出退出建议' }).click();
  const modal = page.locator('.ant-modal:visible');
  await modal.getByRole('button', { name: /提\s*交/ }).click();
  await expect(page.getByText(/退出建议已提出，待审批|已有待审批的退出建议/).first()).toBeVisible({
    timeout: 30_000,
  });
  if (await page.getByText('已有待审批的退出建议').count())
    await modal.getByRole('button', { name: /取\s*消/ }).click();
  await expect(modal).toHaveCount(0);
  await page.getByRole('tab', { name: /退出建议/ }).click();
  const proposal = page
    .getByTestId('proposal-table')
    .locator('tr', { hasText: name })
    .filter({ hasText: '待审批' })
    .first();
  await expect(proposal).toBeVisible();
  await proposal.getByRole('button', { name: /批\s*准/ }).click();
  await expect(page.getByText('已批准并办理')).toBeVisible({ timeout: 30_000 });

  // The worker's page: 已退出, the exit date, and the exit in the archive.
  await page.goto(workerUrl);
  await expect(page.getByTestId('worker-status')).toHaveText('已退出', { timeout: 60_000 });
  await expect(page.getByTestId('worker-exited-on')).toHaveText(todayIso());
  const timeline = page.getByTestId('archive-timeline');
  await expect(timeline).toContainText(`${todayIso()} · 退出`);
  await expect(timeline.getByText(/^退出：/)).toHaveCount(1);
  await expect(timeline.getByText(/^退出：/)).toContainText('004 职业化 (十四)');

  // The community's 职数核定: one fewer in post, the post kept (人走岗留): one more vacant seat.
  await page.goto(quotaUrl);
  await expect(page.getByTestId('quota-node-name')).toHaveText(communityName!, {
    timeout: 60_000,
  });
  const after = await readQuota(page);
  expect(after.actual).toBe(before.actual - 1);
  expect(after.remainder).toEqual(before.remainder.map((n) => n + 1));
});
