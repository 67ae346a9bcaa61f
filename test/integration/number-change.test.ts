import { lambdaContext } from '../../infra/local/lambda-context.js';
import type { ConsentEvent } from '../../shared/domain/consent-event.js';
import { uniquePhone } from '../support/consent-api.js';
import { eventOf, numberChangeOf } from '../support/consent/signal-events.js';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { batch, takeMessages } from '../support/sqs-records.js';
import { queueDepth, auditEntriesOf } from '../support/tables.js';
import { e164 } from '../unit/support/samples.js';
import { ENV } from '../../shared/config.js';
import { INTEGRATION_APP_SECRET, postCallback } from '../support/webhook-calls.js';
import { inboundMessageBody, numberChangeBody } from '../support/whatsapp-callbacks.js';
import { applyEvents } from '../support/apply-events.js';

/*
 * A recipient who changes number, through the processor, the queue and DynamoDB Local: the old number
 * records the change and keeps its state; what the recipient said there goes to the new number through
 * the queue, in the new number's turn, and is in both histories.
 */
const resources = await provisionIsolatedResources();
const { handler: processor } = await import('../../functions/processor/handler.js');
const { DynamoConsentStateStore } = await import('../../shared/adapters/consent-state-store.js');
const states = new DynamoConsentStateStore(resources.consentTableName);

const deliver = (...events: ConsentEvent[]) => applyEvents(processor, events);

const historyOf = (phone: string) => auditEntriesOf(resources, phone);

const at = (seconds: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + seconds * 1000).toISOString();

describe('a recipient who changes number', () => {
  it('takes their STOP and marketing opt-out to the new number, recorded in both histories; the old number keeps its state', async () => {
    // prepare
    const [old, moved] = [e164(uniquePhone()), e164(uniquePhone())];
    const stop = eventOf({ kind: 'keyword', word: 'stop', at: at(1) }, old, `${old}-stop`);
    const optOut = eventOf({ kind: 'marketing', value: 'stop', at: at(2) }, old, `${old}-optout`);
    const change = numberChangeOf(old, moved, at(5), `${old}-change`);

    // act: the change first, then the old number's signals arriving late; the carried ones through the queue
    await deliver(change, stop, optOut);
    const carried = await takeMessages(resources.sqs, resources.consentQueueUrl, 2);
    for (const record of carried) await processor(batch(record), lambdaContext('processor'));
    // act: the change delivered again sends the same carried events, which the queue drops as repeats
    await deliver(change);

    // assess
    expect(carried.map((record) => record.attributes.MessageGroupId)).toEqual([moved, moved]);
    expect(await states.get(old)).toMatchObject({ blocked: true, source: 'recipient', marketingOptOut: { since: at(2) } });
    expect(await states.get(moved)).toMatchObject({ blocked: true, source: 'recipient', marketingOptOut: { since: at(5) } });
    expect((await historyOf(old)).map((entry) => entry['action']).sort()).toEqual(['wa_number_changed', 'wa_opted_out', 'wa_stop_keyword']);
    const newHistory = await historyOf(moved);
    expect(newHistory).toHaveLength(2);
    expect(newHistory).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'wa_stop_keyword', outcome: 'applied', requestedAt: at(5), reason: expect.stringContaining(`on ${old} before changing number`) }),
        expect.objectContaining({ action: 'wa_opted_out', outcome: 'applied' }),
      ]),
    );
    expect(await queueDepth(resources.sqs, resources.consentQueueUrl)).toBe(0);
  });

  it('carries nothing when the recipient had said nothing on the old number', async () => {
    const [old, moved] = [e164(uniquePhone()), e164(uniquePhone())];

    await deliver(eventOf({ kind: 'failure', at: at(1) }, old, `${old}-failure`), numberChangeOf(old, moved, at(5), `${old}-change`));

    expect(await queueDepth(resources.sqs, resources.consentQueueUrl)).toBe(0);
    expect(await states.get(old)).toMatchObject({ blocked: true, source: 'automatic' });
    expect(await states.get(moved)).toBeUndefined();
  });
});

describe('a change of number told by a signed system message', () => {
  it('is queued for the old number, which carries the recipient’s STOP to the new one, however late the STOP comes', async () => {
    process.env[ENV.whatsappAppSecret] = INTEGRATION_APP_SECRET;
    process.env[ENV.whatsappVerifyToken] = 'integration-verify-token';
    const webhook = await import('../../functions/whatsapp-webhook/handler.js');
    const [old, moved] = [e164(uniquePhone()), e164(uniquePhone())];
    const now = Math.floor(Date.now() / 1000);
    const post = async (body: string) => {
      const response = await postCallback(webhook.handler, body);
      expect(response.status).toBe(200);
      for (const record of await takeMessages(resources.sqs, resources.consentQueueUrl, response.body.enqueued)) await processor(batch(record), lambdaContext('processor'));
    };

    // act: the change arrives first, the STOP the recipient wrote before it arrives after it
    await post(numberChangeBody({ from: old.slice(1), to: moved.slice(1), timestamp: now - 10 }));
    await post(inboundMessageBody({ waId: old.slice(1), text: 'STOP', timestamp: now - 20 }));
    for (const record of await takeMessages(resources.sqs, resources.consentQueueUrl, 1)) await processor(batch(record), lambdaContext('processor'));

    // assess
    expect(await states.get(old)).toMatchObject({ blocked: true, source: 'recipient' });
    expect(await states.get(moved)).toMatchObject({ blocked: true, source: 'recipient', updatedBy: `recipient:${moved.slice(1)}` });
    expect((await historyOf(old)).map((entry) => entry['action']).sort()).toEqual(['wa_number_changed', 'wa_stop_keyword']);
    expect(await historyOf(moved)).toEqual([expect.objectContaining({ action: 'wa_stop_keyword', outcome: 'applied' })]);
  });
});
