import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { apiEvent, invoke, type TestCaller } from '../support/api-events.js';
import { consentApi, uniquePhone } from '../support/consent-api.js';
import { batch, takeMessages } from '../support/sqs-records.js';

const resources = await provisionIsolatedResources();
const api = consentApi({
  profiles: await import('../../functions/profiles/handler.js'),
  requests: await import('../../functions/consent-requests/handler.js'),
});
const { handler: processor } = await import('../../functions/processor/handler.js');
const checkHttp = await import('../../functions/blocklist-check/handler.js');
const checkInvoke = await import('../../functions/blocklist-check/invoke.js');
const { blocklistChecker } = await import('../../shared/blocklist.js');

const checker = blocklistChecker({ tableName: resources.consentTableName });

/** Applies whatever the API has queued, as the processor would. */
async function processQueued(count: number) {
  await processor(batch(...(await takeMessages(resources.sqs, resources.consentQueueUrl, count))), lambdaContext('processor'));
}

/** Writes consent states directly, many at once, as the processor would have left them. */
async function seedStates(states: { phone: string; blocked: boolean; source: 'manual' | 'automatic'; reasonCode?: string }[]) {
  for (let start = 0; start < states.length; start += 25) {
    await resources.dynamoDb.send(
      new BatchWriteCommand({
        RequestItems: {
          [resources.consentTableName]: states.slice(start, start + 25).map((state) => ({
            PutRequest: {
              Item: {
                pk: `PHONE#${state.phone}`,
                sk: 'STATE',
                ...state,
                reason: 'seeded',
                updatedAt: '2026-01-01T00:00:00.000Z',
                updatedBy: 'seed',
                version: 1,
                lastSeq: 0,
              },
            },
          })),
        },
      }),
    );
  }
}

describe('the blocklist check library, on DynamoDB Local', () => {
  it('finds a number blocked through the API and processor, and one never seen sendable', async () => {
    // prepare
    const [blocked, unblockedAgain, neverSeen] = [uniquePhone(), uniquePhone(), uniquePhone()];
    const profileId = await api.createProfile([blocked, unblockedAgain]);
    await api.request('block', profileId, blocked, 'asked us to stop');
    await api.request('block', profileId, unblockedAgain);
    await api.request('unblock', profileId, unblockedAgain);
    await processQueued(3);

    // act
    const result = await checker.check([blocked, unblockedAgain, neverSeen]);

    // assess
    expect(result).toEqual({
      blocked: [{ phone: blocked, source: 'manual', reasonCode: null }],
      optedOut: [],
      sendable: [unblockedAgain, neverSeen],
      invalid: [],
    });
  });

  it('classifies 2,500 numbers in assorted formats, with duplicates and junk, exactly as the stored states say', async () => {
    // prepare: 2,000 stored states, every fifth blocked (alternately by hand and by the provider)
    const stored = Array.from({ length: 2_000 }, (_, index) => ({
      phone: `+42073${String(index).padStart(7, '0')}`,
      blocked: index % 5 === 0,
      source: index % 10 === 0 ? ('automatic' as const) : ('manual' as const),
      ...(index % 10 === 0 ? { reasonCode: '131026' } : {}),
    }));
    await seedStates(stored);
    const neverSeen = Array.from({ length: 500 }, (_, index) => `+42073${String(5_000 + index).padStart(7, '0')}`);
    const spaced = (phone: string) => `${phone.slice(0, 4)} ${phone.slice(4, 7)} ${phone.slice(7, 10)} ${phone.slice(10)}`;
    const inputs = [
      ...stored.map((state, index) => (index % 2 === 0 ? state.phone : spaced(state.phone))),
      ...neverSeen.map((phone) => `00${phone.slice(1)}`),
      ...stored.slice(0, 100).map((state) => state.phone.slice(1)), // the same numbers again, without +
      'not a number',
      '+1 555',
      'not a number',
    ];

    // act
    const result = await checker.check(inputs);

    // assess: a set-membership oracle
    const expectedBlocked = stored.filter((state) => state.blocked);
    expect(result.blocked).toEqual(
      expectedBlocked.map((state) => ({ phone: state.phone, source: state.source, reasonCode: state.reasonCode ?? null })),
    );
    expect(result.sendable).toEqual([...stored.filter((state) => !state.blocked).map((state) => state.phone), ...neverSeen]);
    expect(result.invalid).toEqual(['not a number', '+1 555']);
  });

  it('fails loudly, rather than answer from a partial read, when the table cannot be read', async () => {
    const missing = blocklistChecker({ tableName: 'no-such-table', maxAttempts: 2, baseDelayMs: 1 });

    await expect(missing.check([uniquePhone()])).rejects.toThrow(/non-existent table|not found/i);
  });
});

describe('the check Lambda, invoked directly', () => {
  it('answers { phones } with the same result the library gives', async () => {
    const phone = uniquePhone();
    await seedStates([{ phone, blocked: true, source: 'automatic', reasonCode: '1013' }]);

    const result = await checkInvoke.handler({ phones: [phone, `00${phone.slice(1)}`, 'junk'] }, lambdaContext('check'));

    expect(result).toEqual({ blocked: [{ phone, source: 'automatic', reasonCode: '1013' }], optedOut: [], sendable: [], invalid: ['junk'] });
  });

  it('lists entries that are no number, strings or not, in invalid as given, and checks the rest', async () => {
    const phone = uniquePhone();
    const tooLong = phone.padEnd(300, ' ');

    const result = await checkInvoke.handler({ phones: [phone, tooLong, 420777123456, null, { phone }] }, lambdaContext('check'));

    expect(result).toEqual({ blocked: [], optedOut: [], sendable: [phone], invalid: [tooLong, 420777123456, null, { phone }] });
  });

  it('fails the invocation with every invalid field named on malformed input', async () => {
    await expect(checkInvoke.handler({ phones: [] }, lambdaContext('check'))).rejects.toMatchObject({
      name: 'InvalidInputError',
      errors: [expect.objectContaining({ field: 'event.phones' })],
    });
    await expect(checkInvoke.handler({ numbers: ['+420777123456'] }, lambdaContext('check'))).rejects.toMatchObject({ name: 'InvalidInputError' });
    await expect(checkInvoke.handler({ phones: [JSON.parse(`${'['.repeat(50_000)}${']'.repeat(50_000)}`)] }, lambdaContext('check'))).rejects.toMatchObject({
      name: 'InvalidInputError',
      errors: [{ field: 'event', message: 'must not nest arrays and objects more than 32 levels deep' }],
    });
  });
});

