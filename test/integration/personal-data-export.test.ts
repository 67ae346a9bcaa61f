import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ENV } from '../../shared/config.js';
import { keys } from '../../shared/adapters/keys.js';
import { backfillNumberPairings } from '../../shared/adapters/personal-data/pairing-backfill.js';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { apiEvent, editor, invoke, reader, type TestCaller } from '../support/api-events.js';
import { uniquePhone } from '../support/consent-api.js';
import { applyEvents } from '../support/apply-events.js';
import { handlersOfPeople, seedPerson } from '../support/personal-data.js';
import { sampleAutomaticEvent, e164 } from '../unit/support/samples.js';

/*
 * `GET /numbers/{phone}/personal-data` against DynamoDB Local: one document with everything stored
 * about a number, wherever it is stored.
 */
const resources = await provisionIsolatedResources({ visibilityTimeoutSeconds: 30 });
// One automatic block per sender and window: the second of `HELD_SENDER` is held.
process.env[ENV.autoBlockGuardLimit] = '1';
const handlers = await handlersOfPeople();
const personalData = await import('../../functions/personal-data/handler.js');

const privacyOfficer: TestCaller = { sub: 'sub-petra', username: 'petra', groups: ['privacy-officers'] };
const exportOf = (phone: string, caller: TestCaller = privacyOfficer) =>
  invoke(personalData.handler, apiEvent('GET /numbers/{phone}/personal-data', { pathParameters: { phone }, caller }));

describe('GET /numbers/{phone}/personal-data', () => {
  it('answers everything stored about the number, wherever it is stored', async () => {
    // prepare
    const phone = uniquePhone();
    const person = await seedPerson(phone, { resources, handlers, heldSender: `held-${randomUUID()}` });

    // act
    const response = await exportOf(phone.replace('+', ''));

    // assess
    expect(response.status).toBe(200);
    const data = response.body;
    expect(data).toMatchObject({
      phone,
      exportedAt: expect.any(String),
      state: { phone, blocked: true, source: 'manual', reason: person.reason, updatedBy: 'erin', profileId: person.profileId, registers: { editors: expect.objectContaining({ reason: person.reason }) } },
      marketingOptOut: null,
      profiles: [person.profileId],
      pairings: [{ userId: person.userId, seenAt: expect.any(String), current: true }],
      held: [expect.objectContaining({ phone, eventId: person.heldEventId })],
      unresolved: [expect.objectContaining({ userId: person.userId, event: expect.objectContaining({ eventId: person.unresolvedEventId }) })],
      imports: [{ importId: person.importId, lines: [2] }],
    });
    // Every entry, newest first: the held block, the import's block, the unblock, the block, the failure.
    expect(data.history.map((entry: { action: string; outcome: string }) => [entry.action, entry.outcome])).toEqual([
      ['wa_blocked', 'unchanged'],
      ['block', 'applied'],
      ['unblock', 'applied'],
      ['block', 'applied'],
      ['wa_blocked', 'held'],
    ]);
    expect(data.history.find((entry: { reason: string }) => entry.reason === person.reason)).toMatchObject({ phone, profileId: person.profileId, importId: null });
    expect(data.pending).toEqual([expect.objectContaining({ requestId: person.pendingRequestId, status: 'pending', action: 'unblock', reason: 'Changed their mind' })]);
    expect(data.requests.map((request: { status: string; importId: string | null }) => [request.status, request.importId])).toEqual([
      ['applied', person.importId],
      ['applied', null],
      ['applied', null],
      ['pending', null],
    ]);
    // Nothing of the neighbour, which shares the profile and the import.
    expect(JSON.stringify(data)).not.toContain(person.neighbour);
  });

  it('reads every history entry, however many pages the history API would take', async () => {
    const phone = uniquePhone();
    const occurredAt = (index: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, index)).toISOString();
    await applyEvents(
      handlers.processor,
      Array.from({ length: 120 }, (_, index) =>
        sampleAutomaticEvent({ eventId: `wa-many-${phone}-${index}`, phone: e164(phone), recipientId: phone.slice(1), action: index % 2 ? 'wa_opted_in' : 'wa_opted_out', reasonCode: undefined, occurredAt: occurredAt(index) }),
      ),
    );

    const data = (await exportOf(phone)).body;

    expect(data.history).toHaveLength(120);
    expect(data.marketingOptOut).toBeNull();
  });

  it('finds a pairing remembered before pairings had their reverse item, once the backfill has run', async () => {
    // prepare: a pairing as the processor wrote it before, without its reverse on the number's partition
    const phone = uniquePhone();
    const userId = `US.legacy${randomUUID()}`;
    await resources.dynamoDb.send(
      new PutCommand({ TableName: resources.consentTableName, Item: { ...keys.userPairing(userId), userId, phone, recipientId: phone.slice(1), seenAt: '2025-06-01T00:00:00.000Z' } }),
    );
    expect((await exportOf(phone)).body.pairings).toEqual([]);

    // act
    const first = await backfillNumberPairings(resources.consentTableName);
    const again = await backfillNumberPairings(resources.consentTableName);

    // assess
    expect((await exportOf(phone)).body.pairings).toEqual([{ userId, seenAt: '2025-06-01T00:00:00.000Z', current: true }]);
    expect(first.written).toBeGreaterThanOrEqual(1);
    expect(again).toEqual({ pairings: first.pairings, written: 0 });
  });

  it('answers an empty document for a number never seen', async () => {
    const phone = uniquePhone();

    const response = await exportOf(phone);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      phone,
      exportedAt: expect.any(String),
      state: null,
      marketingOptOut: null,
      profiles: [],
      history: [],
      pending: [],
      requests: [],
      pairings: [],
      held: [],
      unresolved: [],
      imports: [],
    });
  });

  it.each([
    ['an editor', editor],
    ['a reader', reader],
    ['a profile admin', { sub: 'sub-adam', username: 'adam', groups: ['profile-admins'] }],
  ])('refuses %s with 403', async (_, caller) => {
    const response = await exportOf(uniquePhone(), caller);

    expect(response.status).toBe(403);
    expect(response.body.detail).toBe('This action needs the permission "Manage personal data" (group privacy-officers or scope privacy/manage).');
  });

  it('accepts a machine client with scope privacy/manage, and refuses a number that is not one with 400', async () => {
    expect((await exportOf(uniquePhone(), { sub: 'dsr-pipeline', scopes: ['privacy/manage'] })).status).toBe(200);
    expect((await exportOf('call-me-maybe')).status).toBe(400);
  });
});
