import type { Page, Route } from 'playwright-core';
import { accessibilityViolations, EDITORS, openConsole, rowOf, screenshot, signIn, switchFor, useChromium } from '../../support/browser.js';
import { uniquePhone } from '../../support/consent-api.js';
import { createProfile, http, postWebhook, stack, tokenFor } from '../../support/http-client.js';
import { eventually } from '../../support/poll.js';
import { callbackBody, inboundMessageBody, preferencesBody, statusObject } from '../../support/whatsapp-callbacks.js';

/*
 * The console when things go wrong (refusals, lost answers, failed requests, an expired session), the
 * number page, and automatic blocks, in a real browser against the local stack. Where a failure cannot
 * be made to happen on demand in the stack (a request the processor dead-letters, a 403 for a token that
 * claims the group), the browser's network layer answers in the API's place.
 */

const BLOCK_URL = /\/whatsapp\/[^/]+\/block$/;
const browser = useChromium();
const readerToken = await tokenFor({ user: 'rita' });


async function editorOnProfile(phones: string[]): Promise<{ page: Page; profileId: string }> {
  const profileId = await createProfile(phones, 'console');
  const page = await openConsole(browser(), `/console/profiles/${profileId}`);
  await signIn(page, 'erin', [EDITORS]);
  await switchFor(page, phones[0]!).waitFor();
  return { page, profileId };
}

async function confirmBlock(page: Page, phone: string, reason: string) {
  await switchFor(page, phone).click();
  const dialog = page.getByRole('dialog', { name: /Block/ });
  await dialog.getByLabel('Reason').fill(reason);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  return dialog;
}

const problem = (status: number, title: string, detail: string) => ({
  status,
  contentType: 'application/problem+json',
  body: JSON.stringify({ type: 'about:blank', title, status, detail }),
});

async function profileNumbers(profileId: string) {
  return (await http('GET', `/profiles/${profileId}/whatsapp`, { token: readerToken })).body.numbers as { phone: string; blocked: boolean; pending: unknown[] }[];
}

describe('requests that do not apply', () => {
  it.each([
    ['failed', /failed: the service could not apply it and nothing changed/],
    ['superseded', /was superseded: a newer change to this number was applied first/],
  ])('tells in words when the request ends %s, and the switch keeps the applied state', async (status, message) => {
    // prepare: the API accepts the request, and the processor's verdict is the one under test
    const phone = uniquePhone();
    const { page } = await editorOnProfile([phone]);
    const requestId = '01JZZZZZZZZZZZZZZZZZZZZZZZ';
    await page.route(BLOCK_URL, (route) =>
      route.fulfill({ status: 202, contentType: 'application/json', body: JSON.stringify({ requestId, status: 'pending' }) }),
    );
    await page.route(`**/requests/${requestId}`, (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({ requestId, status, action: 'block', phone, profileId: 'p', requestedBy: { type: 'user', sub: 's', username: 'erin' }, requestedAt: new Date().toISOString(), appliedAt: null }),
      }),
    );

    // act
    await confirmBlock(page, phone, 'Asked to stop');

    // assess
    await page.getByRole('status').filter({ hasText: message }).waitFor();
    expect(await switchFor(page, phone).getAttribute('aria-checked')).toBe('false');
    if (status === 'failed') await screenshot(page, 'console-request-failed');
    await page.context().close();
  });

  it('tells a 403 in words inside the dialog, naming the permission, and records nothing', async () => {
    // prepare
    const phone = uniquePhone();
    const { page, profileId } = await editorOnProfile([phone]);
    await page.route(BLOCK_URL, (route) => route.fulfill(problem(403, 'Forbidden', 'Blocking a number needs the permission "Edit WhatsApp blocklist".')));

    // act
    const dialog = await confirmBlock(page, phone, 'Asked to stop');

    // assess
    await dialog.getByRole('alert').filter({ hasText: 'You do not have the permission “Edit WhatsApp blocklist”' }).waitFor();
    expect(await dialog.isVisible()).toBe(true);
    expect((await profileNumbers(profileId))[0]).toMatchObject({ blocked: false, pending: [] });
    await page.context().close();
  });

  it('after a network error, Confirm again sends the same Idempotency-Key, and one request is applied', async () => {
    // prepare: the first attempt never reaches the service
    const phone = uniquePhone();
    const { page, profileId } = await editorOnProfile([phone]);
    const keys: string[] = [];
    let attempts = 0;
    await page.route(BLOCK_URL, async (route: Route) => {
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      if (++attempts === 1) return route.abort('connectionrefused');
      await route.continue();
    });

    // act
    const dialog = await confirmBlock(page, phone, 'Customer wrote to support');
    await dialog.getByRole('alert').filter({ hasText: 'could not be reached' }).waitFor();
    expect(await dialog.getByLabel('Reason').getAttribute('aria-invalid')).toBe('false');
    await screenshot(page, 'console-network-error');
    await dialog.getByRole('button', { name: 'Confirm' }).dblclick();

    // assess
    await eventually(() => switchFor(page, phone).getAttribute('aria-checked'), (checked) => checked === 'true');
    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    const history = await eventually(
      async () => (await http('GET', `/profiles/${profileId}/whatsapp/history`, { token: readerToken })).body.items as unknown[],
      (items) => items.length > 0,
    );
    expect(history).toHaveLength(1);
    await page.context().close();
  });
});

