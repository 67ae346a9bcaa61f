import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { metrics } from '../../shared/observability.js';
import { METRIC } from '../../shared/metric-names.js';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { apiEvent, editor, invoke, profileAdmin, reader } from '../support/api-events.js';
import { allItems, queueDepth } from '../support/tables.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../shared/adapters/keys.js';
import type { E164 } from '../../shared/domain/phone.js';

const resources = await provisionIsolatedResources();
const profiles = await import('../../functions/profiles/handler.js');
const requests = await import('../../functions/consent-requests/handler.js');
const history = await import('../../functions/history/handler.js');

const PUT_PROFILE = 'PUT /profiles/{profileId}';
const GET_PROFILE = 'GET /profiles/{profileId}/whatsapp';
const BLOCK = 'POST /profiles/{profileId}/whatsapp/{phone}/block';
const UNBLOCK = 'POST /profiles/{profileId}/whatsapp/{phone}/unblock';
const GET_REQUEST = 'GET /requests/{requestId}';
const PROFILE_HISTORY = 'GET /profiles/{profileId}/whatsapp/history';
const NUMBER_HISTORY = 'GET /numbers/{phone}/history';
const GET_NUMBER = 'GET /numbers/{phone}';

let nextNumber = 100_000;
/** A fresh valid Czech mobile number for each test, so tests sharing the tables never collide. */
const freshPhone = () => `+420777${String(nextNumber++).padStart(6, '0')}`;

async function createProfile(numbers: string[]): Promise<string> {
  const profileId = `p-${randomUUID()}`;
  const response = await invoke(profiles.handler, apiEvent(PUT_PROFILE, { pathParameters: { profileId }, body: { whatsappNumbers: numbers }, caller: profileAdmin }));
  expect(response.status).toBe(200);
  return profileId;
}

/** Everything the service has stored or queued, to prove that a refused request changed nothing. */
async function snapshot() {
  return {
    consent: await allItems(resources.dynamoDb, resources.consentTableName),
    audit: await allItems(resources.dynamoDb, resources.auditTableName),
    queued: await queueDepth(resources.sqs, resources.consentQueueUrl),
  };
}

