import { LOCAL_WHATSAPP_VERIFY_TOKEN } from '../../infra/local/stack.js';
import { createProfile, http, postWebhook, tokenFor } from '../support/http-client.js';
import { uniquePhone } from '../support/consent-api.js';
import { eventually } from '../support/poll.js';
import { callbackBody, inboundMessageBody, preferencesBody, signatureOf, statusObject, type StatusOptions } from '../support/whatsapp-callbacks.js';

/**
 * Black-box checks of the provider webhook over HTTP against the running local
 * stack, which signs nothing itself: the callbacks are signed here with the documented local app secret.
 */

const editorToken = await tokenFor({ user: 'erin', groups: ['whatsapp-blocklist-editors'] });
const readerToken = await tokenFor({ user: 'rita' });

const postCallback = postWebhook;

const failure = (options: StatusOptions) => callbackBody(statusObject(options));

async function numberView(profileId: string, phone: string) {
  const response = await http('GET', `/profiles/${profileId}/whatsapp`, { token: readerToken });
  return (response.body.numbers as Record<string, any>[]).find((number) => number['phone'] === phone);
}

async function numberHistory(phone: string): Promise<Record<string, any>[]> {
  return (await http('GET', `/numbers/${encodeURIComponent(phone)}/history`, { token: readerToken })).body.items;
}

/** What a campaign learns of the number from `POST /blocklist/check`. */
async function campaignCheck(phone: string, category = 'marketing') {
  const response = await http('POST', '/blocklist/check', { token: readerToken, body: { phones: [phone], category } });
  expect(response.status).toBe(200);
  return response.body as { blocked: unknown[]; optedOut: { phone: string }[]; sendable: string[]; invalid: string[] };
}

/** A fresh number on a fresh profile, and the number's WhatsApp id. */
async function numberOnProfile() {
  const phone = uniquePhone();
  return { phone, waId: phone.slice(1), profileId: await createProfile([phone]) };
}

describe('subscription handshake', () => {
  it('answers the challenge as plain text when the verify token is right', async () => {
    const query = new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.verify_token': LOCAL_WHATSAPP_VERIFY_TOKEN, 'hub.challenge': '1158201444' });

    const response = await http('GET', `/webhooks/whatsapp?${query}`);

    expect(response).toMatchObject({ status: 200, body: '1158201444' });
    expect(response.contentType).toMatch(/^text\/plain/);
  });

  it('refuses a wrong verify token with 403', async () => {
    const query = new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.verify_token': 'guess', 'hub.challenge': '1158201444' });

    const response = await http('GET', `/webhooks/whatsapp?${query}`);

    expect(response).toMatchObject({ status: 403, contentType: 'application/problem+json' });
  });
});