describe('a session that ended', () => {
  it('asks to sign in again over the page when the API refuses the token, keeps the reason, and then sends the change', async () => {
    // prepare: the stored token is one the API refuses (another issuer), as it refuses an expired one
    const phone = uniquePhone();
    const { page } = await editorOnProfile([phone]);
    const profileUrl = page.url();
    const refused = await tokenFor({ user: 'erin', groups: [EDITORS], issuer: 'https://another-issuer.invalid' });
    await page.evaluate(
      (token) => (globalThis as unknown as { sessionStorage: { setItem(key: string, value: string): void } }).sessionStorage.setItem('whatsapp-consent.local-token', token),
      refused,
    );

    // act
    const dialog = await confirmBlock(page, phone, 'Asked in a shop');
    const again = page.getByRole('dialog', { name: 'Sign in again' });
    await again.waitFor();
    await screenshot(page, 'console-sign-in-again');
    await again.getByLabel('User name').fill('erin');
    await again.getByRole('checkbox', { name: EDITORS }).check();
    await again.getByRole('button', { name: 'Sign in' }).click();
    await again.waitFor({ state: 'hidden' });

    // assess: the same page, the dialog with its reason still open; Confirm now goes through
    expect(page.url()).toBe(profileUrl);
    expect(await dialog.getByLabel('Reason').inputValue()).toBe('Asked in a shop');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await eventually(() => switchFor(page, phone).getAttribute('aria-checked'), (checked) => checked === 'true');
    await page.context().close();
  });
});