async function drainQueue() {
  const { ReceiveMessageCommand, DeleteMessageCommand } = await import('@aws-sdk/client-sqs');
  for (;;) {
    const { Messages } = await resources.sqs.send(new ReceiveMessageCommand({ QueueUrl: resources.consentQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!Messages?.length) return;
    for (const message of Messages) {
      await resources.sqs.send(new DeleteMessageCommand({ QueueUrl: resources.consentQueueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
}

afterEach(drainQueue);

describe('PUT /profiles/{profileId}', () => {
  it('stores the numbers in E.164, without duplicates, for a profile admin', async () => {
    const response = await invoke(
      profiles.handler,
      apiEvent(PUT_PROFILE, { pathParameters: { profileId: 'crm-42' }, body: { whatsappNumbers: ['+420 777 123 456', '00420777123456', '+5541992146473'] }, caller: profileAdmin }),
    );

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ profileId: 'crm-42', whatsappNumbers: ['+420777123456', '+5541992146473'], updatedBy: 'adam' });
  });

  it('accepts a machine client with scope profiles/write', async () => {
    const response = await invoke(
      profiles.handler,
      apiEvent(PUT_PROFILE, { pathParameters: { profileId: 'crm-43' }, body: { whatsappNumbers: [freshPhone()] }, caller: { sub: 'client-1', scopes: ['profiles/write'] } }),
    );
    expect(response.status).toBe(200);
  });

  it('refuses an editor who is not a profile admin with 403 and writes nothing', async () => {
    const before = await snapshot();
    const response = await invoke(profiles.handler, apiEvent(PUT_PROFILE, { pathParameters: { profileId: 'crm-44' }, body: { whatsappNumbers: [freshPhone()] }, caller: editor }));

    expect(response.status).toBe(403);
    expect(response.contentType).toBe('application/problem+json');
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['an invalid number', { whatsappNumbers: ['+420 12'] }, 'body.whatsappNumbers.0'],
    ['no numbers', { whatsappNumbers: [] }, 'body.whatsappNumbers'],
    ['21 numbers', { whatsappNumbers: Array.from({ length: 21 }, (_, index) => `+42077700${String(index).padStart(4, '0')}`) }, 'body.whatsappNumbers'],
    ['an unknown field', { whatsappNumbers: ['+420777123456'], admin: true }, 'body'],
    ['a number of the wrong type', { whatsappNumbers: [420777123456] }, 'body.whatsappNumbers.0'],
  ])('answers 400 naming the field for %s, and writes nothing', async (_, body, field) => {
    const before = await snapshot();
    const response = await invoke(profiles.handler, apiEvent(PUT_PROFILE, { pathParameters: { profileId: 'crm-45' }, body, caller: profileAdmin }));

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ type: '/problems/invalid-input', status: 400 });
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    expect(await snapshot()).toEqual(before);
  });

  it.each(['.', '..'])('answers 400 for the profile id %j: a dot segment is no path segment a client can send', async (profileId) => {
    const before = await snapshot();
    const response = await invoke(profiles.handler, apiEvent(PUT_PROFILE, { pathParameters: { profileId }, body: { whatsappNumbers: [freshPhone()] }, caller: profileAdmin }));
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'path.profileId', message: 'must be 1 to 128 letters, digits or . _ ~ : @ -, other than . and ..' }]);
    expect(await snapshot()).toEqual(before);
  });

  it('accepts a profile id of three dots, which is an ordinary path segment', async () => {
    const response = await invoke(profiles.handler, apiEvent(PUT_PROFILE, { pathParameters: { profileId: '...' }, body: { whatsappNumbers: [freshPhone()] }, caller: profileAdmin }));
    expect(response.status).toBe(200);
  });

  it('answers 400 for a profile id with characters outside the allowed set', async () => {
    const response = await invoke(profiles.handler, apiEvent(PUT_PROFILE, { pathParameters: { profileId: "x' OR 1=1 --" }, body: { whatsappNumbers: [freshPhone()] }, caller: profileAdmin }));
    expect(response.status).toBe(400);
  });

  it('answers 413 for a body over 64 KiB', async () => {
    const body = JSON.stringify({ whatsappNumbers: [freshPhone()], padding: 'x'.repeat(64 * 1024) });
    const response = await invoke(profiles.handler, apiEvent(PUT_PROFILE, { pathParameters: { profileId: 'crm-46' }, body, caller: profileAdmin }));
    expect(response.status).toBe(413);
    expect(response.contentType).toBe('application/problem+json');
  });

  it('answers 401 when the event carries no claims', async () => {
    const response = await invoke(profiles.handler, apiEvent(PUT_PROFILE, { pathParameters: { profileId: 'crm-47' }, body: { whatsappNumbers: [freshPhone()] }, caller: null }));
    expect(response.status).toBe(401);
  });
});

