import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { readablePhone } from '../../../web/src/model/format.js';
import { accessibilityViolations, EDITORS, openConsole, screenshot, signIn, useChromium } from '../../support/browser.js';
import { uniquePhone } from '../../support/consent-api.js';
import { createProfile, http, postWebhook, tokenFor } from '../../support/http-client.js';
import { eventually } from '../../support/poll.js';
import { callbackBody, statusObject } from '../../support/whatsapp-callbacks.js';

/*
 * The blocked numbers page in a real browser against the suite's local stack. Other test files block
 * numbers on the same stack at the same time, so this one blocks two numbers of its own before its
 * tests, one by an editor through the API and one by a signed failure report, and looks only at the
 * changes made since it began (and for its own numbers among them).
 */

const browser = useChromium();
const readerToken = await tokenFor({ user: 'rita' });
const editorToken = await tokenFor({ user: 'erin', groups: [EDITORS] });

const STARTED_AT = new Date().toISOString();
const manual = uniquePhone();
const automatic = uniquePhone();

/** Every number that `GET /blocklist` lists with the filters, all pages. */
async function listed(filters: Record<string, string>): Promise<string[]> {
  const phones: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = new URLSearchParams({ ...filters, limit: '1000', ...(cursor ? { cursor } : {}) }).toString();
    const response = await http('GET', `/blocklist?${query}`, { token: readerToken });
    expect(response.status).toBe(200);
    phones.push(...(response.body.items as { phone: string }[]).map((item) => item.phone));
    cursor = response.body.nextCursor;
  } while (cursor);
  return phones;
}

beforeAll(async () => {
  const profileId = await createProfile([manual], 'blocklist');
  const blocked = await http('POST', `/profiles/${profileId}/whatsapp/${encodeURIComponent(manual)}/block`, {
    token: editorToken,
    body: { reason: 'Customer asked by phone not to be contacted' },
  });
  expect(blocked.status).toBe(202);
  const reported = await postWebhook(callbackBody(statusObject({ recipientId: automatic.slice(1), code: 131026 })));
  expect(reported.status).toBe(200);
  await eventually(() => listed({ changedAfter: STARTED_AT }), (phones) => phones.includes(manual) && phones.includes(automatic));
});

const blockedTable = (page: Page) => page.getByRole('table', { name: 'Blocked numbers' });
const listShown = (page: Page) => page.getByRole('status').filter({ hasText: /^Showing / });

/** The number's row, reading further pages ("Show more") until it is shown; fails when the list ends first. */
async function rowOf(page: Page, phone: string): Promise<Locator> {
  await listShown(page).waitFor();
  const rows = blockedTable(page).getByRole('row');
  const row = rows.filter({ hasText: phone });
  const more = page.getByRole('button', { name: 'Show more' });
  while ((await row.count()) === 0) {
    if ((await more.count()) === 0) throw new Error(`${phone} is not in the list`);
    const shown = await rows.count();
    await more.click();
    await eventually(() => rows.count(), (count) => count > shown);
  }
  return row;
}

/** The cursor of the empty first page `answerFirstPageEmpty` makes up. */
const SEARCHED_PART = 'searched-part';

/**
 * Answers `GET /blocklist` without a cursor, as JSON or CSV, with no number and a next page, as the
 * service does when a filtered search stops part-way; that next page is the service's own first page.
 */
async function answerFirstPageEmpty(page: Page): Promise<void> {
  await page.route(
    (url) => url.pathname === '/blocklist',
    async (route) => {
      const url = new URL(route.request().url());
      const cursor = url.searchParams.get('cursor');
      if (cursor === SEARCHED_PART) {
        url.searchParams.delete('cursor');
        return route.continue({ url: String(url) });
      }
      if (cursor) return route.continue();
      if (route.request().headers()['accept'] !== 'text/csv') {
        return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ items: [], nextCursor: SEARCHED_PART }) });
      }
      url.searchParams.set('cursor', SEARCHED_PART);
      return route.fulfill({
        status: 200,
        contentType: 'text/csv',
        headers: { link: `<${url.pathname}${url.search}>; rel="next"` },
        body: 'phone,source,reason,reasonCode,updatedAt,updatedBy\r\n',
      });
    },
  );
}

