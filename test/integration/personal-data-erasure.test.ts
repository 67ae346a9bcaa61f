import { createHmac, randomUUID } from 'node:crypto';
import { ENV } from '../../shared/config.js';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { apiEvent, editor, invoke, profileAdmin, reader, type TestCaller } from '../support/api-events.js';
import { uniquePhone } from '../support/consent-api.js';
import { applyEvents } from '../support/apply-events.js';
import { handlersOfPeople, processQueued, request, seedPerson } from '../support/personal-data.js';
import { allItems, itemsNaming as itemsNamingIn } from '../support/tables.js';
import { e164, sampleAutomaticEvent } from '../unit/support/samples.js';

/*
 * `POST /numbers/{phone}/erase` against DynamoDB Local: everything stored about a number goes, but the
 * objection of a blocked or opted-out number; requests queued before the erasure leave nothing behind;
 * another number's items stay; an erasure that failed half-way is repeated and finishes.
 */
const resources = await provisionIsolatedResources({ visibilityTimeoutSeconds: 30 });
const ERASURE_LOG_KEY = 'a-test-key-of-the-erasure-log-0123456789';
process.env[ENV.autoBlockGuardLimit] = '1';
process.env[ENV.erasureLogKey] = ERASURE_LOG_KEY;
const handlers = await handlersOfPeople();
const personalData = await import('../../functions/personal-data/handler.js');
const eraser = await import('../../functions/personal-data-erasure/handler.js');
const history = await import('../../functions/history/handler.js');
const blocklist = await import('../../functions/blocklist/handler.js');
const check = await import('../../functions/blocklist-check/handler.js');

const privacyOfficer: TestCaller = { sub: 'sub-petra', username: 'petra', groups: ['privacy-officers'] };
const erase = (phone: string, { caller = privacyOfficer, reason = 'The data subject asked to be forgotten' as unknown }: { caller?: TestCaller; reason?: unknown } = {}) =>
  invoke(eraser.handler, apiEvent('POST /numbers/{phone}/erase', { pathParameters: { phone }, body: { reason }, caller }));
const exportOf = async (phone: string) => (await invoke(personalData.handler, apiEvent('GET /numbers/{phone}/personal-data', { pathParameters: { phone }, caller: privacyOfficer }))).body;
const numberHistory = async (phone: string) => (await invoke(history.handler, apiEvent('GET /numbers/{phone}/history', { pathParameters: { phone } }))).body.items;
const checked = async (phone: string) => (await invoke(check.handler, apiEvent('POST /blocklist/check', { body: { phones: [phone] } }))).body;
const listed = async (phone: string) =>
  ((await invoke(blocklist.handler, apiEvent('GET /blocklist', { query: { limit: '100' } }))).body.items as { phone: string }[]).find((item) => item.phone === phone);
const requestOf = (requestId: string) => invoke(handlers.requests.handler, apiEvent('GET /requests/{requestId}', { pathParameters: { requestId } }));

/** A business number of its own for each person, so that the guard's one slot is theirs (and names no recipient). */
const heldSender = () => `sender-${randomUUID()}`;

/** Every item of both tables that names the number. */
const itemsNaming = (phone: string) => itemsNamingIn(resources.dynamoDb, [resources.consentTableName, resources.auditTableName], phone);

/** The erasure log's entries of a number, found by the number's keyed hash, as an operator would. */
async function erasuresOf(phone: string): Promise<Record<string, any>[]> {
  const hash = createHmac('sha256', ERASURE_LOG_KEY).update(phone).digest('hex');
  return (await allItems(resources.dynamoDb, resources.auditTableName)).filter((item) => item['pk'] === `ERASURE#${hash}`);
}