describe('delivery callbacks', () => {
  it.each([
    ['unsigned', null],
    ['signed with another secret', 'forged'],
  ])('refuses an %s callback with 401 and changes nothing', async (_label, kind) => {
    // prepare
    const { phone, waId, profileId } = await numberOnProfile();
    const body = failure({ recipientId: waId });

    // act
    const response = await postCallback(body, kind === 'forged' ? signatureOf(body, 'mallory-guess') : null);

    // assess: refused; then a signed opt-out of the same number, processed after it, is all the history holds
    expect(response).toMatchObject({ status: 401, contentType: 'application/problem+json' });
    expect((await postCallback(failure({ recipientId: waId, code: 131050 }))).status).toBe(200);
    const history = await eventually(() => numberHistory(phone), (items) => items.length > 0);
    expect(history.map((entry) => entry['action'])).toEqual(['wa_opted_out']);
    expect(await numberView(profileId, phone)).toMatchObject({ blocked: false });
  });

  it('blocks a number once on a 131026 failure delivered twice, campaigns skip it, and an editor can unblock it', async () => {
    // prepare
    const { phone, waId, profileId } = await numberOnProfile();
    const body = failure({ recipientId: waId, messageId: `wamid.e2e-${waId}` });

    // act: the provider delivers the same callback twice
    const first = await postCallback(body);
    const second = await postCallback(body);

    // assess: blocked automatically, with the code and the sender, and audited once
    expect([first.status, second.status]).toEqual([200, 200]);
    const blocked = await eventually(() => numberView(profileId, phone), (number) => number?.['blocked'] === true);
    expect(blocked).toMatchObject({ source: 'automatic', reasonCode: '131026', updatedBy: 'whatsapp:967249473135513' });
    expect((await campaignCheck(phone)).blocked).toEqual([{ phone, source: 'automatic', reasonCode: '131026' }]);
    const history = await numberHistory(phone);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      action: 'wa_blocked',
      source: 'automatic',
      reasonCode: '131026',
      outcome: 'applied',
      requestId: null,
      actor: { type: 'provider', phoneNumberId: '967249473135513' },
    });

    // act: an editor unblocks by hand; then the provider retries the old callback once more
    const unblock = await http('POST', `/profiles/${profileId}/whatsapp/${encodeURIComponent(phone)}/unblock`, {
      token: editorToken,
      body: { reason: 'The customer is on WhatsApp again' },
    });
    expect(unblock.status).toBe(202);
    await eventually(() => numberView(profileId, phone), (number) => number?.['blocked'] === false);
    expect(await campaignCheck(phone)).toEqual({ blocked: [], optedOut: [], sendable: [phone], invalid: [] });
    expect((await postCallback(body)).status).toBe(200);
    // a later, signed opt-out marks the end of the queue for this number
    expect((await postCallback(failure({ recipientId: waId, code: 131050 }))).status).toBe(200);
    const final = await eventually(() => numberHistory(phone), (items) => items.some((entry) => entry['action'] === 'wa_opted_out'));

    // assess: the retry was the same failure, already recorded: the number stays unblocked; the opt-out
    // keeps it from marketing only
    expect(final.map((entry) => entry['action']).sort()).toEqual(['unblock', 'wa_blocked', 'wa_opted_out']);
    expect(await numberView(profileId, phone)).toMatchObject({ blocked: false, source: 'manual', marketingOptOut: { source: 'delivery_failure' } });
    expect((await campaignCheck(phone)).optedOut.map((entry) => entry.phone)).toEqual([phone]);
    expect((await campaignCheck(phone, 'utility')).sendable).toEqual([phone]);
  });

  it.each([
    ['a temporary failure (131049)', { code: 131049 }],
    ['a delivered status', { status: 'delivered' }],
  ])('blocks nothing on %s', async (_label, options) => {
    // prepare
    const { phone, waId, profileId } = await numberOnProfile();

    // act
    const response = await postCallback(failure({ recipientId: waId, ...options }));

    // assess: acknowledged, nothing enqueued; a later opt-out is the only entry in the history
    expect(response).toMatchObject({ status: 200, body: { statuses: 1, enqueued: 0 } });
    await postCallback(failure({ recipientId: waId, code: 131050 }));
    const history = await eventually(() => numberHistory(phone), (items) => items.length > 0);
    expect(history.map((entry) => entry['action'])).toEqual(['wa_opted_out']);
    expect(await numberView(profileId, phone)).toMatchObject({ blocked: false });
  });

  it('answers a signed body it cannot read with 200, counting it as unreadable, never 4xx or 5xx', async () => {
    const notJson = await postCallback('{"object":"whatsapp_business_account","entry":[');
    const wrongShape = await postCallback(JSON.stringify({ object: 'whatsapp_business_account', entry: 'everything' }));

    expect(notJson).toMatchObject({ status: 200, body: { enqueued: 0, unreadable: 1 } });
    expect(wrongShape).toMatchObject({ status: 200, body: { enqueued: 0, unreadable: 1 } });
  });

  it('blocks the stored Brazilian number that has the ninth digit when the WhatsApp id lacks it', async () => {
    // prepare: the fixture's recipient 554192146473 is +55 41 99214-6473
    const profileId = await createProfile(['+5541992146473']);

    // act
    const response = await postCallback(failure({ recipientId: '554192146473' }));

    // assess
    expect(response.status).toBe(200);
    const number = await eventually(() => numberView(profileId, '+5541992146473'), (view) => view?.['blocked'] === true);
    expect(number).toMatchObject({ source: 'automatic', reasonCode: '131026' });
  });

  it("blocks the profile's +52 number when the Mexican WhatsApp id keeps the old 1 after the country code", async () => {
    // A Mexico City mobile, unique per run: +52 55 XXXX XXXX, and its WhatsApp id 521 55 XXXX XXXX.
    const subscriber = String(10_000_000 + Math.floor(Math.random() * 89_999_999));
    const phone = `+5255${subscriber}`;
    const profileId = await createProfile([phone]);

    const response = await postCallback(failure({ recipientId: `52155${subscriber}` }));

    expect(response).toMatchObject({ status: 200, body: { enqueued: 1 } });
    const number = await eventually(() => numberView(profileId, phone), (view) => view?.['blocked'] === true);
    expect(number).toMatchObject({ source: 'automatic', reasonCode: '131026' });
  });

  it('blocks on a 130403 failure (this business has blocked the user on WhatsApp)', async () => {
    const { phone, waId, profileId } = await numberOnProfile();

    await postCallback(failure({ recipientId: waId, code: 130403 }));

    const number = await eventually(() => numberView(profileId, phone), (view) => view?.['blocked'] === true);
    expect(number).toMatchObject({ source: 'automatic', reasonCode: '130403' });
  });
});