describe('the number page and automatic blocks', () => {
  /** The fixtures' sender as the console names it: its display number, readable, not its id. */
  const SENDER = 'WhatsApp (sender +55 11 96218 5237)';

  it('shows a number blocked by a provider failure with its code and text, and its sender as one readable number in the state, the history and the blocklist', async () => {
    // prepare: WhatsApp reports 131026 for a number of the profile
    const startedAt = new Date(Date.now() - 1_000).toISOString();
    const phone = uniquePhone();
    const profileId = await createProfile([phone], 'console');
    const body = callbackBody(statusObject({ recipientId: phone.slice(1), code: 131026 }));
    const sent = await postWebhook(body);
    expect(sent.status).toBe(200);
    await eventually(async () => (await profileNumbers(profileId))[0]?.blocked, (blocked) => blocked === true);

    // act: the profile page
    const page = await openConsole(browser(), `/console/profiles/${profileId}`);
    await signIn(page, 'erin', [EDITORS]);

    // assess: the callback's sender, 967249473135513, displays as 5511962185237
    await rowOf(page, phone).getByText('Undeliverable: blocked automatically').waitFor();
    expect(await rowOf(page, phone).innerText()).toMatch(/WhatsApp error 131026: Message undeliverable/);
    expect(await rowOf(page, phone).innerText()).toContain(`Blocked by ${SENDER}`);
    expect(await switchFor(page, phone).getAttribute('aria-checked')).toBe('true');
    await screenshot(page, 'console-profile-automatic');

    // act: the number page, through the row's link
    await rowOf(page, phone).getByRole('link', { name: /Number page/ }).click();

    // assess
    await page.getByRole('heading', { name: /^Number / }).waitFor();
    expect(decodeURIComponent(new URL(page.url()).pathname)).toBe(`/console/numbers/${phone}`);
    const entry = page.getByRole('row').filter({ hasText: 'Automatic block' });
    await entry.waitFor();
    expect(await entry.innerText()).toMatch(/131026/);
    expect(await entry.getByRole('cell', { name: SENDER, exact: true }).count()).toBe(1);
    expect(await page.getByRole('region', { name: 'WhatsApp Subscription Status' }).innerText()).toContain(`Blocked by ${SENDER}`);
    await screenshot(page, 'console-number');
    expect(await accessibilityViolations(page)).toEqual([]);

    // act: the blocked numbers changed since the test began
    await page.goto(new URL(`/console/blocklist?changedAfter=${encodeURIComponent(startedAt)}`, page.url()).toString());

    // assess: the list names the sender the same way
    const listed = page.getByRole('table', { name: 'Blocked numbers' }).getByRole('row').filter({ hasText: phone });
    await listed.waitFor();
    expect(await listed.getByRole('cell', { name: SENDER, exact: true }).count()).toBe(1);
    await page.context().close();
  });

  it('shows a marketing opt-out read-only, saying only the recipient can resume, beside a switch that still blocks', async () => {
    // prepare: the recipient stopped marketing messages inside WhatsApp
    const phone = uniquePhone();
    const profileId = await createProfile([phone], 'console');
    const body = preferencesBody({ waId: phone.slice(1), value: 'stop', timestamp: Math.floor(Date.now() / 1000) });
    const sent = await postWebhook(body);
    expect(sent.status).toBe(200);
    await eventually(
      async () => (await http('GET', `/profiles/${profileId}/whatsapp`, { token: readerToken })).body.numbers[0]?.marketingOptOut,
      (optOut) => optOut !== null && optOut !== undefined,
    );

    // act
    const page = await openConsole(browser(), `/console/profiles/${profileId}`);
    await signIn(page, 'erin', [EDITORS]);

    // assess
    await rowOf(page, phone).getByText('Marketing opt-out since').waitFor();
    expect(await rowOf(page, phone).innerText()).toMatch(/Only the recipient can resume them/);
    expect(await rowOf(page, phone).innerText()).toMatch(/Can receive WhatsApp messages, except marketing/);
    expect(await switchFor(page, phone).getAttribute('aria-checked')).toBe('false');
    await screenshot(page, 'console-marketing-opt-out');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('shows a number its recipient blocked with a keyword as opted out by the recipient', async () => {
    // prepare: the recipient wrote STOP
    const phone = uniquePhone();
    const profileId = await createProfile([phone], 'console');
    const body = inboundMessageBody({ waId: phone.slice(1), text: 'STOP' });
    const sent = await postWebhook(body);
    expect(sent.status).toBe(200);
    await eventually(async () => (await profileNumbers(profileId))[0]?.blocked, (blocked) => blocked === true);

    // act
    const page = await openConsole(browser(), `/console/profiles/${profileId}`);
    await signIn(page, 'erin', [EDITORS]);

    // assess
    await rowOf(page, phone).getByText('Opted out by the recipient').waitFor();
    expect(await rowOf(page, phone).innerText()).toMatch(/by the recipient, by keyword/);
    expect(await switchFor(page, phone).getAttribute('aria-checked')).toBe('true');
    await screenshot(page, 'console-recipient-block');
    await page.context().close();
  });

  it('opens a number typed in any international form, and its deep link survives a reload', async () => {
    // prepare
    const phone = uniquePhone();
    const page = await openConsole(browser(), '/console/');
    await signIn(page, 'rita');
    const spaced = `${phone.slice(0, 4)} ${phone.slice(4, 7)} ${phone.slice(7, 10)} ${phone.slice(10)}`;

    // act
    await page.getByLabel('Phone number').fill(spaced);
    await page.getByRole('button', { name: 'Open number' }).click();

    // assess
    await page.getByText('Can receive WhatsApp messages').waitFor();
    expect(decodeURIComponent(new URL(page.url()).pathname)).toBe(`/console/numbers/${phone}`);
    await page.reload();
    await page.getByText('Can receive WhatsApp messages').waitFor();
    await page.getByText('No changes yet.').waitFor();
    await page.context().close();
  });

  it('says so when a profile does not exist, or the typed number is not one', async () => {
    // prepare
    const page = await openConsole(browser(), '/console/profiles/no-such-profile-here');
    await signIn(page, 'rita');

    // assess
    await page.getByRole('alert').filter({ hasText: 'Profile no-such-profile-here does not exist.' }).waitFor();

    // act
    await page.getByRole('link', { name: 'Open a profile or number' }).click();
    await page.getByLabel('Phone number').fill('call me maybe');
    await page.getByRole('button', { name: 'Open number' }).click();

    // assess
    await page.getByText('Enter a phone number in international form').waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/');
    await page.context().close();
  });
});

describe('embedding', () => {
  it('runs the profile panel inside a host page that loads /console/embed.js and hands it a token getter', async () => {
    // prepare: a host page of the CDP's own, with nothing of the console but the element
    const phone = uniquePhone();
    const profileId = await createProfile([phone], 'console');
    const token = await tokenFor({ user: 'hana', groups: [EDITORS] });
    const context = await browser().newContext();
    const page = await context.newPage();
    const hostUrl = `${stack.url}/host-page-of-the-cdp`;
    await page.route(hostUrl, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><html lang="en"><head><title>CDP profile</title>
          <script type="module" src="/console/embed.js"></script></head>
          <body><main><h1>Customer</h1>
          <whatsapp-consent-profile profile-id="${profileId}"></whatsapp-consent-profile></main>
          <script type="module">
            document.querySelector('whatsapp-consent-profile').getToken = async () => ${JSON.stringify(token)};
          </script></body></html>`,
      }),
    );

    // act
    await page.goto(hostUrl);

    // assess: the panel reads the profile with the host's token and offers the switch to this editor
    await switchFor(page, phone).waitFor();
    expect(await page.getByRole('heading', { name: 'WhatsApp Subscription Status' }).count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'History' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    await context.close();
  });
});
