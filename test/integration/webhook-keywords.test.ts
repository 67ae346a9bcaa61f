import { ENV } from '../../shared/config.js';
import { INTEGRATION_APP_SECRET, postCallback } from '../support/webhook-calls.js';
import { blocklistChecker } from '../../shared/blocklist.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { apiEvent, invoke } from '../support/api-events.js';
import { consentApi, uniquePhone } from '../support/consent-api.js';
import { batch, takeMessages } from '../support/sqs-records.js';
import { queueDepth } from '../support/tables.js';
import { inboundMessageBody } from '../support/whatsapp-callbacks.js';

/*
 * Keyword opt-outs through the webhook, the queue and the processor on the emulators: a recipient who
 * writes STOP is blocked with the recipient as the source; START lifts that block and no other.
 */

const resources = await provisionIsolatedResources();
process.env[ENV.whatsappAppSecret] = INTEGRATION_APP_SECRET;
process.env[ENV.whatsappVerifyToken] = 'integration-verify-token';
delete process.env[ENV.optOutKeywords];
delete process.env[ENV.optInKeywords];

const profiles = await import('../../functions/profiles/handler.js');
const api = consentApi({ profiles, requests: await import('../../functions/consent-requests/handler.js') });
const webhook = await import('../../functions/whatsapp-webhook/handler.js');
const { handler: processor } = await import('../../functions/processor/handler.js');
const checker = blocklistChecker({ tableName: resources.consentTableName });

/** Posts a callback to the webhook, signed unless told otherwise. */
const post = (body: string, signature?: string | null) => postCallback(webhook.handler, body, signature);

async function write(phone: string, text: string, options: { kind?: 'text' | 'button'; timestamp?: number } = {}) {
  const response = await post(inboundMessageBody({ waId: phone.slice(1), text, ...options }));
  expect(response.status).toBe(200);
  const records = await takeMessages(resources.sqs, resources.consentQueueUrl, response.body.enqueued);
  if (records.length > 0) await processor(batch(...records), lambdaContext('processor'));
  return response.body as { messages: number; enqueued: number };
}

async function numberOn(profileId: string, phone: string) {
  const response = await invoke(profiles.handler, apiEvent('GET /profiles/{profileId}/whatsapp', { pathParameters: { profileId } }));
  return (response.body.numbers as Record<string, unknown>[]).find((number) => number['phone'] === phone);
}

const now = () => Math.floor(Date.now() / 1000);

describe('keyword opt-outs', () => {
  it('blocks the sender of " Stop " with the recipient as the source, and START lifts it', async () => {
    // prepare
    const phone = uniquePhone();
    const profileId = await api.createProfile([phone]);

    // act, assess: STOP, as the fixture writes it
    expect(await write(phone, ' Stop ', { timestamp: now() - 10 })).toMatchObject({ messages: 1, enqueued: 1 });
    expect(await numberOn(profileId, phone)).toMatchObject({ blocked: true, source: 'recipient' });
    expect(await checker.check([phone], { category: 'utility' })).toMatchObject({ blocked: [{ phone, source: 'recipient' }] });

    // act, assess: START
    await write(phone, 'start', { timestamp: now() - 5 });
    expect(await numberOn(profileId, phone)).toMatchObject({ blocked: false, source: 'recipient' });
  });

  it('takes a quick-reply button labelled with a keyword', async () => {
    const phone = uniquePhone();
    const profileId = await api.createProfile([phone]);

    await write(phone, 'STOP', { kind: 'button' });

    expect(await numberOn(profileId, phone)).toMatchObject({ blocked: true, source: 'recipient' });
  });

  it("lets START lift no editor's block", async () => {
    // prepare: an editor blocked the number
    const phone = uniquePhone();
    const profileId = await api.createProfile([phone]);
    await api.request('block', profileId, phone, 'asked by phone');
    const records = await takeMessages(resources.sqs, resources.consentQueueUrl, 1);
    await processor(batch(...records), lambdaContext('processor'));

    // act
    await write(phone, 'START');

    // assess
    expect(await numberOn(profileId, phone)).toMatchObject({ blocked: true, source: 'manual' });
  });

  it.each(['please stop', 'Hello', 'STOP!'])('acknowledges %j and enqueues nothing: a keyword is the whole message', async (text) => {
    const response = await post(inboundMessageBody({ waId: uniquePhone().slice(1), text }));

    expect(response).toMatchObject({ status: 200, body: { messages: 1, enqueued: 0 } });
    expect(await queueDepth(resources.sqs, resources.consentQueueUrl)).toBe(0);
  });

  it('refuses an unsigned STOP with 401, enqueuing nothing', async () => {
    const body = inboundMessageBody({ waId: uniquePhone().slice(1), text: 'STOP' });

    expect((await post(body, null)).status).toBe(401);
    expect(await queueDepth(resources.sqs, resources.consentQueueUrl)).toBe(0);
  });
});