describe('POST …/block and …/unblock', () => {
  it('accepts a block from an editor: 202, a pending request, one queued event', async () => {
    const phone = freshPhone();
    const profileId = await createProfile([phone]);

    const response = await invoke(requests.handler, apiEvent(BLOCK, { pathParameters: { profileId, phone: phone.slice(1) }, body: { reason: '  Customer asked by phone  ' }, caller: editor }));

    expect(response.status).toBe(202);
    expect(response.body).toEqual({ requestId: expect.stringMatching(/^[0-9A-Z]{26}$/), status: 'pending' });
    expect(await queueDepth(resources.sqs, resources.consentQueueUrl)).toBe(1);
    const request = await invoke(requests.handler, apiEvent(GET_REQUEST, { pathParameters: { requestId: response.body.requestId } }));
    expect(request.status).toBe(200);
    expect(request.body).toMatchObject({ status: 'pending', action: 'block', phone, profileId, requestedBy: { sub: 'sub-editor', username: 'erin' }, appliedAt: null });
    const view = await invoke(profiles.handler, apiEvent(GET_PROFILE, { pathParameters: { profileId } }));
    expect(view.body.numbers[0]).toMatchObject({ phone, blocked: false, pending: [{ requestId: response.body.requestId, action: 'block' }] });
  });

  it('accepts a machine client with scope whatsapp-blocklist/edit', async () => {
    const phone = freshPhone();
    const profileId = await createProfile([phone]);
    const response = await invoke(requests.handler, apiEvent(UNBLOCK, { pathParameters: { profileId, phone }, body: { reason: 'sync' }, caller: { sub: 'client-2', scopes: ['whatsapp-blocklist/edit'] } }));
    expect(response.status).toBe(202);
  });

  it.each([
    ['a reader', reader],
    ['a campaign client with only the check scope', { sub: 'client-3', scopes: ['whatsapp-blocklist/check'] }],
    ['a profile admin', profileAdmin],
  ])('refuses %s with 403, writing and queueing nothing', async (_, caller) => {
    const phone = freshPhone();
    const profileId = await createProfile([phone]);
    const before = await snapshot();

    const response = await invoke(requests.handler, apiEvent(BLOCK, { pathParameters: { profileId, phone }, body: { reason: 'no right' }, caller }));

    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ type: '/problems/forbidden', title: 'Forbidden', status: 403 });
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['an empty reason', { reason: '' }, 'body.reason'],
    ['a reason of only white space', { reason: ' \n\t ' }, 'body.reason'],
    ['a reason of 501 characters', { reason: 'é'.repeat(501) }, 'body.reason'],
    ['a missing reason', {}, 'body.reason'],
    ['a reason of the wrong type', { reason: 42 }, 'body.reason'],
    ['an unknown field', { reason: 'ok', blocked: false }, 'body'],
    ['malformed JSON', '{"reason": ', 'body'],
  ])('answers 400 for %s and writes nothing', async (_, body, field) => {
    const phone = freshPhone();
    const profileId = await createProfile([phone]);
    const before = await snapshot();

    const response = await invoke(requests.handler, apiEvent(BLOCK, { pathParameters: { profileId, phone }, body, caller: editor }));

    expect(response.status).toBe(400);
    expect(response.contentType).toBe('application/problem+json');
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    expect(await snapshot()).toEqual(before);
  });

  it('accepts a reason of exactly 500 characters of any script, emoji included', async () => {
    const phone = freshPhone();
    const profileId = await createProfile([phone]);
    const response = await invoke(requests.handler, apiEvent(BLOCK, { pathParameters: { profileId, phone }, body: { reason: '👍'.repeat(250) + 'ř'.repeat(250) }, caller: editor }));
    expect(response.status).toBe(202);
  });

  it('answers 400 for an invalid number in the path', async () => {
    const profileId = await createProfile([freshPhone()]);
    const response = await invoke(requests.handler, apiEvent(BLOCK, { pathParameters: { profileId, phone: 'not-a-number' }, body: { reason: 'x' }, caller: editor }));
    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe('path.phone');
  });

  it('answers 404 for an unknown profile and for a number the profile does not hold, recording and queueing nothing', async () => {
    const profileId = await createProfile([freshPhone()]);
    const [unknownPhone, foreignPhone] = [freshPhone(), freshPhone()];
    const before = await snapshot();

    const unknownProfile = await invoke(requests.handler, apiEvent(BLOCK, { pathParameters: { profileId: 'nobody', phone: unknownPhone }, body: { reason: 'x' }, caller: editor, headers: { 'idempotency-key': 'refused-1' } }));
    const foreignNumber = await invoke(requests.handler, apiEvent(BLOCK, { pathParameters: { profileId, phone: foreignPhone }, body: { reason: 'x' }, caller: editor }));

    expect(unknownProfile.status).toBe(404);
    expect(foreignNumber.status).toBe(404);
    expect(foreignNumber.contentType).toBe('application/problem+json');
    // The sequence is taken beside the profile read, so each refused request used one number of its
    // phone's counter (a gap, which sequences allow); nothing else was written, and nothing queued.
    const after = await snapshot();
    const isCounter = (item: Record<string, any>) => item['sk'] === 'SEQ';
    const withoutCounters = (state: typeof before) => ({ ...state, consent: state.consent.filter((item) => !isCounter(item)) });
    expect(withoutCounters(after)).toEqual(withoutCounters(before));
    const counters = (state: typeof before) => state.consent.filter(isCounter).map((item) => item['pk']);
    expect(counters(after).sort()).toEqual([...counters(before), `PHONE#${unknownPhone}`, `PHONE#${foreignPhone}`].sort());
  });

  it('takes a higher sequence for a number after a refused request of it, and answers 202', async () => {
    const phone = freshPhone();
    const refused = await invoke(requests.handler, apiEvent(BLOCK, { pathParameters: { profileId: 'nobody', phone }, body: { reason: 'x' }, caller: editor }));
    const { Item: counter } = await resources.dynamoDb.send(new GetCommand({ TableName: resources.consentTableName, Key: keys.sequence(phone as E164), ConsistentRead: true }));
    const profileId = await createProfile([phone]);

    const accepted = await invoke(requests.handler, apiEvent(BLOCK, { pathParameters: { profileId, phone }, body: { reason: 'after a refusal' }, caller: editor }));

    expect(refused.status).toBe(404);
    expect(accepted.status).toBe(202);
    const stored = (await allItems(resources.dynamoDb, resources.consentTableName)).find((item) => item['sk'] === `REQ#${accepted.body.requestId}`);
    expect(stored).toMatchObject({ phone, sequence: Number(counter?.['value']) + 1, status: 'pending' });
  });

  it('answers a repeated Idempotency-Key with the same request id and queues nothing new', async () => {
    const phone = freshPhone();
    const profileId = await createProfile([phone]);
    const send = (reason: string, path = phone) =>
      invoke(requests.handler, apiEvent(BLOCK, { pathParameters: { profileId, phone: path }, body: { reason }, headers: { 'idempotency-key': 'key-1' }, caller: editor }));

    const first = await send('spam complaint');
    const again = await send('spam complaint', phone.slice(1)); // the same number written without +
    const other = await send('another reason');

    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.requestId).toBe(first.body.requestId);
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ type: '/problems/idempotency-key-reused', status: 422 });
    expect(await queueDepth(resources.sqs, resources.consentQueueUrl)).toBe(1);
  });

  it('counts each new request in RequestsAccepted, and neither its replay nor a refused request', async () => {
    const phone = freshPhone();
    const profileId = await createProfile([phone]);
    const send = (path: Record<string, string>) =>
      invoke(requests.handler, apiEvent(BLOCK, { pathParameters: path, body: { reason: 'counted' }, headers: { 'idempotency-key': `count-${phone}` }, caller: editor }));
    const added = jest.spyOn(metrics, 'addMetric');
    try {
      const first = await send({ profileId, phone });
      const replay = await send({ profileId, phone });
      const refused = await invoke(requests.handler, apiEvent(BLOCK, { pathParameters: { profileId: 'nobody', phone }, body: { reason: 'x' }, caller: editor }));

      expect([first.status, replay.status, refused.status]).toEqual([202, 202, 404]);
      expect(added.mock.calls.filter(([name]) => name === METRIC.requestsAccepted)).toEqual([[METRIC.requestsAccepted, 'Count', 1]]);
    } finally {
      added.mockRestore();
    }
  });

  it('keeps idempotency keys apart per caller', async () => {
    const phone = freshPhone();
    const profileId = await createProfile([phone]);
    const send = (sub: string) =>
      invoke(requests.handler, apiEvent(BLOCK, { pathParameters: { profileId, phone }, body: { reason: 'same' }, headers: { 'idempotency-key': 'shared-key' }, caller: { ...editor, sub } }));

    const mine = await send('sub-a');
    const theirs = await send('sub-b');

    expect(theirs.body.requestId).not.toBe(mine.body.requestId);
  });
});

