import { randomInt } from 'node:crypto';
import type { Page } from 'playwright-core';
import { LOCAL_WHATSAPP_APP_SECRET } from '../../../infra/local/stack.js';
import { readablePhone } from '../../../web/src/model/format.js';
import { accessibilityViolations, EDITORS, screenshot, signIn, useChromium } from '../../support/browser.js';
import { uniquePhone } from '../../support/consent-api.js';
import { http, postWebhook, tokenFor } from '../../support/http-client.js';
import { startLocalStackProcess, type LocalStackProcess } from '../../support/local-stack-process.js';
import { eventually } from '../../support/poll.js';
import { callbackBody, signatureOf, statusObject } from '../../support/whatsapp-callbacks.js';

/*
 * The held automatic blocks and the unresolved recipients in a real browser. A local stack of its own
 * runs with AUTO_BLOCK_GUARD_LIMIT=2 (the suite's stack runs with the guard off): the fixture's sender
 * may block two numbers automatically in the guard's window, and its every later 131026 failure for a
 * new number is held. The two blocks that fill the window are made before the tests, so that every
 * test's own failures are held.
 */

const browser = useChromium();
const readerToken = await tokenFor({ user: 'rita' });
let local: LocalStackProcess;

beforeAll(async () => {
  local = await startLocalStackProcess({ AUTO_BLOCK_GUARD_LIMIT: '2', LOCAL_NAME_PREFIX: 'held-console-' });
  const filling = [uniquePhone(), uniquePhone()];
  for (const phone of filling) await reportUndeliverable(phone);
  await eventually(() => blockedOf(filling), (blocked) => blocked.length === 2);
}, 120_000);

afterAll(async () => {
  await local?.stop();
});

/** One call to this file's stack. */
const call = (method: string, path: string, options: { token?: string; body?: unknown } = {}) => http(method, path, { ...options, baseUrl: local.ready.url });

/** WhatsApp reports a failure, signed, from the fixture's sender. */
async function postCallback(body: string): Promise<void> {
  const response = await postWebhook(body, signatureOf(body, LOCAL_WHATSAPP_APP_SECRET), local.ready.url);
  expect(response.status).toBe(200);
}

/** A message to the number failed: 131026, undeliverable. */
const reportUndeliverable = (phone: string) => postCallback(callbackBody(statusObject({ recipientId: phone.slice(1), code: 131026 })));

/** Which of the numbers a campaign may not message (`POST /blocklist/check`). */
async function blockedOf(phones: string[]): Promise<string[]> {
  const response = await call('POST', '/blocklist/check', { token: readerToken, body: { phones } });
  expect(response.status).toBe(200);
  return (response.body.blocked as { phone: string }[]).map((entry) => entry.phone);
}

/** Every number the held list names, all pages. */
async function heldPhones(): Promise<string[]> {
  const phones: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) }).toString();
    const response = await call('GET', `/blocklist/held?${query}`, { token: readerToken });
    expect(response.status).toBe(200);
    phones.push(...(response.body.items as { phone: string }[]).map((item) => item.phone));
    cursor = response.body.nextCursor;
  } while (cursor);
  return phones;
}

/** New numbers whose automatic blocks the guard held, once the held list shows them all. */
async function heldNumbers(count: number): Promise<string[]> {
  const phones = Array.from({ length: count }, () => uniquePhone());
  for (const phone of phones) await reportUndeliverable(phone);
  await eventually(heldPhones, (held) => phones.every((phone) => held.includes(phone)));
  return phones;
}