describe('marketing preferences', () => {
  it('keeps a number that said stop out of marketing checks only, until a later resume', async () => {
    // prepare
    const { phone, waId, profileId } = await numberOnProfile();
    const now = Math.floor(Date.now() / 1000);

    // act: the recipient stops marketing messages inside WhatsApp
    expect((await postCallback(preferencesBody({ waId, value: 'stop', timestamp: now }))).status).toBe(200);
    await eventually(() => numberView(profileId, phone), (number) => number?.['marketingOptOut'] !== null);

    // assess
    expect(await numberView(profileId, phone)).toMatchObject({ blocked: false, marketingOptOut: { source: 'user_preferences' } });
    expect((await campaignCheck(phone)).optedOut.map((entry) => entry.phone)).toEqual([phone]);
    expect((await campaignCheck(phone, 'utility')).sendable).toEqual([phone]);

    // act, assess: and resumes them
    expect((await postCallback(preferencesBody({ waId, value: 'resume', timestamp: now + 1 }))).status).toBe(200);
    await eventually(() => numberView(profileId, phone), (number) => number?.['marketingOptOut'] === null);
    expect((await campaignCheck(phone)).sendable).toEqual([phone]);
  });

  it('refuses an unsigned preference with 401', async () => {
    const { waId } = await numberOnProfile();

    expect((await postCallback(preferencesBody({ waId }), null)).status).toBe(401);
  });
});

describe('keyword opt-outs', () => {
  it('blocks with source recipient on STOP, lifts on START, and START leaves an operator block alone', async () => {
    // prepare
    const { phone, waId, profileId } = await numberOnProfile();
    const other = await numberOnProfile();
    const now = Math.floor(Date.now() / 1000);

    // act, assess: STOP, then START
    expect((await postCallback(inboundMessageBody({ waId, text: ' Stop ', timestamp: now - 10 }))).status).toBe(200);
    await eventually(() => numberView(profileId, phone), (number) => number?.['blocked'] === true);
    expect(await numberView(profileId, phone)).toMatchObject({ source: 'recipient' });
    expect((await campaignCheck(phone, 'utility')).blocked).toEqual([expect.objectContaining({ phone, source: 'recipient' })]);
    expect((await postCallback(inboundMessageBody({ waId, text: 'START', timestamp: now - 5 }))).status).toBe(200);
    await eventually(() => numberView(profileId, phone), (number) => number?.['blocked'] === false);

    // act, assess: an editor's block is not the recipient's to lift
    const block = await http('POST', `/profiles/${other.profileId}/whatsapp/${encodeURIComponent(other.phone)}/block`, {
      token: editorToken,
      body: { reason: 'Complained to support' },
    });
    expect(block.status).toBe(202);
    await eventually(() => numberView(other.profileId, other.phone), (number) => number?.['blocked'] === true);
    expect((await postCallback(inboundMessageBody({ waId: other.waId, text: 'START' }))).status).toBe(200);
    await eventually(() => numberHistory(other.phone), (items) => items.some((entry) => entry['action'] === 'wa_start_keyword'));
    expect(await numberView(other.profileId, other.phone)).toMatchObject({ blocked: true, source: 'manual' });
  });
});
