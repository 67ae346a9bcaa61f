import { INTEGRATION_APP_SECRET, postCallback } from '../support/webhook-calls.js';
import { ENV } from '../../shared/config.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { consentApi, uniquePhone } from '../support/consent-api.js';
import { batch, takeMessages } from '../support/sqs-records.js';
import { queueDepth, auditEntriesOf } from '../support/tables.js';
import { callbackBody, statusObject, type StatusOptions } from '../support/whatsapp-callbacks.js';

/*
 * The country rules of WhatsApp ids and the updated code table, through the real webhook handler and
 * processor on the emulators: signed callbacks in, numbers blocked (or not) in the tables.
 */

const resources = await provisionIsolatedResources();
process.env[ENV.whatsappAppSecret] = INTEGRATION_APP_SECRET;
process.env[ENV.whatsappVerifyToken] = 'integration-verify-token';
delete process.env[ENV.autoBlockCodes];

const api = consentApi({
  profiles: await import('../../functions/profiles/handler.js'),
  requests: await import('../../functions/consent-requests/handler.js'),
});
const webhook = await import('../../functions/whatsapp-webhook/handler.js');
const { handler: processor } = await import('../../functions/processor/handler.js');

/** Posts one failure to the webhook, signed with the local secret, and runs the processor on what it enqueued. */
async function deliverAndProcess(options: StatusOptions) {
  const response = await postCallback(webhook.handler, callbackBody(statusObject(options)));
  expect(response.status).toBe(200);
  const records = await takeMessages(resources.sqs, resources.consentQueueUrl, response.body.enqueued);
  if (records.length > 0) await processor(batch(...records), lambdaContext('processor'));
  return response.body as { statuses: number; preferences: number; messages: number; enqueued: number };
}

const auditOf = (phone: string) => auditEntriesOf(resources, phone);

const numberOn = async (profileId: string, phone: string) => (await api.view(profileId)).numbers.find((number) => number.phone === phone);

describe('Mexican WhatsApp ids, through the webhook and the processor', () => {
  it('blocks the stored +52 number when the id keeps the old 1 after the country code', async () => {
    // prepare
    const profileId = await api.createProfile(['+525512345678']);

    // act
    const result = await deliverAndProcess({ recipientId: '5215512345678', code: 131026, messageId: 'wamid.mexico-with-1' });

    // assess
    expect(result).toEqual({ statuses: 1, preferences: 0, messages: 0, enqueued: 1, unresolved: 0, pairings: 0, unreadable: 0 });
    expect(await numberOn(profileId, '+525512345678')).toMatchObject({ blocked: true, source: 'automatic', reasonCode: '131026' });
    expect(await auditOf('+525512345678')).toEqual([
      expect.objectContaining({ action: 'wa_blocked', outcome: 'applied', recipientId: '5215512345678', providerMessageId: 'wamid.mexico-with-1' }),
    ]);
    expect(await auditOf('+5215512345678')).toEqual([]);
  });

  it('blocks the number an id without the 1 spells', async () => {
    const profileId = await api.createProfile(['+528112345678']);

    await deliverAndProcess({ recipientId: '528112345678', code: 131026 });

    expect(await numberOn(profileId, '+528112345678')).toMatchObject({ blocked: true, source: 'automatic' });
  });

  it('blocks the number without the 1 even when no profile holds it', async () => {
    await deliverAndProcess({ recipientId: '5213312345678', code: 131026, messageId: 'wamid.mexico-unheld' });

    expect(await auditOf('+523312345678')).toEqual([
      expect.objectContaining({ action: 'wa_blocked', outcome: 'applied', providerMessageId: 'wamid.mexico-unheld' }),
    ]);
  });
});

describe('the updated code table, through the webhook and the processor', () => {
  it('blocks the number on a 130403 failure (this business has blocked the user on WhatsApp)', async () => {
    // prepare
    const phone = uniquePhone();
    const profileId = await api.createProfile([phone]);

    // act
    const result = await deliverAndProcess({ recipientId: phone.slice(1), code: 130403 });

    // assess
    expect(result).toEqual({ statuses: 1, preferences: 0, messages: 0, enqueued: 1, unresolved: 0, pairings: 0, unreadable: 0 });
    expect(await numberOn(profileId, phone)).toMatchObject({ blocked: true, source: 'automatic', reasonCode: '130403' });
    expect(await auditOf(phone)).toEqual([expect.objectContaining({ action: 'wa_blocked', outcome: 'applied', reasonCode: '130403' })]);
  });

  it('blocks a Mexican number on a 130403 failure for its id with the 1', async () => {
    const profileId = await api.createProfile(['+525587654321']);

    await deliverAndProcess({ recipientId: '5215587654321', code: 130403 });

    expect(await numberOn(profileId, '+525587654321')).toMatchObject({ blocked: true, source: 'automatic', reasonCode: '130403' });
  });

  it.each([
    ['131057 (temporary)', 131057],
    ['133004 (temporary)', 133004],
    ['131037 (about our sender)', 131037],
    ['131063 (about our sender)', 131063],
    ['131064 (about our sender)', 131064],
    ['130497 (about our sender)', 130497],
  ])('enqueues nothing and blocks nothing for %s', async (_label, code) => {
    const phone = uniquePhone();
    const profileId = await api.createProfile([phone]);

    const result = await deliverAndProcess({ recipientId: phone.slice(1), code });

    expect(result).toEqual({ statuses: 1, preferences: 0, messages: 0, enqueued: 0, unresolved: 0, pairings: 0, unreadable: 0 });
    expect(await queueDepth(resources.sqs, resources.consentQueueUrl)).toBe(0);
    expect(await numberOn(profileId, phone)).toMatchObject({ blocked: false });
    expect(await auditOf(phone)).toEqual([]);
  });
});