describe('POST /blocklist/check, through the handler', () => {
  const post = (body: unknown, caller?: TestCaller | null) =>
    invoke(checkHttp.handler, apiEvent('POST /blocklist/check', { body, ...(caller === undefined ? {} : { caller }) }));

  it('answers any valid token, and a machine client with the check scope', async () => {
    const phone = uniquePhone();

    const reader = await post({ phones: [phone] });
    const machine = await post({ phones: [phone] }, { sub: 'campaigns', username: 'campaigns', scopes: ['whatsapp-blocklist/check'] });

    expect(reader).toMatchObject({ status: 200, body: { blocked: [], sendable: [phone], invalid: [] } });
    expect(machine.status).toBe(200);
  });

  it.each([
    ['an empty list', { phones: [] }, { field: 'body.phones', message: 'must list at least 1 item' }],
    ['10,001 numbers', { phones: Array.from({ length: 10_001 }, () => '+420777123456') }, { field: 'body.phones', message: 'must list at most 10000 items' }],
    ['phones that are not a list', { phones: '+420777123456' }, { field: 'body.phones', message: 'must be a list' }],
    ['no phones', {}, { field: 'body.phones', message: 'is required' }],
    ['an unknown field', { phones: ['+420777123456'], dryRun: true }, { field: 'body', message: 'has unknown fields: dryRun' }],
  ])('refuses %s with a 400 problem in its own words', async (_label, body, fieldError) => {
    const response = await post(body);

    expect(response).toMatchObject({ status: 400, contentType: 'application/problem+json', body: { type: '/problems/invalid-input', errors: [fieldError] } });
  });

  it('lists entries too long or not strings in invalid, as given, and checks the others', async () => {
    // prepare
    const [blocked, sendable] = [uniquePhone(), uniquePhone()];
    await seedStates([{ phone: blocked, blocked: true, source: 'manual' }]);
    const tooLong = `${sendable}${' '.repeat(256)}`;

    // act
    const response = await post({ phones: [blocked, tooLong, 420777123456, null, { phone: sendable }, [sendable], sendable, null] });

    // assess
    expect(response).toMatchObject({ status: 200, contentType: 'application/json' });
    expect(response.body).toEqual({
      blocked: [{ phone: blocked, source: 'manual', reasonCode: null }],
      optedOut: [],
      sendable: [sendable],
      invalid: [tooLong, 420777123456, null, { phone: sendable }, [sendable]],
    });
  });

  it('checks the other 9,999 numbers when one of 10,000 is too long', async () => {
    const phones = Array.from({ length: 9_999 }, (_, index) => `+42073${String(index).padStart(7, '0')}`);
    const tooLong = '1'.repeat(257);

    const response = await post({ phones: [tooLong, ...phones] });

    expect(response.status).toBe(200);
    expect(response.body.invalid).toEqual([tooLong]);
    expect(response.body.blocked.length + response.body.sendable.length).toBe(9_999);
  });

  it.each([
    ['form fields', { 'content-type': 'application/x-www-form-urlencoded' }, 'phones=%2B420777123456'],
    ['JSON declared as form fields', { 'content-type': 'application/x-www-form-urlencoded' }, '{"phones":["+420777123456"]}'],
    ['CSV', { 'content-type': 'text/csv' }, 'phone\n+420777123456'],
    ['no content type', { 'content-type': '' }, '{"phones":["+420777123456"]}'],
  ])('refuses %s with a 415 problem', async (_label, headers, body) => {
    const event = apiEvent('POST /blocklist/check', { body, headers });
    if (headers['content-type'] === '') delete event.headers['content-type'];

    const response = await invoke(checkHttp.handler, event);

    expect(response).toMatchObject({
      status: 415,
      contentType: 'application/problem+json',
      body: { type: '/problems/unsupported-media-type', status: 415, errors: [{ field: 'header.content-type' }] },
    });
  });

  it('reads a body declared application/json with a charset', async () => {
    const phone = uniquePhone();

    const response = await invoke(checkHttp.handler, apiEvent('POST /blocklist/check', { body: { phones: [phone] }, headers: { 'content-type': 'application/json; charset=utf-8' } }));

    expect(response).toMatchObject({ status: 200, body: { sendable: [phone] } });
  });

  it('refuses a body over 1 MiB with 413, and accepts one just under', async () => {
    const huge = JSON.stringify({ phones: ['+420777123456'.padEnd(200, ' ')].concat(Array.from({ length: 5_300 }, () => '+420 777 123 456'.padEnd(200, ' '))) });
    expect(Buffer.byteLength(huge)).toBeGreaterThan(1024 * 1024);

    expect((await post(huge)).status).toBe(413);
    expect((await post({ phones: Array.from({ length: 5_000 }, () => '+420 777 123 456'.padEnd(200, ' ')) })).status).toBe(200);
  });

  it('refuses a request without claims with 401', async () => {
    expect((await post({ phones: ['+420777123456'] }, null)).status).toBe(401);
  });
});
