import { readFileSync } from 'node:fs';
import { createProfile, http, postWebhook, tokenFor } from '../support/http-client.js';
import { uniquePhone } from '../support/consent-api.js';
import { eventually } from '../support/poll.js';
import { callbackBody, inboundMessageBody, statusObject } from '../support/whatsapp-callbacks.js';

/*
 * Business-scoped user ids (BSUIDs), black-box over HTTP on the local stack: pairings learnt from signed
 * callbacks resolve failures that name the user by id alone; a failure whose id was never paired is
 * listed as unresolved, and applied once a pairing arrives.
 */

const readerToken = await tokenFor({ user: 'rita' });

let users = 0;
/** A new, well-formed user id. */
const newUserId = () => `US.${Date.now()}${++users}${Math.floor(Math.random() * 1e6)}`;

async function numberView(profileId: string, phone: string) {
  const response = await http('GET', `/profiles/${profileId}/whatsapp`, { token: readerToken });
  return (response.body.numbers as Record<string, any>[]).find((number) => number['phone'] === phone);
}

async function unresolved(): Promise<{ count: number; items: Record<string, any>[] }> {
  const response = await http('GET', '/blocklist/unresolved?limit=100', { token: readerToken });
  expect(response.status).toBe(200);
  return response.body;
}

async function post(body: string) {
  const response = await postWebhook(body);
  expect(response.status).toBe(200);
  return response.body as { enqueued: number; unresolved: number; pairings: number };
}

describe('failures that name the recipient by user id alone', () => {
  it('block the number the user id was paired with by an earlier delivered status', async () => {
    const phone = uniquePhone();
    const profileId = await createProfile([phone]);
    const userId = newUserId();
    expect(await post(callbackBody(statusObject({ status: 'delivered', recipientId: phone.slice(1), userId })))).toMatchObject({ pairings: 1 });
    await eventually(() => post(callbackBody(statusObject({ status: 'read', recipientId: phone.slice(1), userId }))), (body) => body.pairings === 0);

    const result = await post(callbackBody(statusObject({ userId, userIdOnly: true })));

    expect(result).toMatchObject({ enqueued: 1, unresolved: 0 });
    await eventually(() => numberView(profileId, phone), (view) => view?.blocked === true);
    expect(await numberView(profileId, phone)).toMatchObject({ source: 'automatic', reasonCode: '131026' });
  });

  it('are listed as unresolved until a message pairs the id, then block the number, attributed to the campaign profile', async () => {
    const phone = uniquePhone();
    const profileId = await createProfile([phone]);
    const userId = newUserId();
    const before = (await unresolved()).count;

    const result = await post(callbackBody(statusObject({ userId, userIdOnly: true, callbackData: JSON.stringify({ profileId }) })));

    expect(result).toMatchObject({ enqueued: 0, unresolved: 1 });
    const listed = await unresolved();
    expect(listed.count).toBe(before + 1);
    expect(listed.items.find((item) => item['userId'] === userId)).toMatchObject({
      userId,
      sender: expect.any(String),
      reasonCode: '131026',
      profileId,
      failedAt: expect.any(String),
      receivedAt: expect.any(String),
    });
    expect(await numberView(profileId, phone)).toMatchObject({ blocked: false });

    // A message from the user, showing the id beside the number, pairs them.
    await post(inboundMessageBody({ waId: phone.slice(1), text: 'Hello', userId }));

    await eventually(() => numberView(profileId, phone), (view) => view?.blocked === true);
    // The processor settles the signal after applying it (a crash in between applies it again, harmlessly),
    // and the list is read from an index: it lets the id go a moment after the number is blocked.
    const after = await eventually(unresolved, (list) => !list.items.some((item) => item['userId'] === userId));
    expect(after.items.map((item) => item['userId'])).not.toContain(userId);
    const history = await http('GET', `/profiles/${profileId}/whatsapp/history`, { token: readerToken });
    expect(history.body.items[0]).toMatchObject({ phone, action: 'wa_blocked', outcome: 'applied', profileId });
  });

  it("take the fixture's shape: only recipient_user_id, and callback data naming the profile", async () => {
    const fixture = JSON.parse(readFileSync(new URL('../fixtures/meta-status-failed-bsuid-only.json', import.meta.url), 'utf8'));
    const userId = newUserId();
    const status = fixture.entry[0].changes[0].value.statuses[0];
    Object.assign(status, { id: `wamid.bsuid-${userId}`, recipient_user_id: userId, timestamp: String(Math.floor(Date.now() / 1000)) });

    const result = await post(JSON.stringify(fixture));

    expect(result).toMatchObject({ statuses: 1, enqueued: 0, unresolved: 1 });
    expect((await unresolved()).items.find((item) => item['userId'] === userId)).toMatchObject({ profileId: 'crm-1001', reasonCode: '131026' });
  });

  it('refuses an unsigned or wrongly signed failure named by user id with 401, keeping nothing', async () => {
    const userId = newUserId();
    const body = callbackBody(statusObject({ userId, userIdOnly: true }));

    expect((await postWebhook(body, null)).status).toBe(401);
    expect((await postWebhook(body, 'sha256=' + '0'.repeat(64))).status).toBe(401);
    expect((await unresolved()).items.some((item) => item['userId'] === userId)).toBe(false);
  });

  it('refuses to list unresolved failures without a token', async () => {
    expect((await http('GET', '/blocklist/unresolved')).status).toBe(401);
  });
});