describe('GET /requests/{requestId}', () => {
  it('answers 404 for an unknown request and 400 for a malformed id', async () => {
    const unknown = await invoke(requests.handler, apiEvent(GET_REQUEST, { pathParameters: { requestId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' } }));
    const malformed = await invoke(requests.handler, apiEvent(GET_REQUEST, { pathParameters: { requestId: '../../etc/passwd' } }));
    expect(unknown.status).toBe(404);
    expect(malformed.status).toBe(400);
  });
});

describe('GET /profiles/{profileId}/whatsapp', () => {
  it('answers 404 for an unknown profile', async () => {
    const response = await invoke(profiles.handler, apiEvent(GET_PROFILE, { pathParameters: { profileId: 'unknown-profile' } }));
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ type: '/problems/not-found', status: 404 });
  });

  it('shows a number never changed as unblocked with no pending requests', async () => {
    const phone = freshPhone();
    const profileId = await createProfile([phone]);
    const response = await invoke(profiles.handler, apiEvent(GET_PROFILE, { pathParameters: { profileId } }));
    expect(response.body).toEqual({
      profileId,
      numbers: [{ phone, blocked: false, source: null, reason: null, reasonCode: null, updatedAt: null, updatedBy: null, updatedBySender: null, marketingOptOut: null, pending: [] }],
    });
  });
});

describe('GET /numbers/{phone}', () => {
  it('shows a number never seen as unblocked with nothing pending, whatever form the path takes', async () => {
    const phone = freshPhone();
    for (const written of [phone, phone.slice(1)]) {
      const response = await invoke(profiles.handler, apiEvent(GET_NUMBER, { pathParameters: { phone: written }, caller: reader }));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ phone, blocked: false, source: null, reason: null, reasonCode: null, updatedAt: null, updatedBy: null, updatedBySender: null, marketingOptOut: null, pending: [] });
    }
  });

  it("lists a number's pending request, whichever profile it was made on", async () => {
    // prepare
    const phone = freshPhone();
    const profileId = await createProfile([phone]);
    const accepted = await invoke(requests.handler, apiEvent(BLOCK, { pathParameters: { profileId, phone }, body: { reason: 'asked' }, caller: editor }));

    // act
    const response = await invoke(profiles.handler, apiEvent(GET_NUMBER, { pathParameters: { phone }, caller: reader }));

    // assess
    expect(response.body).toMatchObject({ phone, blocked: false, pending: [{ requestId: accepted.body.requestId, action: 'block' }] });
  });

  it('answers 400 problem+json for something that is not a phone number, and 401 without claims', async () => {
    const invalid = await invoke(profiles.handler, apiEvent(GET_NUMBER, { pathParameters: { phone: '+420777123456abc' }, caller: reader }));
    expect(invalid.status).toBe(400);
    expect(invalid.contentType).toBe('application/problem+json');
    const anonymous = await invoke(profiles.handler, apiEvent(GET_NUMBER, { pathParameters: { phone: freshPhone() }, caller: null }));
    expect(anonymous.status).toBe(401);
  });
});

describe('history', () => {
  it('answers 404 for the history of an unknown profile', async () => {
    const response = await invoke(history.handler, apiEvent(PROFILE_HISTORY, { pathParameters: { profileId: 'unknown-profile' } }));
    expect(response.status).toBe(404);
  });

  it('answers an empty page for a number never seen', async () => {
    const response = await invoke(history.handler, apiEvent(NUMBER_HISTORY, { pathParameters: { phone: freshPhone() } }));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ items: [], nextCursor: null });
  });

  it.each([
    ['a limit of 0', { limit: '0' }],
    ['a limit of 101', { limit: '101' }],
    ['a limit that is not a number', { limit: 'ten' }],
    ['a cursor that is not base64 JSON', { cursor: '%%%' }],
    ['a cursor of another number', { cursor: Buffer.from(JSON.stringify({ pk: 'PHONE#+420777000000', sk: 'x' })).toString('base64url') }],
    ['an unknown query parameter', { order: 'asc' }],
  ])('answers 400 for %s', async (_, query) => {
    const response = await invoke(history.handler, apiEvent(NUMBER_HISTORY, { pathParameters: { phone: freshPhone() }, query }));
    expect(response.status).toBe(400);
    expect(response.contentType).toBe('application/problem+json');
  });
});
