import { lambdaContext } from '../../infra/local/lambda-context.js';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { apiEvent, editor, invoke, profileAdmin, reader } from '../support/api-events.js';
import { consentApi, uniquePhone } from '../support/consent-api.js';
import { batch, takeMessages } from '../support/sqs-records.js';
import { allItems, queueDepth } from '../support/tables.js';

/*
 * `DELETE /profiles/{profileId}` against DynamoDB Local: the profile and its list of numbers go, the
 * numbers' consent stays, requests already accepted still end, and the profile's history stays readable.
 * And the merge of two profiles, as the README describes it: the union on the kept one, the other deleted.
 */
const resources = await provisionIsolatedResources();
const profiles = await import('../../functions/profiles/handler.js');
const requests = await import('../../functions/consent-requests/handler.js');
const history = await import('../../functions/history/handler.js');
const { handler: processor } = await import('../../functions/processor/handler.js');
const api = consentApi({ profiles, requests });

const DELETE_PROFILE = 'DELETE /profiles/{profileId}';
const deleteProfile = (profileId: string, caller = profileAdmin) => invoke(profiles.handler, apiEvent(DELETE_PROFILE, { pathParameters: { profileId }, caller }));
const view = (profileId: string) => invoke(profiles.handler, apiEvent('GET /profiles/{profileId}/whatsapp', { pathParameters: { profileId } }));
const number = (phone: string) => invoke(profiles.handler, apiEvent('GET /numbers/{phone}', { pathParameters: { phone } }));
const profileHistory = (profileId: string) => invoke(history.handler, apiEvent('GET /profiles/{profileId}/whatsapp/history', { pathParameters: { profileId } }));

/** Applies every queued event, as the processor behind the queue would. */
async function processQueued(): Promise<void> {
  const depth = await queueDepth(resources.sqs, resources.consentQueueUrl);
  if (depth === 0) return;
  const records = await takeMessages(resources.sqs, resources.consentQueueUrl, depth);
  const response = await processor(batch(...records), lambdaContext('processor'));
  expect(response.batchItemFailures).toEqual([]);
}

/** The index items that say which profiles hold a number. */
async function holdersOf(phone: string): Promise<string[]> {
  const items = await allItems(resources.dynamoDb, resources.consentTableName);
  return items.filter((item) => item['pk'] === `PHONE#${phone}` && String(item['sk']).startsWith('HOLDER#')).map((item) => item['profileId']);
}

describe('DELETE /profiles/{profileId}', () => {
  it('removes the profile and its list for a profile admin; the numbers keep their consent, and the history stays readable', async () => {
    // prepare: a profile with two numbers, one blocked from its page
    const [blocked, sendable] = [uniquePhone(), uniquePhone()];
    const profileId = await api.createProfile([blocked, sendable]);
    await api.request('block', profileId, blocked, 'Asked on the phone');
    await processQueued();

    // act
    const response = await deleteProfile(profileId);

    // assess
    expect(response).toMatchObject({ status: 204, body: '' });
    expect((await view(profileId)).status).toBe(404);
    expect(await holdersOf(blocked)).toEqual([]);
    expect(await holdersOf(sendable)).toEqual([]);
    expect((await number(blocked)).body).toMatchObject({ blocked: true, source: 'manual', reason: 'Asked on the phone' });
    const entries = await profileHistory(profileId);
    expect(entries.status).toBe(200);
    expect(entries.body.items).toEqual([expect.objectContaining({ phone: blocked, profileId, action: 'block', reason: 'Asked on the phone' })]);
  });

  it('lets a request accepted before the deletion end as it would have', async () => {
    // prepare
    const phone = uniquePhone();
    const profileId = await api.createProfile([phone]);
    const requestId = await api.request('block', profileId, phone);

    // act
    expect((await deleteProfile(profileId)).status).toBe(204);
    await processQueued();

    // assess
    expect(await api.requestStatus(requestId)).toBe('applied');
    expect((await number(phone)).body).toMatchObject({ blocked: true, pending: [] });
    expect((await profileHistory(profileId)).body.items).toEqual([expect.objectContaining({ requestId, profileId, outcome: 'applied' })]);
  });

  it('answers 404 for a profile that does not exist, and its history is 404 while it has none', async () => {
    const response = await deleteProfile('p-never-created');

    expect(response.status).toBe(404);
    expect(response.contentType).toBe('application/problem+json');
    expect((await profileHistory('p-never-created')).status).toBe(404);
  });

  it.each([
    ['an editor', editor],
    ['a reader', reader],
  ])('refuses %s with 403 and deletes nothing', async (_, caller) => {
    const phone = uniquePhone();
    const profileId = await api.createProfile([phone]);

    const response = await deleteProfile(profileId, caller);

    expect(response.status).toBe(403);
    expect((await view(profileId)).status).toBe(200);
    expect(await holdersOf(phone)).toEqual([profileId]);
  });

  it('lets a deleted profile be created again, with nothing of its old list', async () => {
    const [old, fresh] = [uniquePhone(), uniquePhone()];
    const profileId = await api.createProfile([old]);
    await deleteProfile(profileId);

    const recreated = await invoke(profiles.handler, apiEvent('PUT /profiles/{profileId}', { pathParameters: { profileId }, body: { whatsappNumbers: [fresh] }, caller: profileAdmin }));

    expect(recreated.status).toBe(200);
    expect((await view(profileId)).body.numbers.map((entry: { phone: string }) => entry.phone)).toEqual([fresh]);
    expect(await holdersOf(old)).toEqual([]);
  });
});

describe('merging two profiles (README, "A person\'s data")', () => {
  it('puts the union of the numbers on the profile kept and deletes the other: consent and history stay', async () => {
    // prepare: two profiles of one person, sharing a number; the other profile's own number blocked
    const [kept, shared, merged] = [uniquePhone(), uniquePhone(), uniquePhone()];
    const keptId = await api.createProfile([kept, shared]);
    const otherId = await api.createProfile([shared, merged]);
    await api.request('block', otherId, merged, 'Complained by e-mail');
    await processQueued();

    // act: the recipe
    const union = [...new Set([kept, shared, shared, merged])];
    const put = await invoke(profiles.handler, apiEvent('PUT /profiles/{profileId}', { pathParameters: { profileId: keptId }, body: { whatsappNumbers: union }, caller: profileAdmin }));
    const deleted = await deleteProfile(otherId);

    // assess
    expect([put.status, deleted.status]).toEqual([200, 204]);
    const numbers = (await view(keptId)).body.numbers as { phone: string; blocked: boolean; reason: string | null }[];
    expect(numbers.map(({ phone, blocked, reason }) => ({ phone, blocked, reason }))).toEqual([
      { phone: kept, blocked: false, reason: null },
      { phone: shared, blocked: false, reason: null },
      { phone: merged, blocked: true, reason: 'Complained by e-mail' },
    ]);
    expect((await view(otherId)).status).toBe(404);
    for (const phone of union) expect(await holdersOf(phone)).toEqual([keptId]);
    // The block was made on the other profile's page, and its history still says so.
    expect((await profileHistory(otherId)).body.items).toEqual([expect.objectContaining({ phone: merged, profileId: otherId })]);
  });
});
