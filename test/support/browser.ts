import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../infra/local/stack.js';
import { stack } from './http-client.js';

/**
 * Debian's Chromium, headless, kept off the network (the flags stop its background connections, which
 * this machine's closed network would refuse). Playwright's own browser download is never used.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Chromium for the test file: launched before its tests, closed after them. Call at the file's top level. */
export function useChromium(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('Chromium is not running: useChromium() must be called at the top level of the test file');
    return browser;
  };
}

/** The group that grants "Edit WhatsApp blocklist". */
export const EDITORS = 'whatsapp-blocklist-editors';

/** A number's switch on the profile page, found by the E.164 number in its accessible name. */
export const switchFor = (page: Page, phone: string) => page.getByRole('switch', { name: new RegExp(phone.replace('+', '\\+')) });

/** A number's row on the profile page. */
export const rowOf = (page: Page, phone: string) => page.getByRole('listitem').filter({ hasText: phone });

/** A fresh page (its own session storage) at a console path of the local stack. */
export async function openConsole(browser: Browser, path = '/console/'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${stack.url}${path}`);
  return page;
}

/** Signs in with the local form, as a person would. */
export async function signIn(page: Page, user: string, groups: string[] = []): Promise<void> {
  await page.getByLabel('User name').fill(user);
  for (const group of groups) await page.getByRole('checkbox', { name: group }).check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/**
 * Saves a screenshot for people to look at: into `.local/screenshots/` (git-ignored), or into the folder
 * `CONSOLE_SCREENSHOTS` names (`npm run screenshots` refreshes the pictures of docs/operators.md this way).
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  const directory = process.env['CONSOLE_SCREENSHOTS'] ?? join(PROJECT_ROOT, '.local', 'screenshots');
  mkdirSync(directory, { recursive: true });
  const path = join(directory, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled', caret: 'hide' });
  return path;
}

/** What axe-core finds against WCAG 2.1 A and AA on the page as it is now, one line per violation. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`);
}
