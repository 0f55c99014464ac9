import fs from 'node:fs';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';
import { E2E_DATA_DIR } from './playwright.config.ts';

/** The generated password of the first administrator, as written by the server on first start. */
export const adminCredentials = (): { username: string; password: string } => {
  const text = fs.readFileSync(path.join(E2E_DATA_DIR, 'initial-admin.txt'), 'utf8');
  const value = (key: string) => text.match(new RegExp(`^${key}=(.+)$`, 'm'))?.[1] ?? '';
  return { username: value('username'), password: value('password') };
};

/** Logs in through the login page, as a user would. */
export const loginAs = async (page: Page, username: string, password: string) => {
  await page.goto('/login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await expect(page.getByTestId('user-menu')).toBeVisible();
};

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** A valid 18-digit ID number (GB 11643 check character) from its first 17 digits. */
export const idNumber = (first17: string): string =>
  first17 + '10X98765432'[[...first17].reduce((s, d, i) => s + Number(d) * WEIGHTS[i]!, 0) % 11]!;

/**
 * Chooses an option of the antd Select labelled `label`, and checks the select then shows it.
 * Waits first until the dropdown of a select chosen just before has faded out (an option there
 * is a target that vanishes under the click); a click lost to an opening or re-rendering dropdown
 * is tried again (seen in CI: an edit saved with the old value, so nothing changed).
 */
export const chooseOption = async (page: Page, label: string, option: string) => {
  const input = page.getByLabel(label, { exact: true });
  const select = page.locator('.ant-select', { has: input });
  await expect(async () => {
    // A retry finds its own dropdown still open when the last click was lost: choose in it.
    if ((await input.getAttribute('aria-expanded')) !== 'true') {
      await expect(page.locator('.ant-select-dropdown:visible')).toHaveCount(0, {
        timeout: 5_000,
      });
      await input.click();
    }
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option })
      .first()
      .click({ timeout: 5_000 });
    await expect(select.locator('.ant-select-content-has-value')).toContainText(option, {
      timeout: 2_000,
    });
  }).toPass({ timeout: 60_000 });
};

/**
 * Chooses the first enabled option of the antd Select labelled `label` once its options have
 * loaded, and checks the select then holds a value (a click on a dropdown that re-renders while
 * its options arrive can be lost).
 */
export const chooseFirstOption = async (page: Page, label: string) => {
  const select = page.locator('.ant-select', { has: page.getByLabel(label, { exact: true }) });
  await expect(async () => {
    await expect(page.locator('.ant-select-dropdown:visible')).toHaveCount(0);
    await page.getByLabel(label, { exact: true }).click();
    await page
      .locator(
        '.ant-select-dropdown:visible .ant-select-item-option:not(.ant-select-item-option-disabled)',
      )
      .first()
      .click({ timeout: 5_000 });
    await expect(select.locator('.ant-select-content-has-value')).toHaveCount(1, {
      timeout: 2_000,
    });
  }).toPass({ timeout: 60_000 });
};

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
    if ((await dropdown.count()) === 0) await page.getByLabel(label, { exact: true }).click();
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
