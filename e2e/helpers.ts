import fs from 'node:fs';
import path from 'node:path';
import { type APIRequestContext, expect, type Page } from '@playwright/test';
import { E2E_DATA_DIR } from './playwright.config.ts';

/** The generated password of the first administrator, as written by the server on first start. */
export const adminCredentials = (): { username: string; password: string } => {
  const text = fs.readFileSync(path.join(E2E_DATA_DIR, 'initial-admin.txt'), 'utf8');
  const value = (key: string) => text.match(new RegExp(`^${key}=(.+)$`, 'm'))?.[1] ?? '';
  return { username: value('username'), password: value('password') };
};

/**
 * Logs `request` in through the API and gives the headers its writes need (the session's CSRF
 * token). A refused login fails here, with its answer, not at the first write.
 */
export const apiLogin = async (
  request: APIRequestContext,
  credentials: { username: string; password: string },
): Promise<{ 'X-CSRF-Token': string }> => {
  const login = await request.post('/api/auth/login', { data: credentials });
  expect(login.status(), await login.text()).toBe(200);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  return { 'X-CSRF-Token': csrfToken };
};

/** Logs in through the login page, as a user would. */
export const loginAs = async (page: Page, username: string, password: string) => {
  await page.goto('/login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await expect(page.getByTestId('user-menu')).toBeVisible();
};

/**
 * Logs out through the user menu, as a user would. The menu opens on hover; a hover can be lost
 * (CI: the mouse left a tooltip's trigger for the menu and no dropdown opened, so the click on
 * 退出登录 waited out the test), so hover again until the item shows.
 */
export const logout = async (page: Page) => {
  const item = page.getByRole('menuitem', { name: '退出登录' });
  await expect(async () => {
    await page.getByTestId('user-menu').hover();
    await expect(item).toBeVisible({ timeout: 2_000 });
  }).toPass();
  await item.click();
  await expect(page).toHaveURL(/\/login$/);
};

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** A valid 18-digit ID number (GB 11643 check character) from its first 17 digits. */
export const idNumber = (first17: string): string =>
  first17 + '10X98765432'[[...first17].reduce((s, d, i) => s + Number(d) * WEIGHTS[i]!, 0) % 11]!;

/**
 * Chooses an enabled option of the antd Select labelled `label` — the one showing `option` (a
 * string), the one at that index (a number), or the first once the options have loaded — and checks the select then shows a value. Waits first
 * until the dropdown of a select chosen just before has faded out (an option there is a target
 * that vanishes under the click). A click can be lost while a dropdown opens or its options
 * re-render (seen in CI: an edit saved the old 学历; a campaign never published): then the
 * select's own dropdown is still open, and the option is chosen again in it.
 */
const choose = async (page: Page, label: string, option?: string | number) => {
  const input = page.getByLabel(label, { exact: true });
  const value = page
    .locator('.ant-select', { has: input })
    .locator('.ant-select-content-has-value');
  const options = page.locator(
    '.ant-select-dropdown:visible .ant-select-item-option:not(.ant-select-item-option-disabled)',
  );
  await expect(async () => {
    if ((await input.getAttribute('aria-expanded')) !== 'true') {
      await expect(page.locator('.ant-select-dropdown:visible')).toHaveCount(0, {
        timeout: 5_000,
      });
      await input.click();
    }
    await (typeof option === 'string'
      ? options.filter({ hasText: option }).first()
      : options.nth(option ?? 0)
    ).click({ timeout: 5_000 });
    if (typeof option === 'string') await expect(value).toContainText(option, { timeout: 2_000 });
    else await expect(value).toHaveCount(1, { timeout: 2_000 });
    // Seen in CI: the value set and the dropdown still open over the next field; choosing the
    // selected option again closes it.
    await expect(input).not.toHaveAttribute('aria-expanded', 'true', { timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
};

export const chooseOption = (page: Page, label: string, option: string) =>
  choose(page, label, option);

/** Chooses the first enabled option (e.g. a community with a free post) once options load. */
export const chooseFirstOption = (page: Page, label: string) => choose(page, label);

/** Chooses the enabled option at `index` (0-based) once the options have loaded. */
export const chooseNthOption = (page: Page, label: string, index: number) =>
  choose(page, label, index);

/**
 * Opens the org tree-select labelled `label` and walks down the given node names. Children load
 * from the server when a node opens, so each step waits for the next name, opening its parent
 * again if the first click came before the node was ready.
 */
export const chooseOrg = async (page: Page, label: string, names: string[]) => {
  const dropdown = page.locator('.ant-select-dropdown:visible:has(.ant-select-tree)');
  const nodeOf = (name: string) =>
    dropdown.locator('.ant-select-tree-treenode', { hasText: name }).first();
  // Right after a menu click the previous page's select of the same label can take the click
  // and vanish with its page: open again until the tree shows its first node.
  await expect(async () => {
    if ((await dropdown.count()) === 0) {
      await expect(page.locator('.ant-select-dropdown:visible')).toHaveCount(0, {
        timeout: 5_000,
      });
      await page.getByLabel(label, { exact: true }).click();
    }
    await expect(nodeOf(names[0]!)).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 60_000 });
  for (const [i, name] of names.entries()) {
    const node = nodeOf(name);
    await expect(node).toBeVisible();
    const next = names[i + 1];
    if (next) {
      await expect(async () => {
        if (await nodeOf(next).isVisible()) return;
        const switcher = node.locator('.ant-select-tree-switcher_close');
        if (await switcher.count()) await switcher.click();
        await expect(nodeOf(next)).toBeVisible({ timeout: 3_000 });
      }).toPass({ timeout: 60_000 });
    } else {
      await node.locator('.ant-select-tree-node-content-wrapper').click();
    }
  }
};

/** Types an ISO date into the antd DatePicker labelled `label`. */
export const fillDate = async (page: Page, label: string, iso: string) => {
  const input = page.getByLabel(label, { exact: true });
  await input.click();
  await input.fill(iso);
  await input.press('Enter');
};
