import { createProfile, http, tokenFor } from '../support/http-client.js';
import { uniquePhone } from '../support/consent-api.js';
import { eventually } from '../support/poll.js';

/** Black-box checks of `POST /blocklist/check` over HTTP against the local stack. */

const editorToken = await tokenFor({ user: 'erin', groups: ['whatsapp-blocklist-editors'] });
const readerToken = await tokenFor({ user: 'rita' });
const campaignToken = await tokenFor({ user: 'campaigns', scopes: ['whatsapp-blocklist/check'] });

/** `token: null` sends none. */
const check = (phones: unknown, token: string | null = campaignToken) =>
  http('POST', '/blocklist/check', { ...(token === null ? {} : { token }), body: { phones } });

async function blockByHand(profileId: string, phone: string): Promise<void> {
  const response = await http('POST', `/profiles/${profileId}/whatsapp/${phone.slice(1)}/block`, {
    token: editorToken,
    body: { reason: 'Asked us to stop' },
  });
  expect(response.status).toBe(202);
}

describe('POST /blocklist/check', () => {
  it('classifies blocked, sendable and invalid inputs written in any format', async () => {
    // prepare: one number blocked by an editor, one never touched
    const [blocked, sendable] = [uniquePhone(), uniquePhone()];
    const profileId = await createProfile([blocked, sendable]);
    await blockByHand(profileId, blocked);
    const spaced = (phone: string) => `${phone.slice(0, 4)} ${phone.slice(4, 7)} ${phone.slice(7, 10)} ${phone.slice(10)}`;

    // act: poll until the processor has applied the block
    const response = await eventually(
      () => check([spaced(blocked), `00${sendable.slice(1)}`, blocked.slice(1), 'call me maybe', sendable]),
      (result) => result.body?.blocked?.length === 1,
    );

    // assess
    expect(response).toMatchObject({ status: 200, contentType: 'application/json' });
    expect(response.body).toEqual({
      blocked: [{ phone: blocked, source: 'manual', reasonCode: null }],
      optedOut: [],
      sendable: [sendable],
      invalid: ['call me maybe'],
    });
  });

  it('answers 10,000 numbers in one call, each classified', async () => {
    // prepare: one blocked number among 10,000
    const blocked = uniquePhone();
    const profileId = await createProfile([blocked]);
    await blockByHand(profileId, blocked);
    const others = Array.from({ length: 9_999 }, (_, index) => `+42072${String(index).padStart(7, '0')}`);

    // act
    const response = await eventually(() => check([blocked, ...others], readerToken), (result) => result.body?.blocked?.length === 1);

    // assess
    expect(response.status).toBe(200);
    expect(response.body.blocked).toEqual([{ phone: blocked, source: 'manual', reasonCode: null }]);
    expect(response.body.sendable).toEqual(others);
    expect(response.body.invalid).toEqual([]);
  });

  it.each([
    ['10,001 numbers', Array.from({ length: 10_001 }, () => '+420777123456')],
    ['an empty list', []],
  ])('refuses %s with a 400 problem', async (_label, phones) => {
    const response = await check(phones);

    expect(response).toMatchObject({ status: 400, contentType: 'application/problem+json' });
    expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: expect.stringContaining('body.phones') })]));
  });

  it('refuses a request without a token with 401', async () => {
    const response = await check(['+420777123456'], null);

    expect(response).toMatchObject({ status: 401, contentType: 'application/problem+json' });
  });
});
