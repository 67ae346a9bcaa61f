import { readFileSync } from 'node:fs';
import { INTEGRATION_APP_SECRET, postCallback } from '../support/webhook-calls.js';
import { ENV } from '../../shared/config.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { apiEvent, gatewayEvent, invoke, profileAdmin } from '../support/api-events.js';
import { consentApi, uniquePhone } from '../support/consent-api.js';
import { batch, sqsRecord, takeMessages } from '../support/sqs-records.js';
import { allItems, queueDepth, auditEntriesOf } from '../support/tables.js';
import { callbackBody, signatureOf, statusObject, type StatusOptions } from '../support/whatsapp-callbacks.js';

const resources = await provisionIsolatedResources();
process.env[ENV.whatsappAppSecret] = INTEGRATION_APP_SECRET;
process.env[ENV.whatsappVerifyToken] = 'integration-verify-token';
delete process.env[ENV.autoBlockCodes];

const profiles = await import('../../functions/profiles/handler.js');
const api = consentApi({ profiles, requests: await import('../../functions/consent-requests/handler.js') });
const webhook = await import('../../functions/whatsapp-webhook/handler.js');
const historyFunction = await import('../../functions/history/handler.js');
const blocklist = await import('../../functions/blocklist/handler.js');
const { handler: processor } = await import('../../functions/processor/handler.js');

/** Posts a callback to the webhook, signed unless told otherwise. */
const post = (body: string, signature?: string | null) => postCallback(webhook.handler, body, signature);

/** Delivers a failure of one message for the recipient, and runs the processor on what it enqueued. */
async function deliverAndProcess(options: StatusOptions) {
  const response = await post(callbackBody(statusObject(options)));
  expect(response.status).toBe(200);
  const records = await takeMessages(resources.sqs, resources.consentQueueUrl, response.body.enqueued);
  if (records.length > 0) await processor(batch(...records), lambdaContext('processor'));
  return { response, records };
}

const auditOf = (phone: string) => auditEntriesOf(resources, phone);

async function numberOn(profileId: string, phone: string) {
  const response = await invoke(profiles.handler, apiEvent('GET /profiles/{profileId}/whatsapp', { pathParameters: { profileId } }));
  return (response.body.numbers as Record<string, unknown>[]).find((number) => number['phone'] === phone);
}

/** A unique number and its WhatsApp id (digits without `+`). */
function recipient(): { phone: string; waId: string } {
  const phone = uniquePhone();
  return { phone, waId: phone.slice(1) };
}

async function snapshot() {
  return {
    consent: await allItems(resources.dynamoDb, resources.consentTableName),
    audit: await allItems(resources.dynamoDb, resources.auditTableName),
    queued: await queueDepth(resources.sqs, resources.consentQueueUrl),
  };
}

