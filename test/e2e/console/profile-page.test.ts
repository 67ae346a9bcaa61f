import { accessibilityViolations, EDITORS, openConsole, rowOf, screenshot, signIn, switchFor, useChromium } from '../../support/browser.js';
import { uniquePhone } from '../../support/consent-api.js';
import { createProfile, http, tokenFor } from '../../support/http-client.js';
import { eventually } from '../../support/poll.js';

/*
 * The operator console in a real browser against the local stack: an editor blocks a number with a
 * reason and watches it go from Pending to Blocked, then reads the history.
 */

const browser = useChromium();
const readerToken = await tokenFor({ user: 'rita' });


/** The requests the API holds for a profile's number, as the profile view lists them. */
async function profileView(profileId: string) {
  return (await http('GET', `/profiles/${profileId}/whatsapp`, { token: readerToken })).body as {
    numbers: { phone: string; blocked: boolean; reason: string | null; pending: unknown[] }[];
  };
}

describe('signing in', () => {
  it('shows the local sign-in form, with a field, a checkbox per group and a button, and nothing else before sign-in', async () => {
    // prepare, act
    const page = await openConsole(browser(), '/console/');
    await page.getByLabel('User name').waitFor();
    await screenshot(page, 'console-sign-in');

    // assess
    expect(await page.getByRole('checkbox', { name: EDITORS }).count()).toBe(1);
    expect(await page.getByRole('checkbox', { name: 'profile-admins' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('opens a profile by its id from the start page, and signing out returns to the sign-in form', async () => {
    // prepare
    const phone = uniquePhone();
    const profileId = await createProfile([phone], 'console');
    const page = await openConsole(browser(), '/console/');
    await signIn(page, 'otto');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'console-start');

    // act
    await page.getByLabel('Profile id').fill(profileId);
    await page.getByRole('button', { name: 'Open profile' }).click();

    // assess
    await page.getByRole('heading', { name: `Profile ${profileId}` }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/console/profiles/${profileId}`);
    await rowOf(page, phone).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('User name').waitFor();
    await page.context().close();
  });
});

describe('blocking a number', () => {
  it('blocks with a reason: the row shows Pending, then Blocked, and the history names the editor and the reason', async () => {
    // prepare
    const [phone, other] = [uniquePhone(), uniquePhone()];
    const profileId = await createProfile([phone, other], 'console');
    const page = await openConsole(browser(), `/console/profiles/${profileId}`);
    await signIn(page, 'erin', [EDITORS]);
    const toggle = switchFor(page, phone);
    await toggle.waitFor();
    expect(await toggle.getAttribute('aria-checked')).toBe('false');
    await page.getByText('Can receive WhatsApp messages').first().waitFor();
    await screenshot(page, 'console-profile-editor');
    expect(await accessibilityViolations(page)).toEqual([]);

    // act: switch, give the reason, confirm
    await toggle.click();
    const dialog = page.getByRole('dialog', { name: /Block/ });
    await dialog.waitFor();
    await dialog.getByLabel('Reason').fill('Customer asked by phone not to be contacted on WhatsApp');
    await screenshot(page, 'console-reason-dialog');
    expect(await accessibilityViolations(page)).toEqual([]);
    // The console's polls wait at this gate until the pending row has been photographed.
    let openGate = () => {};
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    await page.route(/\/requests\/[^/]+$/, async (route) => {
      await gate;
      await route.continue();
    });
    await dialog.getByRole('button', { name: 'Confirm' }).click();

    // assess: pending until the processor applies it (the switch shows the applied state meanwhile)
    await rowOf(page, phone).getByText('Pending', { exact: true }).waitFor();
    await page.getByRole('status').filter({ hasText: 'was accepted' }).waitFor();
    expect(await toggle.getAttribute('aria-checked')).toBe('false');
    await screenshot(page, 'console-pending');
    openGate();
    await rowOf(page, phone).getByText('Blocked by an operator').waitFor();
    expect(await toggle.getAttribute('aria-checked')).toBe('true');
    expect(await rowOf(page, phone).getByText('Pending', { exact: true }).count()).toBe(0);
    await page.getByRole('status').filter({ hasText: 'is now blocked' }).waitFor();
    const historyRow = page.getByRole('row').filter({ hasText: 'Customer asked by phone' });
    await historyRow.waitFor();
    expect(await historyRow.innerText()).toMatch(/Block[\s\S]*erin[\s\S]*Customer asked by phone not to be contacted on WhatsApp[\s\S]*Applied/);
    await screenshot(page, 'console-blocked');
    expect(await switchFor(page, other).getAttribute('aria-checked')).toBe('false');

    // and the API agrees
    const view = await profileView(profileId);
    expect(view.numbers.find((n) => n.phone === phone)).toMatchObject({ blocked: true, reason: 'Customer asked by phone not to be contacted on WhatsApp' });

    // a deep link survives a reload
    await page.reload();
    await switchFor(page, phone).waitFor();
    expect(await switchFor(page, phone).getAttribute('aria-checked')).toBe('true');
    await page.context().close();
  });

  it('refuses an empty reason in the dialog and sends nothing', async () => {
    // prepare
    const phone = uniquePhone();
    const profileId = await createProfile([phone], 'console');
    const page = await openConsole(browser(), `/console/profiles/${profileId}`);
    await signIn(page, 'erin', [EDITORS]);
    const sent: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && /\/(block|unblock)$/.test(request.url())) sent.push(request.url());
    });

    // act
    await switchFor(page, phone).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason').fill('   ');
    await dialog.getByRole('button', { name: 'Confirm' }).click();

    // assess
    await dialog.getByRole('alert').filter({ hasText: 'Enter a reason' }).waitFor();
    expect(await dialog.isVisible()).toBe(true);
    expect(await dialog.getByLabel('Reason').getAttribute('aria-invalid')).toBe('true');
    expect(sent).toEqual([]);
    expect((await profileView(profileId)).numbers[0]).toMatchObject({ blocked: false, pending: [] });
    await page.context().close();
  });

  it('changes nothing on Cancel or Escape, and gives focus back to the switch', async () => {
    // prepare
    const phone = uniquePhone();
    const profileId = await createProfile([phone], 'console');
    const page = await openConsole(browser(), `/console/profiles/${profileId}`);
    await signIn(page, 'erin', [EDITORS]);
    const toggle = switchFor(page, phone);
    const dialog = page.getByRole('dialog');

    // act, assess: Cancel
    await toggle.click();
    await dialog.getByLabel('Reason').fill('Changed my mind');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await toggle.evaluate((element) => element.matches(':focus'))).toBe(true);

    // act, assess: Escape
    await toggle.press('Space');
    await dialog.waitFor();
    await page.keyboard.type('Not this time either');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await toggle.evaluate((element) => element.matches(':focus'))).toBe(true);

    expect(await toggle.getAttribute('aria-checked')).toBe('false');
    const view = await profileView(profileId);
    expect(view.numbers[0]).toMatchObject({ blocked: false, pending: [] });
    const history = await http('GET', `/profiles/${profileId}/whatsapp/history`, { token: readerToken });
    expect(history.body.items).toEqual([]);
    await page.context().close();
  });

  it('works with the keyboard alone: Tab to the switch, Space, type the reason, Enter; then unblocks the same way', async () => {
    // prepare
    const phone = uniquePhone();
    const profileId = await createProfile([phone], 'console');
    const page = await openConsole(browser(), `/console/profiles/${profileId}`);
    await signIn(page, 'erin', [EDITORS]);
    const toggle = switchFor(page, phone);
    await toggle.waitFor();

    // act: Tab until the switch has focus
    for (let presses = 0; presses < 30 && !(await toggle.evaluate((element) => element.matches(':focus'))); presses++) {
      await page.keyboard.press('Tab');
    }
    expect(await toggle.evaluate((element) => element.matches(':focus'))).toBe(true);
    await page.keyboard.press('Space');
    await page.getByRole('dialog').waitFor();
    await page.keyboard.type('Blocked from the keyboard');
    await page.keyboard.press('Enter');

    // assess
    await eventually(() => toggle.getAttribute('aria-checked'), (checked) => checked === 'true');
    await page.getByRole('row').filter({ hasText: 'Blocked from the keyboard' }).waitFor();

    // act: and back, still by keyboard
    await rowOf(page, phone).getByText('Pending', { exact: true }).waitFor({ state: 'hidden' });
    await toggle.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: /Unblock/ }).waitFor();
    await page.keyboard.type('Customer asked to hear from us again');
    await page.keyboard.press('Enter');
    await eventually(() => toggle.getAttribute('aria-checked'), (checked) => checked === 'false');
    await rowOf(page, phone).getByText('Can receive WhatsApp messages').waitFor();
    await page.context().close();
  });
});

describe('without the permission', () => {
  it('shows the numbers to a reader without any switch, and says which permission changing needs', async () => {
    // prepare
    const phone = uniquePhone();
    const profileId = await createProfile([phone], 'console');
    const page = await openConsole(browser(), `/console/profiles/${profileId}`);

    // act
    await signIn(page, 'rita');

    // assess
    await rowOf(page, phone).waitFor();
    await page.getByText('needs the permission “Edit WhatsApp blocklist”').waitFor();
    expect(await page.getByRole('switch').count()).toBe(0);
    await page.getByRole('heading', { name: 'History' }).waitFor();
    await screenshot(page, 'console-profile-reader');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.context().close();
  });
});
