import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createProfile, http, postWebhook, stack, tokenFor } from '../support/http-client.js';
import { itemsNaming as itemsNamingIn } from '../support/tables.js';
import { uniquePhone } from '../support/consent-api.js';
import { eventually } from '../support/poll.js';
import { callbackBody, statusObject } from '../support/whatsapp-callbacks.js';

/*
 * A person's data, black-box over HTTP on the local stack (SPEC behaviour 20): a number blocked with a
 * reason and paired with a user id is exported, erased, and then held only as its objection; a sendable
 * number leaves nothing; profiles are deleted and merged.
 */

const adminToken = await tokenFor({ user: 'adam', groups: ['profile-admins'] });
const editorToken = await tokenFor({ user: 'erin', groups: ['whatsapp-blocklist-editors'] });
const readerToken = await tokenFor({ user: 'rita' });
const officerToken = await tokenFor({ user: 'petra', groups: ['privacy-officers'] });

const dynamoDb = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.dynamoDbEndpoint }));
afterAll(() => dynamoDb.destroy());
/** Every item of the stack's two tables that names the number, in its key or its attributes. */
const itemsNaming = (phone: string) => itemsNamingIn(dynamoDb, [stack.consentTableName, stack.auditTableName], phone);

const path = (phone: string) => encodeURIComponent(phone);
const exported = async (phone: string) => (await http('GET', `/numbers/${path(phone)}/personal-data`, { token: officerToken })).body;
const numberHistory = async (phone: string) => (await http('GET', `/numbers/${path(phone)}/history`, { token: readerToken })).body.items as Record<string, any>[];
const checked = async (phone: string) => (await http('POST', '/blocklist/check', { token: readerToken, body: { phones: [phone] } })).body;
/** The number's row in the whole blocklist, page after page. */
async function listed(phone: string): Promise<Record<string, any> | undefined> {
  let cursor: string | null = null;
  do {
    const response = await http('GET', `/blocklist?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: readerToken });
    const found = (response.body.items as Record<string, any>[]).find((item) => item['phone'] === phone);
    if (found) return found;
    cursor = response.body.nextCursor;
  } while (cursor);
  return undefined;
}

async function settled(requestId: string): Promise<void> {
  await eventually(() => http('GET', `/requests/${requestId}`, { token: readerToken }), (response) => response.body.status !== 'pending');
}

async function block(profileId: string, phone: string, reason: string, action: 'block' | 'unblock' = 'block'): Promise<void> {
  const response = await http('POST', `/profiles/${profileId}/whatsapp/${path(phone)}/${action}`, { token: editorToken, body: { reason } });
  expect(response.status).toBe(202);
  await settled(response.body.requestId);
}

/** A signed status that shows the user id beside the number: the processor remembers the pair. */
async function pair(phone: string, userId: string): Promise<void> {
  expect((await postWebhook(callbackBody(statusObject({ status: 'delivered', recipientId: phone.slice(1), userId })))).body).toMatchObject({ pairings: 1 });
  await eventually(() => exported(phone), (data) => data.pairings.length === 1);
}

describe("a person's data on the local stack", () => {
  it('exports a blocked number with its reason and pairing, erases it, and keeps only the block: the check still says blocked', async () => {
    // prepare: blocked with a reason, paired with a user id
    const phone = uniquePhone();
    const userId = `US.${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    const reason = `Asked us to stop, by phone (${phone.slice(-4)})`;
    const profileId = await createProfile([phone]);
    await block(profileId, phone, reason);
    await pair(phone, userId);

    // act: the export, then the erasure
    const before = await exported(phone);
    const erasure = await http('POST', `/numbers/${path(phone)}/erase`, { token: officerToken, body: { reason: 'Data subject request #4711' } });
    const after = await exported(phone);

    // assess: the export held the reason and the pairing
    expect(before).toMatchObject({ state: { blocked: true, reason }, pairings: [{ userId, current: true }], profiles: [profileId] });
    expect(before.history).toEqual([expect.objectContaining({ reason, action: 'block' })]);
    // assess: the erasure went through, and kept the objection
    expect(erasure.status).toBe(200);
    expect(erasure.body).toEqual({ phone, deleted: { historyEntries: 1, profiles: 1, pairings: 1, requests: 1, held: 0, unresolved: 0, importRows: 0 }, suppressionKept: true });
    // assess: the reason and the pairing are gone from the export, the history and the list
    expect(after).toMatchObject({ state: { blocked: true, source: 'manual', reason: '', updatedBy: '', profileId: null }, history: [], pairings: [], profiles: [], requests: [] });
    expect(JSON.stringify(after)).not.toContain(reason);
    expect(JSON.stringify(after)).not.toContain(userId);
    expect(await numberHistory(phone)).toEqual([]);
    expect(await listed(phone)).toMatchObject({ phone, source: 'manual', reason: '', updatedBy: '' });
    // assess: campaigns still skip it, and the suppression record is all that names the number
    expect(await checked(phone)).toMatchObject({ blocked: [{ phone, source: 'manual' }], sendable: [] });
    expect((await itemsNaming(phone)).map((item) => item['sk'])).toEqual(['STATE']);
  });

  it('leaves nothing of a sendable number', async () => {
    // prepare: blocked and unblocked with reasons, paired with a user id
    const phone = uniquePhone();
    const userId = `US.${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    const profileId = await createProfile([phone]);
    await block(profileId, phone, 'Complained about a message');
    await block(profileId, phone, 'Consented again in the shop', 'unblock');
    await pair(phone, userId);
    expect(JSON.stringify(await exported(phone))).toContain('Consented again in the shop');

    // act
    const erasure = await http('POST', `/numbers/${path(phone)}/erase`, { token: officerToken, body: { reason: 'Data subject request #4712' } });

    // assess: nothing is held of it, anywhere
    expect(erasure.body).toMatchObject({ suppressionKept: false, deleted: { pairings: 1, profiles: 1, historyEntries: 2, requests: 2 } });
    expect(await exported(phone)).toMatchObject({ state: null, history: [], pairings: [], profiles: [], requests: [] });
    expect(await listed(phone)).toBeUndefined();
    expect(await checked(phone)).toMatchObject({ sendable: [phone] });
    expect((await http('GET', `/profiles/${profileId}/whatsapp`, { token: readerToken })).body.numbers).toEqual([]);
    expect(await itemsNaming(phone)).toEqual([]);
  });

  it('refuses a reader and an editor with 403, and the erasure changes nothing then', async () => {
    const phone = uniquePhone();
    const profileId = await createProfile([phone]);
    await block(profileId, phone, 'Kept');

    for (const token of [readerToken, editorToken]) {
      expect((await http('GET', `/numbers/${path(phone)}/personal-data`, { token })).status).toBe(403);
      expect((await http('POST', `/numbers/${path(phone)}/erase`, { token, body: { reason: 'x' } })).status).toBe(403);
    }
    expect((await exported(phone)).history).toHaveLength(1);
  });

  it('deletes a profile, keeping its numbers\' consent and its history; and merges two profiles', async () => {
    // prepare: two profiles of one person, the other one's own number blocked from its page
    const [kept, merged] = [uniquePhone(), uniquePhone()];
    const keptId = await createProfile([kept]);
    const otherId = await createProfile([merged]);
    await block(otherId, merged, 'Complained by e-mail');

    // act: the merge recipe
    const put = await http('PUT', `/profiles/${keptId}`, { token: adminToken, body: { whatsappNumbers: [kept, merged] } });
    const deleted = await http('DELETE', `/profiles/${otherId}`, { token: adminToken });

    // assess
    expect([put.status, deleted.status]).toEqual([200, 204]);
    expect((await http('GET', `/profiles/${otherId}/whatsapp`, { token: readerToken })).status).toBe(404);
    const view = await http('GET', `/profiles/${keptId}/whatsapp`, { token: readerToken });
    expect(view.body.numbers.map((number: Record<string, any>) => [number['phone'], number['blocked']])).toEqual([
      [kept, false],
      [merged, true],
    ]);
    const history = await http('GET', `/profiles/${otherId}/whatsapp/history`, { token: readerToken });
    expect(history.body.items).toEqual([expect.objectContaining({ phone: merged, reason: 'Complained by e-mail' })]);
    expect((await http('DELETE', `/profiles/${otherId}`, { token: readerToken })).status).toBe(403);
  });
});
