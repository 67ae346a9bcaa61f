import { INTEGRATION_APP_SECRET, postCallback } from '../support/webhook-calls.js';
import { ENV } from '../../shared/config.js';
import { blocklistChecker } from '../../shared/blocklist.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { apiEvent, invoke } from '../support/api-events.js';
import { consentApi, uniquePhone } from '../support/consent-api.js';
import { batch, sqsRecord, takeMessages } from '../support/sqs-records.js';
import { queueDepth, auditEntriesOf } from '../support/tables.js';
import { preferencesBody, signatureOf } from '../support/whatsapp-callbacks.js';

/*
 * Marketing preferences (Meta's `user_preferences` webhook) through the webhook, the queue and the
 * processor on the emulators: a stop sets the number's marketing opt-out, a resume ends it, a stale one
 * loses, and each is in the number's history.
 */

const resources = await provisionIsolatedResources();
process.env[ENV.whatsappAppSecret] = INTEGRATION_APP_SECRET;
process.env[ENV.whatsappVerifyToken] = 'integration-verify-token';

const profiles = await import('../../functions/profiles/handler.js');
const api = consentApi({ profiles, requests: await import('../../functions/consent-requests/handler.js') });
const webhook = await import('../../functions/whatsapp-webhook/handler.js');
const { handler: processor } = await import('../../functions/processor/handler.js');

/** Posts a callback to the webhook, signed unless told otherwise. */
const post = (body: string, signature?: string | null) => postCallback(webhook.handler, body, signature);

async function tell(options: Parameters<typeof preferencesBody>[0]) {
  const response = await post(preferencesBody(options));
  expect(response.status).toBe(200);
  const records = await takeMessages(resources.sqs, resources.consentQueueUrl, response.body.enqueued);
  if (records.length > 0) await processor(batch(...records), lambdaContext('processor'));
  return response;
}

async function numberOn(profileId: string, phone: string) {
  const response = await invoke(profiles.handler, apiEvent('GET /profiles/{profileId}/whatsapp', { pathParameters: { profileId } }));
  return (response.body.numbers as Record<string, unknown>[]).find((number) => number['phone'] === phone);
}

const historyOf = async (phone: string) => (await auditEntriesOf(resources, phone)).map((entry) => [entry['action'], entry['outcome']]);

const at = (second: number) => 1_778_251_400 + second;

describe('marketing preferences', () => {
  it('sets the opt-out on a stop, without blocking, and ends it on a later resume', async () => {
    // prepare
    const phone = uniquePhone();
    const profileId = await api.createProfile([phone]);

    // act, assess: stop
    expect((await tell({ waId: phone.slice(1), value: 'stop', timestamp: at(0) })).body).toEqual({ statuses: 0, preferences: 1, messages: 0, enqueued: 1, unresolved: 0, pairings: 0, unreadable: 0 });
    expect(await numberOn(profileId, phone)).toMatchObject({
      blocked: false,
      marketingOptOut: { since: new Date(at(0) * 1000).toISOString(), source: 'user_preferences' },
    });

    // act, assess: resume
    await tell({ waId: phone.slice(1), value: 'resume', timestamp: at(10) });
    expect(await numberOn(profileId, phone)).toMatchObject({ blocked: false, marketingOptOut: null });
    expect((await historyOf(phone)).sort()).toEqual([['wa_opted_in', 'applied'], ['wa_opted_out', 'applied']]);
  });

  it('keeps an opted-out number from marketing checks only, until it resumes', async () => {
    // prepare
    const phone = uniquePhone();
    const checker = blocklistChecker({ tableName: resources.consentTableName });
    await tell({ waId: phone.slice(1), value: 'stop', timestamp: at(0) });

    // act, assess: opted out for marketing, sendable for utility and authentication
    expect(await checker.check([phone])).toMatchObject({ optedOut: [{ phone, since: new Date(at(0) * 1000).toISOString() }], sendable: [] });
    expect(await checker.check([phone], { category: 'utility' })).toMatchObject({ optedOut: [], sendable: [phone] });
    expect(await checker.check([phone], { category: 'authentication' })).toMatchObject({ optedOut: [], sendable: [phone] });

    // act, assess: resumed
    await tell({ waId: phone.slice(1), value: 'resume', timestamp: at(1) });
    expect(await checker.check([phone])).toMatchObject({ optedOut: [], sendable: [phone] });
  });

  it('lets a stop older than the latest resume lose, and records it as superseded', async () => {
    const phone = uniquePhone();
    const profileId = await api.createProfile([phone]);

    await tell({ waId: phone.slice(1), value: 'resume', timestamp: at(20) });
    await tell({ waId: phone.slice(1), value: 'stop', timestamp: at(5) });

    expect(await numberOn(profileId, phone)).toMatchObject({ marketingOptOut: null });
    expect((await historyOf(phone)).sort()).toEqual([['wa_opted_in', 'unchanged'], ['wa_opted_out', 'superseded']]);
  });

  it('records a preference delivered twice once: the queue drops the repeat, and so does the processor later', async () => {
    // prepare
    const phone = uniquePhone();
    const body = preferencesBody({ waId: phone.slice(1), value: 'stop', timestamp: at(30) });
    await post(body);
    const [first] = await takeMessages(resources.sqs, resources.consentQueueUrl, 1);

    // act: Meta sends the callback again; much later, the same event comes as a new message
    await post(body);
    const queuedAgain = await queueDepth(resources.sqs, resources.consentQueueUrl);
    await processor(batch(first!), lambdaContext('processor'));
    await processor(batch(sqsRecord(first!.body, { groupId: phone })), lambdaContext('processor'));

    // assess
    expect(queuedAgain).toBe(0);
    expect(await historyOf(phone)).toEqual([['wa_opted_out', 'applied']]);
  });

  it.each([
    ['another category', { category: 'utility_messages' }],
    ['another value', { value: 'maybe' }],
  ])('acknowledges a preference of %s and enqueues nothing', async (_label, options) => {
    const response = await post(preferencesBody({ waId: uniquePhone().slice(1), ...options }));

    expect(response).toMatchObject({ status: 200, body: { preferences: 1, enqueued: 0 } });
    expect(await queueDepth(resources.sqs, resources.consentQueueUrl)).toBe(0);
  });

  it('refuses an unsigned or wrongly signed preference with 401, enqueuing nothing', async () => {
    const body = preferencesBody({ waId: uniquePhone().slice(1) });

    expect((await post(body, null)).status).toBe(401);
    expect((await post(body, signatureOf(body, 'another-secret'))).status).toBe(401);
    expect(await queueDepth(resources.sqs, resources.consentQueueUrl)).toBe(0);
  });
});