/** A fresh page (its own session storage) at a console path of this file's stack, signed in. */
async function openSignedIn(path: string, user: string, groups: string[] = []): Promise<Page> {
  const context = await browser().newContext({ viewport: { width: 1200, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${local.ready.url}${path}`);
  await signIn(page, user, groups);
  return page;
}

const heldTable = (page: Page) => page.getByRole('table', { name: 'Held automatic blocks' });
const checkboxOf = (page: Page, phone: string) => page.getByRole('checkbox', { name: `Select ${readablePhone(phone)}` });

async function decide(page: Page, phone: string, button: 'Release selected' | 'Discard selected', reason: string): Promise<void> {
  await checkboxOf(page, phone).check();
  await page.getByLabel('Reason').fill(reason);
  await page.getByRole('button', { name: button }).click();
}

describe('held automatic blocks', () => {
  it('lists the numbers the guard held, readable, with their sender and code, and the page survives a reload', async () => {
    // prepare
    const phones = await heldNumbers(2);

    // act
    const page = await openSignedIn('/console/held', 'erin', [EDITORS]);

    // assess
    await checkboxOf(page, phones[1]!).waitFor();
    for (const phone of phones) {
      const row = heldTable(page).getByRole('row').filter({ hasText: phone });
      const cells = (await row.getByRole('cell').allInnerTexts()).map((text) => text.trim());
      expect(await row.getByRole('rowheader').innerText()).toContain(readablePhone(phone));
      expect(cells).toEqual(expect.arrayContaining(['967249473135513', '131026']));
    }
    expect(await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Held blocks' }).getAttribute('aria-current')).toBe('page');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'console-held-editor');
    await page.reload();
    await checkboxOf(page, phones[0]!).waitFor();
    await page.context().close();
  });

  it('refuses a release without a reason, in words, and sends nothing', async () => {
    // prepare
    const [phone] = await heldNumbers(1);
    const page = await openSignedIn('/console/held', 'erin', [EDITORS]);
    let sent = 0;
    page.on('request', (request) => void (request.url().includes('/blocklist/held/') && sent++));

    // act
    await checkboxOf(page, phone!).check();
    await page.getByRole('button', { name: 'Release selected' }).click();

    // assess
    await page.getByRole('alert').filter({ hasText: 'Enter a reason: it is required.' }).waitFor();
    expect(await page.getByLabel('Reason').getAttribute('aria-invalid')).toBe('true');
    expect(sent).toBe(0);
    expect(await heldPhones()).toContain(phone);
    await page.context().close();
  });

  it('discards a held block as an editor: the number leaves the list at once, stays sendable, and its history names the editor', async () => {
    // prepare
    const [discarded, kept] = await heldNumbers(2);
    const page = await openSignedIn('/console/held', 'erin', [EDITORS]);

    // act
    await decide(page, discarded!, 'Discard selected', 'Provider outage; these numbers are fine');

    // assess
    await page.getByRole('status').filter({ hasText: 'Discarded 1 held block; the number stays sendable.' }).waitFor();
    await checkboxOf(page, discarded!).waitFor({ state: 'detached' });
    await checkboxOf(page, kept!).waitFor();
    expect(await heldPhones()).not.toContain(discarded);
    expect(await blockedOf([discarded!])).toEqual([]);
    const check = await call('POST', '/blocklist/check', { token: readerToken, body: { phones: [discarded] } });
    expect(check.body.sendable).toEqual([discarded]);

    // assess: the number's page tells who discarded the held block, and why
    await page.goto(`${local.ready.url}/console/numbers/${encodeURIComponent(discarded!)}`);
    const entry = page.getByRole('row').filter({ hasText: 'Held automatic block discarded' });
    await entry.waitFor();
    expect(await entry.innerText()).toMatch(/erin[\s\S]*Provider outage; these numbers are fine \(WhatsApp error 131026\)[\s\S]*Discarded: not blocked/);
    await page.getByText('Can receive WhatsApp messages').waitFor();
    await page.context().close();
  });

  it('releases a held block as an editor: the page says it, watches the number leave the list, and it is blocked', async () => {
    // prepare
    const [released, kept] = await heldNumbers(2);
    const page = await openSignedIn('/console/held', 'erin', [EDITORS]);

    // act
    await decide(page, released!, 'Release selected', 'Checked with the customer: the number is gone');

    // assess: the page polls until the processor applied the block
    await page.getByRole('status').filter({ hasText: 'Released 1 number; it will be blocked shortly.' }).waitFor();
    await checkboxOf(page, released!).waitFor({ state: 'detached', timeout: 30_000 });
    await checkboxOf(page, kept!).waitFor();
    expect(await blockedOf([released!, kept!])).toEqual([released]);
    expect(await heldPhones()).not.toContain(released);
    await page.context().close();
  });

  it('shows a reader the list without checkboxes or buttons, and names the permission that deciding needs', async () => {
    // prepare
    const [phone] = await heldNumbers(1);

    // act
    const page = await openSignedIn('/console/held', 'rita');

    // assess
    await heldTable(page).getByRole('row').filter({ hasText: phone! }).waitFor();
    expect(await page.getByText('releasing or discarding them needs the permission “Edit WhatsApp blocklist”').count()).toBe(1);
    expect(await page.getByRole('checkbox').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Release|Discard/ }).count()).toBe(0);
    expect(await page.getByLabel('Reason').count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'console-held-reader');
    await page.context().close();
  });
});

describe('unresolved recipients', () => {
  it('lists a failure that named its recipient only by a user id never seen before, with its count, from the navigation', async () => {
    // prepare: a failed status with recipient_user_id and no recipient_id
    const userId = `US.${randomInt(1e9)}${randomInt(1e9)}`;
    await postCallback(callbackBody(statusObject({ code: 131026, userId, userIdOnly: true })));
    await eventually(
      async () => (await call('GET', '/blocklist/unresolved?limit=100', { token: readerToken })).body?.items as { userId: string }[] | undefined,
      (items) => items?.some((item) => item.userId === userId) === true,
    );
    const page = await openSignedIn('/console/held', 'rita');

    // act
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Unresolved recipients' }).click();

    // assess
    await page.getByRole('heading', { name: 'Unresolved recipients' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/unresolved');
    const row = page.getByRole('table', { name: 'Unresolved recipients' }).getByRole('row').filter({ hasText: userId });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/967249473135513[\s\S]*131026[\s\S]*undeliverable/i);
    await page.getByText(/^\d+ failure reports? could not be matched to a number\.$/).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'console-unresolved');
    await page.reload();
    await row.waitFor();
    await page.context().close();
  });
});
