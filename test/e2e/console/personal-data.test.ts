import { readFile } from 'node:fs/promises';
import { accessibilityViolations, EDITORS, openConsole, screenshot, signIn, useChromium } from '../../support/browser.js';
import { uniquePhone } from '../../support/consent-api.js';
import { createProfile, http, postWebhook, tokenFor } from '../../support/http-client.js';
import { eventually } from '../../support/poll.js';
import { callbackBody, statusObject } from '../../support/whatsapp-callbacks.js';

/*
 * A number's personal data in the console, in a real browser against the local stack: a privacy officer
 * downloads it as a file and erases it, from the keyboard; the page then shows only the block that
 * stayed. Nobody else sees either.
 */

const browser = useChromium();
const OFFICERS = 'privacy-officers';
const editorToken = await tokenFor({ user: 'erin', groups: [EDITORS] });
const readerToken = await tokenFor({ user: 'rita' });

/** A number blocked from a profile's page with a reason, and paired with a user id by a signed callback. */
async function blockedAndPaired(reason: string): Promise<{ phone: string; userId: string }> {
  const phone = uniquePhone();
  const userId = `US.${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  const profileId = await createProfile([phone], 'console');
  const accepted = await http('POST', `/profiles/${profileId}/whatsapp/${encodeURIComponent(phone)}/block`, { token: editorToken, body: { reason } });
  await eventually(() => http('GET', `/requests/${accepted.body.requestId}`, { token: readerToken }), (response) => response.body.status === 'applied');
  await postWebhook(callbackBody(statusObject({ status: 'delivered', recipientId: phone.slice(1), userId })));
  await eventually(() => http('GET', `/numbers/${encodeURIComponent(phone)}/history`, { token: readerToken }), () => true);
  return { phone, userId };
}

describe("a number's personal data in the console", () => {
  it('lets a privacy officer download it as a JSON file, then erase it with the reason and the number typed again', async () => {
    // prepare
    const reason = 'Customer asked by phone not to be contacted';
    const { phone, userId } = await blockedAndPaired(reason);
    const page = await openConsole(browser(), `/console/numbers/${encodeURIComponent(phone)}`);
    await signIn(page, 'petra', [OFFICERS]);
    await page.getByRole('heading', { name: 'Personal data' }).waitFor();
    await page.getByText(reason).first().waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'console-personal-data');

    // act: the download
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download personal data' }).click()]);

    // assess: the file is the export, with the reason and the pairing
    expect(download.suggestedFilename()).toBe(`personal-data-${phone.slice(1)}.json`);
    const file = JSON.parse(await readFile((await download.path())!, 'utf8'));
    expect(file).toMatchObject({ phone, state: { blocked: true, reason }, history: [expect.objectContaining({ reason })] });
    await eventually(async () => (await http('GET', `/numbers/${encodeURIComponent(phone)}/personal-data`, { token: await tokenFor({ user: 'petra', groups: [OFFICERS] }) })).body, (data) => data.pairings.length === 1);

    // act: the erasure, from the keyboard; first with another number typed
    await page.getByRole('button', { name: 'Erase personal data…' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: /Erase the personal data of/ });
    await dialog.waitFor();
    await page.keyboard.type('Data subject request #4711');
    await page.keyboard.press('Tab');
    await page.keyboard.type('+420 777 000 000');
    await page.keyboard.press('Enter');
    await dialog.getByText('That is not the number to erase').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'console-erase-dialog');
    await dialog.getByLabel('The number, typed again').fill(phone.replace('+420', '00420 '));
    await page.keyboard.press('Enter');

    // assess: what went, and what stayed
    const done = page.getByRole('dialog', { name: /Personal data of .* erased/ });
    await done.waitFor();
    for (const line of ['1 history entry', '1 block or unblock request', '1 profile the number left', '1 WhatsApp user id pairing']) await done.getByText(line, { exact: true }).waitFor();
    await done.getByText(/^A suppression record stayed/).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'console-erased');
    await page.keyboard.press('Enter');
    await done.waitFor({ state: 'hidden' });
    expect(await page.getByRole('button', { name: 'Erase personal data…' }).evaluate((button) => button.matches(':focus'))).toBe(true);

    // assess: the page shows the block that stayed, and nothing of the reason, the pairing or the history
    await page.getByText('Who and why were erased').waitFor();
    await page.getByText('Blocked by an operator').first().waitFor();
    await page.getByText('No changes yet.').waitFor();
    expect(await page.getByText(reason).count()).toBe(0);
    expect(await page.getByText(userId).count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'console-number-erased');
    await page.context().close();
  });

  it('cancels the erasure with Escape, and the number keeps everything', async () => {
    const reason = 'Kept, since the erasure was cancelled';
    const { phone } = await blockedAndPaired(reason);
    const page = await openConsole(browser(), `/console/numbers/${encodeURIComponent(phone)}`);
    await signIn(page, 'petra', [OFFICERS]);

    await page.getByRole('button', { name: 'Erase personal data…' }).click();
    await page.getByRole('dialog', { name: /Erase the personal data of/ }).waitFor();
    await page.keyboard.press('Escape');

    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    expect(await page.getByRole('button', { name: 'Erase personal data…' }).evaluate((button) => button.matches(':focus'))).toBe(true);
    expect((await http('GET', `/numbers/${encodeURIComponent(phone)}/history`, { token: readerToken })).body.items).toHaveLength(1);
    await page.context().close();
  });

  it.each([
    ['an editor', [EDITORS]],
    ['a reader', []],
  ])('offers %s neither the download nor the erasure', async (_, groups) => {
    const { phone } = await blockedAndPaired('Not theirs to erase');
    const page = await openConsole(browser(), `/console/numbers/${encodeURIComponent(phone)}`);
    await signIn(page, 'otto', groups);
    await page.getByRole('heading', { name: 'History' }).waitFor();
    await page.getByText('Not theirs to erase').first().waitFor();

    expect(await page.getByRole('heading', { name: 'Personal data' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Download personal data' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Erase personal data/ }).count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.context().close();
  });
});