describe('POST /numbers/{phone}/erase', () => {
  it("erases a blocked number's data and keeps its objection: the check, the list and the history say blocked, and nothing more", async () => {
    // prepare: one of everything about the number, and a request of it still on the queue
    const phone = uniquePhone();
    const person = await seedPerson(phone, { resources, handlers, heldSender: heldSender() });
    const neighbourBefore = await exportOf(person.neighbour);

    // act
    const response = await erase(phone.replace('+', ''));
    // The request accepted before the erasure reaches the processor after it.
    await processQueued(resources, handlers.processor);

    // assess: the answer
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      phone,
      deleted: { historyEntries: 5, profiles: 1, pairings: 1, requests: 4, held: 1, unresolved: 1, importRows: 1 },
      suppressionKept: true,
    });
    // assess: what is held now is the objection alone
    const data = await exportOf(phone);
    expect(data).toMatchObject({ profiles: [], history: [], pending: [], requests: [], pairings: [], held: [], unresolved: [], imports: [], marketingOptOut: null });
    expect(data.state).toMatchObject({ blocked: true, source: 'manual', reason: '', reasonCode: null, profileId: null, updatedBy: '' });
    expect(JSON.stringify(data.state)).not.toMatch(new RegExp(`${person.reason.replace(/[()]/g, '.')}|erin|${person.profileId}|131026|CRM`));
    expect(await numberHistory(phone)).toEqual([]);
    expect(await checked(phone)).toMatchObject({ blocked: [{ phone, source: 'manual', reasonCode: null }], sendable: [] });
    expect(await listed(phone)).toEqual({ phone, source: 'manual', reason: '', reasonCode: null, updatedAt: expect.any(String), updatedBy: '', updatedBySender: null });
    expect((await requestOf(person.pendingRequestId)).status).toBe(404);
    // assess: only the suppression record names the number, anywhere
    expect((await itemsNaming(phone)).map((item) => item['sk'])).toEqual(['STATE']);
    // assess: the neighbour, on the same profile and in the same import, keeps everything
    const neighbourAfter = await exportOf(person.neighbour);
    expect({ ...neighbourAfter, exportedAt: undefined }).toEqual({ ...neighbourBefore, exportedAt: undefined });
    const profile = await invoke(handlers.profiles.handler, apiEvent('GET /profiles/{profileId}/whatsapp', { pathParameters: { profileId: person.profileId } }));
    expect(profile.body.numbers.map((entry: { phone: string }) => entry.phone)).toEqual([person.neighbour]);
    // assess: the erasure is logged under the number's keyed hash, never the number
    const [logged, ...more] = await erasuresOf(phone);
    expect(more).toEqual([]);
    expect(logged).toMatchObject({
      erasedBy: { type: 'user', sub: 'sub-petra', username: 'petra' },
      reason: 'The data subject asked to be forgotten',
      deleted: { historyEntries: 5, requests: 4 },
      suppressionKept: true,
    });
    expect(JSON.stringify(logged)).not.toContain(phone.slice(1));
  });

  it('leaves nothing of a sendable number', async () => {
    // prepare: blocked, then unblocked, from a profile's page; a user id paired with it
    const phone = uniquePhone();
    const profileId = `sendable-${randomUUID()}`;
    await invoke(handlers.profiles.handler, apiEvent('PUT /profiles/{profileId}', { pathParameters: { profileId }, body: { whatsappNumbers: [phone] }, caller: profileAdmin }));
    await request(handlers, 'block', profileId, phone, 'Complained');
    await request(handlers, 'unblock', profileId, phone, 'Consented again');
    await processQueued(resources, handlers.processor);
    await applyEvents(handlers.processor, [{ version: 1, eventId: `pair-${randomUUID()}`, source: 'pairing', userId: `US.${randomUUID()}`, phone: e164(phone), alternatives: [], recipientId: phone.slice(1), seenAt: new Date().toISOString() }]);

    // act
    const response = await erase(phone);

    // assess
    expect(response.body).toEqual({ phone, deleted: { historyEntries: 2, profiles: 1, pairings: 1, requests: 2, held: 0, unresolved: 0, importRows: 0 }, suppressionKept: false });
    expect((await exportOf(phone)).state).toBeNull();
    expect(await checked(phone)).toMatchObject({ blocked: [], sendable: [phone] });
    expect(await itemsNaming(phone)).toEqual([]);
  });

  it('drops a request accepted before the erasure and processed after it: no history entry, no request, no state', async () => {
    const phone = uniquePhone();
    const profileId = `race-${randomUUID()}`;
    await invoke(handlers.profiles.handler, apiEvent('PUT /profiles/{profileId}', { pathParameters: { profileId }, body: { whatsappNumbers: [phone] }, caller: profileAdmin }));
    const requestId = await request(handlers, 'block', profileId, phone, 'Asked to stop');

    expect((await erase(phone)).body).toMatchObject({ deleted: { requests: 1, historyEntries: 0 }, suppressionKept: false });
    await processQueued(resources, handlers.processor);

    expect((await requestOf(requestId)).status).toBe(404);
    expect(await numberHistory(phone)).toEqual([]);
    expect(await checked(phone)).toMatchObject({ sendable: [phone] });
    expect(await itemsNaming(phone)).toEqual([]);
  });

  it('handles signals that arrive after the erasure as for any number', async () => {
    // prepare: an erased blocked number
    const phone = uniquePhone();
    const person = await seedPerson(phone, { resources, handlers, heldSender: heldSender(), pending: false });
    await erase(phone);

    // act: it is put on a profile again, an editor unblocks it, the provider reports a failure
    await invoke(handlers.profiles.handler, apiEvent('PUT /profiles/{profileId}', { pathParameters: { profileId: person.profileId }, body: { whatsappNumbers: [phone] }, caller: profileAdmin }));
    const unblocked = await request(handlers, 'unblock', person.profileId, phone, 'Consented again');
    await processQueued(resources, handlers.processor);
    const afterUnblock = await checked(phone);
    await applyEvents(handlers.processor, [sampleAutomaticEvent({ eventId: `wa-after-${randomUUID()}`, phone: e164(phone), recipientId: phone.slice(1), actor: { type: 'provider', provider: 'whatsapp', phoneNumberId: heldSender() }, occurredAt: new Date(Date.now() + 2_000).toISOString() })]);

    // assess
    expect((await requestOf(unblocked)).body.status).toBe('applied');
    expect(afterUnblock).toMatchObject({ sendable: [phone] });
    expect(await checked(phone)).toMatchObject({ blocked: [{ phone, source: 'automatic', reasonCode: '131026' }] });
    expect((await numberHistory(phone)).map((entry: { action: string; outcome: string }) => [entry.action, entry.outcome])).toEqual([
      ['wa_blocked', 'applied'],
      ['unblock', 'applied'],
    ]);
  });

  it('erases nothing of a number never seen, and says so', async () => {
    const phone = uniquePhone();

    const response = await erase(phone);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ phone, deleted: { historyEntries: 0, profiles: 0, pairings: 0, requests: 0, held: 0, unresolved: 0, importRows: 0 }, suppressionKept: false });
    expect(await erasuresOf(phone)).toHaveLength(1);
  });

  it('finishes, when repeated, an erasure that failed half-way', async () => {
    // prepare
    const phone = uniquePhone();
    await seedPerson(phone, { resources, handlers, heldSender: heldSender() });
    const { erasePersonalData } = await import('../../shared/domain/personal-data/erase-personal-data.js');
    const { DynamoNumberEraser } = await import('../../shared/adapters/personal-data/number-eraser.js');
    const { DynamoNumberRecords } = await import('../../shared/adapters/personal-data/number-records-store.js');
    const { DynamoConsentStateStore } = await import('../../shared/adapters/consent-state-store.js');
    const failing = new DynamoNumberEraser(resources.consentTableName, resources.auditTableName, { now: () => new Date() });
    failing.history = async () => {
      throw new Error('the function timed out');
    };
    const deps = {
      reader: new DynamoNumberRecords(resources.consentTableName, resources.auditTableName),
      eraser: failing,
      states: new DynamoConsentStateStore(resources.consentTableName),
      log: { record: async () => undefined },
      clock: { now: () => new Date() },
      newId: () => 'half-way',
    };
    const officer = { sub: 'sub-petra', username: 'petra', groups: new Set(['privacy-officers']), scopes: new Set<string>() };
    await expect(erasePersonalData(officer, { phone: e164(phone), reason: 'Forget me' }, deps)).rejects.toThrow('the function timed out');
    expect((await exportOf(phone)).requests).toEqual([]);
    expect((await exportOf(phone)).history).not.toEqual([]);

    // act
    const repeated = await erase(phone);
    await processQueued(resources, handlers.processor);

    // assess
    expect(repeated.status).toBe(200);
    expect(repeated.body).toMatchObject({ deleted: { historyEntries: 5, requests: 0, profiles: 0 }, suppressionKept: true });
    expect((await itemsNaming(phone)).map((item) => item['sk'])).toEqual(['STATE']);
  });

  it.each([
    ['an editor', editor],
    ['a reader', reader],
    ['a profile admin', profileAdmin],
  ])('refuses %s with 403 and changes nothing', async (_, caller) => {
    const phone = uniquePhone();
    await seedPerson(phone, { resources, handlers, heldSender: heldSender(), pending: false });
    const before = await itemsNaming(phone);

    const response = await erase(phone, { caller });

    expect(response.status).toBe(403);
    expect(await itemsNaming(phone)).toEqual(before);
  });

  it.each([
    ['no reason', ''],
    ['a reason of white space', '   '],
    ['a reason that is no text', 42],
  ])('refuses %s with 400 and changes nothing', async (_, reason) => {
    const phone = uniquePhone();
    await seedPerson(phone, { resources, handlers, heldSender: heldSender(), pending: false });
    const before = await itemsNaming(phone);

    const response = await erase(phone, { reason });

    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'body.reason' })]);
    expect(await itemsNaming(phone)).toEqual(before);
  });
});