/** A row's cells as text, the number's header cell first. */
async function cellsOf(row: Locator): Promise<string[]> {
  return [await row.getByRole('rowheader').innerText(), ...(await row.getByRole('cell').allInnerTexts())].map((text) => text.trim());
}

/** The source cell of every row shown. */
async function sourcesShown(page: Page): Promise<string[]> {
  return (await blockedTable(page).locator('tbody tr td:first-of-type').allInnerTexts()).map((text) => text.trim());
}

describe('the blocked numbers page', () => {
  it('lists the numbers blocked after a time, from the navigation: readable, linked, with their source, reason, code and author in words', async () => {
    // prepare
    const page = await openConsole(browser(), '/console/');
    await signIn(page, 'rita');
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Blocked numbers' }).click();
    await page.getByRole('heading', { name: 'Blocked numbers', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/blocklist');

    // act: a person types the minute the test began (the browser's zone is UTC)
    await page.getByLabel('Changed after').fill(STARTED_AT.slice(0, 16));
    await page.getByRole('button', { name: 'Apply' }).click();

    // assess
    await eventually(async () => new URL(page.url()).search, (search) => search !== '');
    expect(new URL(page.url()).searchParams.get('changedAfter')).toBe(`${STARTED_AT.slice(0, 16)}:00.000Z`);
    expect(await cellsOf(await rowOf(page, manual))).toEqual([
      `${readablePhone(manual)}\n${manual}`,
      'Blocked by an operator',
      'Customer asked by phone not to be contacted',
      'none',
      expect.stringMatching(/\d{4}, \d\d:\d\d:\d\d$/),
      'erin',
    ]);
    expect(await cellsOf(await rowOf(page, automatic))).toEqual([
      `${readablePhone(automatic)}\n${automatic}`,
      'Undeliverable: blocked automatically',
      'Message undeliverable',
      '131026',
      expect.stringMatching(/\d{4}, \d\d:\d\d:\d\d$/),
      'WhatsApp (sender +55 11 96218 5237)',
    ]);
    expect(await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Blocked numbers' }).getAttribute('aria-current')).toBe('page');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'console-blocklist');

    // act: the number's link opens its page
    await (await rowOf(page, manual)).getByRole('link', { name: readablePhone(manual) }).click();

    // assess
    await page.getByRole('heading', { name: `Number ${readablePhone(manual)}` }).waitFor();
    await page.getByText('Blocked by an operator').first().waitFor();
    await page.context().close();
  });

  it('shows only the automatic blocks when the source says so, keeps the filters in the address across a reload, and Back undoes them', async () => {
    // prepare
    const since = `/console/blocklist?changedAfter=${encodeURIComponent(STARTED_AT)}`;
    const page = await openConsole(browser(), since);
    await signIn(page, 'rita');
    await rowOf(page, manual);

    // act
    await page.getByLabel('Source').selectOption({ label: 'Automatic (provider failure)' });
    await page.getByRole('button', { name: 'Apply' }).click();

    // assess
    await eventually(async () => new URL(page.url()).searchParams.get('source'), (source) => source === 'automatic');
    expect(new URL(page.url()).searchParams.get('changedAfter')).toBe(STARTED_AT);
    await rowOf(page, automatic);
    expect(await blockedTable(page).getByRole('row').filter({ hasText: manual }).count()).toBe(0);
    expect(new Set(await sourcesShown(page))).toEqual(new Set(['Undeliverable: blocked automatically']));

    // act, assess: a reload shows the same list, and the form the same filters
    await page.reload();
    await rowOf(page, automatic);
    expect(await blockedTable(page).getByRole('row').filter({ hasText: manual }).count()).toBe(0);
    expect(await page.getByLabel('Source').inputValue()).toBe('automatic');
    expect(new Date(`${await page.getByLabel('Changed after').inputValue()}Z`).toISOString()).toBe(STARTED_AT);

    // act, assess: Back returns to the list of every source
    await page.goBack();
    await rowOf(page, manual);
    expect(await page.getByLabel('Source').inputValue()).toBe('');
    await page.context().close();
  });

  it('says in words, beside the field, why the API refuses an error code that is not one', async () => {
    // prepare
    const page = await openConsole(browser(), '/console/blocklist');
    await signIn(page, 'rita');
    await listShown(page).waitFor();

    // act
    await page.getByLabel('Error code').fill('abc');
    await page.getByRole('button', { name: 'Apply' }).click();

    // assess
    await page.getByRole('alert').filter({ hasText: 'The service cannot use this filter: Error code must be a provider error code (digits).' }).waitFor();
    expect(new URL(page.url()).searchParams.get('reasonCode')).toBe('abc');
    expect(await page.getByLabel('Error code').getAttribute('aria-invalid')).toBe('true');
    expect(await blockedTable(page).count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);

    // act, assess: Clear lists every number again
    await page.getByRole('button', { name: 'Clear' }).click();
    await listShown(page).waitFor();
    expect(new URL(page.url()).search).toBe('');
    expect(await page.getByLabel('Error code').inputValue()).toBe('');
    expect(await page.getByLabel('Error code').getAttribute('aria-invalid')).toBe('false');
    await page.context().close();
  });

  it('says when no blocked number matches the filters', async () => {
    // prepare, act: nothing can have changed after a time to come
    const page = await openConsole(browser(), '/console/blocklist?changedAfter=2999-01-01T00%3A00%3A00.000Z');
    await signIn(page, 'rita');

    // assess
    await page.getByText('No blocked number matches these filters.').waitFor();
    expect(await blockedTable(page).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Download CSV' }).count()).toBe(0);
    await page.context().close();
  });

  it('searches further on demand after a page with no number and a cursor, without saying meanwhile that none matches', async () => {
    // prepare: the service answers the first page as it does when a rare filter's search stops part-way
    const page = await openConsole(browser(), `/console/blocklist?source=automatic&changedAfter=${encodeURIComponent(STARTED_AT)}`);
    await answerFirstPageEmpty(page);
    await signIn(page, 'rita');

    // assess
    await page.getByText('No number matching these filters found yet: the service has searched part of the list.').waitFor();
    expect(await page.getByText('No blocked number matches these filters.').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Download CSV' }).count()).toBe(1);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'console-blocklist-searched-part');

    // act
    await page.getByRole('button', { name: 'Search further' }).click();

    // assess
    await rowOf(page, automatic);
    expect(await page.getByText('found yet').count()).toBe(0);

    // act, assess: the download reads on past the empty CSV page by its Link
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.split('\r\n')[0]).toBe('phone,source,reason,reasonCode,updatedAt,updatedBy');
    expect(csv).toContain(`${automatic},automatic,`);
    await page.context().close();
  });

  it('downloads the numbers of the current filters as whatsapp-blocklist.csv', async () => {
    // prepare
    const page = await openConsole(browser(), `/console/blocklist?source=automatic&changedAfter=${encodeURIComponent(STARTED_AT)}`);
    await signIn(page, 'rita');
    await rowOf(page, automatic);

    // act
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);

    // assess
    expect(download.suggestedFilename()).toBe('whatsapp-blocklist.csv');
    const csv = readFileSync(await download.path(), 'utf8');
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('phone,source,reason,reasonCode,updatedAt,updatedBy');
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^\\${automatic},automatic,Message undeliverable,131026,`)));
    expect(csv).not.toContain(manual);
    expect(lines.filter((line) => line !== '').every((line, index) => index === 0 || line.includes(',automatic,'))).toBe(true);
    await page.context().close();
  });
});