describe('webhook and processor, on the emulators', () => {
  it('blocks a number automatically on a 131026 failure, with the code, the sender and the message in the audit', async () => {
    // prepare
    const { phone, waId } = recipient();
    const profileId = await api.createProfile([phone]);

    // act
    const { response } = await deliverAndProcess({ recipientId: waId, code: 131026, messageId: 'wamid.first-failure', timestamp: 1_778_251_283 });

    // assess
    expect(response.body).toEqual({ statuses: 1, preferences: 0, messages: 0, enqueued: 1, unresolved: 0, pairings: 0, unreadable: 0 });
    expect(await numberOn(profileId, phone)).toMatchObject({
      blocked: true,
      source: 'automatic',
      reasonCode: '131026',
      reason: 'Message undeliverable',
      updatedBy: 'whatsapp:967249473135513',
      // The state keeps the sender's id and the number it displays as.
      updatedBySender: { type: 'provider', provider: 'whatsapp', phoneNumberId: '967249473135513', displayPhoneNumber: '5511962185237' },
    });
    const viewed = await invoke(profiles.handler, apiEvent('GET /numbers/{phone}', { pathParameters: { phone } }));
    expect(viewed.body.updatedBySender).toEqual({ type: 'provider', provider: 'whatsapp', phoneNumberId: '967249473135513', displayPhoneNumber: '5511962185237' });
    const listed = await invoke(blocklist.handler, apiEvent('GET /blocklist', { query: { source: 'automatic', changedAfter: new Date(Date.now() - 60_000).toISOString(), limit: '100' } }));
    expect(listed.body.items.find((item: { phone: string }) => item.phone === phone)?.updatedBySender).toEqual({
      type: 'provider',
      provider: 'whatsapp',
      phoneNumberId: '967249473135513',
      displayPhoneNumber: '5511962185237',
    });
    const audit = await auditOf(phone);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'wa_blocked',
      source: 'automatic',
      outcome: 'applied',
      reasonCode: '131026',
      providerMessageId: 'wamid.first-failure',
      recipientId: waId,
      requestedAt: '2026-05-08T14:41:23.000Z',
      actor: { type: 'provider', provider: 'whatsapp', phoneNumberId: '967249473135513', displayPhoneNumber: '5511962185237' },
    });
  });

  it('applies and audits a failure once, whether the provider sends it twice or the queue delivers it twice', async () => {
    // prepare
    const { phone, waId } = recipient();
    await api.createProfile([phone]);
    const body = callbackBody(statusObject({ recipientId: waId, messageId: 'wamid.retried' }));

    // act: the provider sends the same callback twice; the second send is deduplicated by the queue
    expect((await post(body)).status).toBe(200);
    expect((await post(body)).status).toBe(200);
    const [record] = await takeMessages(resources.sqs, resources.consentQueueUrl, 1);
    if (!record) throw new Error('no message');
    // … and the processor sees the message twice, and once more re-sent as a new message
    await processor(batch(record), lambdaContext('processor'));
    await processor(batch(record), lambdaContext('processor'));
    await processor(batch(sqsRecord(record.body, { groupId: `+${waId}` })), lambdaContext('processor'));

    // assess
    expect(await queueDepth(resources.sqs, resources.consentQueueUrl)).toBe(0);
    expect((await auditOf(phone)).map((entry) => [entry['action'], entry['outcome']])).toEqual([['wa_blocked', 'applied']]);
  });

  it('does not let a failure older than a later manual unblock block the number again', async () => {
    // prepare: blocked by a failure, then unblocked by an editor
    const { phone, waId } = recipient();
    const profileId = await api.createProfile([phone]);
    const failedAt = Math.floor(Date.now() / 1000) - 60;
    await deliverAndProcess({ recipientId: waId, timestamp: failedAt, messageId: 'wamid.early' });
    await api.request('unblock', profileId, phone, 'the customer is on WhatsApp now');
    await processor(batch(...(await takeMessages(resources.sqs, resources.consentQueueUrl, 1))), lambdaContext('processor'));

    // act: a failure of another message, from before the unblock, arrives late
    await deliverAndProcess({ recipientId: waId, timestamp: failedAt + 1, messageId: 'wamid.late' });

    // assess: recorded, but superseded; the number stays unblocked
    expect(await numberOn(profileId, phone)).toMatchObject({ blocked: false, source: 'manual' });
    const outcomes = (await auditOf(phone)).map((entry) => [entry['providerMessageId'] ?? entry['action'], entry['outcome']]);
    expect(outcomes).toEqual(expect.arrayContaining([['wamid.early', 'applied'], ['unblock', 'applied'], ['wamid.late', 'superseded']]));
    expect(outcomes).toHaveLength(3);
  });

  it('blocks the number again on a failure that happened after the manual unblock', async () => {
    const { phone, waId } = recipient();
    const profileId = await api.createProfile([phone]);
    await deliverAndProcess({ recipientId: waId, messageId: 'wamid.before' });
    await api.request('unblock', profileId, phone);
    await processor(batch(...(await takeMessages(resources.sqs, resources.consentQueueUrl, 1))), lambdaContext('processor'));

    await deliverAndProcess({ recipientId: waId, messageId: 'wamid.after', timestamp: Math.floor(Date.now() / 1000) + 5 });

    expect(await numberOn(profileId, phone)).toMatchObject({ blocked: true, source: 'automatic' });
  });

  it('blocks the stored Brazilian number with the ninth digit when the WhatsApp id lacks it', async () => {
    // prepare: the fixture's own recipient, 554192146473, is +55 41 99214-6473
    const profileId = await api.createProfile(['+5541992146473']);

    // act
    await deliverAndProcess({ recipientId: '554192146473' });

    // assess
    expect(await numberOn(profileId, '+5541992146473')).toMatchObject({ blocked: true, source: 'automatic' });
    expect(await auditOf('+554192146473')).toHaveLength(0);
  });

  it.each([
    ['the old eight-digit number', '551172146473', '+551172146473', '+5511972146473'],
    ['the number with the ninth digit', '551173146473', '+5511973146473', '+551173146473'],
  ])('decides an ambiguous Brazilian id by the stored profiles: %s', async (_label, waId, stored, other) => {
    // prepare: both forms of the id are valid numbers; only one is on a profile
    const profileId = await api.createProfile([stored]);

    // act
    await deliverAndProcess({ recipientId: waId });

    // assess
    expect(await numberOn(profileId, stored)).toMatchObject({ blocked: true, source: 'automatic' });
    expect(await auditOf(other)).toHaveLength(0);
  });

  it('puts a failure in the history of the profile the campaign named in biz_opaque_callback_data', async () => {
    // prepare: the campaign sent to the number on behalf of one profile, and said so when it sent
    const { phone, waId } = recipient();
    const profileId = await api.createProfile([phone]);
    const status = { ...statusObject({ recipientId: waId }), biz_opaque_callback_data: JSON.stringify({ profileId }) };

    // act
    const response = await post(callbackBody(status));
    const records = await takeMessages(resources.sqs, resources.consentQueueUrl, response.body.enqueued);
    await processor(batch(...records), lambdaContext('processor'));

    // assess
    const history = await invoke(historyFunction.handler, apiEvent('GET /profiles/{profileId}/whatsapp/history', { pathParameters: { profileId } }));
    expect(history.body.items).toEqual([expect.objectContaining({ action: 'wa_blocked', phone, profileId, reasonCode: '131026' })]);
  });

  it('records a marketing opt-out (131050) on the number and in its history, without blocking', async () => {
    const { phone, waId } = recipient();
    const profileId = await api.createProfile([phone]);

    await deliverAndProcess({ recipientId: waId, code: 131050 });

    const number = await numberOn(profileId, phone);
    expect(number).toMatchObject({ blocked: false, source: null, marketingOptOut: { source: 'delivery_failure' } });
    expect(await auditOf(phone)).toEqual([expect.objectContaining({ action: 'wa_opted_out', outcome: 'applied', reasonCode: '131050' })]);
  });

  it.each([
    ['a temporary failure', { code: 131049 }],
    ['a failure about our own sender', { code: 133010 }],
    ['a delivered status', { status: 'delivered' }],
    ['a read receipt', { status: 'read' }],
  ])('enqueues nothing for %s', async (_label, options) => {
    const { waId } = recipient();
    const before = await snapshot();

    const response = await post(callbackBody(statusObject({ recipientId: waId, ...options })));

    expect(response).toMatchObject({ status: 200, body: { statuses: 1, enqueued: 0 } });
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['no signature', null],
    ['a signature made with another secret', 'forged'],
    ['a signature of other bytes', 'other-body'],
    ['a malformed header', 'sha256=zz'],
  ])('refuses a callback with %s: 401, nothing written or queued', async (_label, kind) => {
    // prepare
    const body = callbackBody(statusObject({ recipientId: recipient().waId }));
    const signature =
      kind === 'forged' ? signatureOf(body, 'not-the-app-secret') : kind === 'other-body' ? signatureOf(`${body} `, INTEGRATION_APP_SECRET) : kind;
    expect(signature).not.toBe(signatureOf(body, INTEGRATION_APP_SECRET));
    const before = await snapshot();

    // act
    const response = await post(body, signature);

    // assess
    expect(response.status).toBe(401);
    expect(response.contentType).toBe('application/problem+json');
    expect(await snapshot()).toEqual(before);
  });

  it('answers a signed body it cannot read with 200, writing nothing: Meta would retry a 400 for days', async () => {
    const before = await snapshot();

    const notJson = await post('{"object": "whatsapp_business_account", "entry": [');
    const wrongShape = await post(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ value: { statuses: 'many' } }] }] }));

    expect(notJson).toMatchObject({ status: 200, body: { statuses: 0, enqueued: 0, unreadable: 1 } });
    expect(wrongShape).toMatchObject({ status: 200, body: { statuses: 0, enqueued: 0, unreadable: 1 } });
    expect(await snapshot()).toEqual(before);
  });

  it("answers Meta's change-of-number system message with a numeric timestamp with 200, queueing the change for the old number", async () => {
    const body = readFileSync(new URL('../fixtures/meta-webhook-shapes/system-user-changed-number-numeric-timestamp.json', import.meta.url), 'utf8');
    const before = await snapshot();

    expect(await post(body)).toMatchObject({ status: 200, body: { messages: 0, enqueued: 1, unreadable: 0 } });
    const [queued] = await takeMessages(resources.sqs, resources.consentQueueUrl, 1);
    expect(JSON.parse(queued!.body)).toMatchObject({ action: 'wa_number_changed', movedTo: { recipientId: expect.any(String) } });
    expect(await snapshot()).toEqual(before);
  });

  it('blocks the numbers of the usable failures of a callback beside a malformed one', async () => {
    // prepare
    const [first, second] = [recipient(), recipient()];
    const profileId = await api.createProfile([first.phone, second.phone]);
    const body = JSON.parse(callbackBody(statusObject({ recipientId: first.waId }), { ...statusObject({ recipientId: second.waId }), timestamp: 'TIMESTAMP' }));

    // act
    const response = await post(JSON.stringify(body));
    const records = await takeMessages(resources.sqs, resources.consentQueueUrl, response.body.enqueued);
    await processor(batch(...records), lambdaContext('processor'));

    // assess
    expect(response).toMatchObject({ status: 200, body: { statuses: 1, enqueued: 1, unreadable: 1 } });
    expect(await numberOn(profileId, first.phone)).toMatchObject({ blocked: true, source: 'automatic' });
    expect(await numberOn(profileId, second.phone)).toMatchObject({ blocked: false });
  });

  it('answers the subscription handshake with the challenge as text, and a wrong token with 403', async () => {
    const handshake = (token: string) =>
      invoke(
        webhook.handler,
        gatewayEvent('GET /webhooks/whatsapp', {
          query: { 'hub.mode': 'subscribe', 'hub.verify_token': token, 'hub.challenge': '1158201444' },
          claims: null,
        }),
      );

    expect(await handshake('integration-verify-token')).toMatchObject({ status: 200, contentType: 'text/plain; charset=utf-8', body: '1158201444' });
    expect(await handshake('integration-verify-tokeN')).toMatchObject({ status: 403, contentType: 'application/problem+json' });
  });
});

describe('profiles and the index of who holds a number', () => {
  it('keeps one holder item per profile and number, adding and removing them as the profile changes', async () => {
    const [first, second, third] = [uniquePhone(), uniquePhone(), uniquePhone()];
    const profileId = await api.createProfile([first, second]);
    const holders = async () =>
      (await allItems(resources.dynamoDb, resources.consentTableName))
        .filter((item) => item['sk'] === `HOLDER#${profileId}`)
        .map((item) => item['phone'])
        .sort();
    expect(await holders()).toEqual([first, second].sort());

    const replaced = await invoke(
      profiles.handler,
      apiEvent('PUT /profiles/{profileId}', { pathParameters: { profileId }, body: { whatsappNumbers: [second, third] }, caller: profileAdmin }),
    );

    expect(replaced.status).toBe(200);
    expect(await holders()).toEqual([second, third].sort());
  });
});
