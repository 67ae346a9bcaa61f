import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { startStreamPoller, type StreamHandler, type StreamPoller } from '../../infra/local/stream-poller.js';
import type { QueuedEvent } from '../../shared/domain/consent-event.js';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { recordRequestOf } from '../support/requests.js';
import { uniquePhone } from '../support/consent-api.js';
import { eventually } from '../support/poll.js';
import { batch, sqsRecord } from '../support/sqs-records.js';
import { e164, sampleAutomaticEvent, sampleEvent } from '../unit/support/samples.js';

/*
 * Change events from the audit table's stream on DynamoDB Local: the processor writes, the stream
 * publisher (the deployed handler, fed as Lambda's stream mapping would) publishes each applied change
 * once on the emulator's queue, whatever the processor did after its transaction.
 */

const resources = await provisionIsolatedResources();
const { handler: processor } = await import('../../functions/processor/handler.js');
const { handler: publisher } = await import('../../functions/change-publisher/handler.js');
const { DynamoEventLedger } = await import('../../shared/adapters/event-ledger.js');

let poller: StreamPoller;
beforeAll(async () => {
  poller = await startStreamPoller({
    dynamoDb: resources.dynamoDb as never,
    endpoint: process.env['AWS_ENDPOINT_URL_DYNAMODB'] ?? '',
    tableName: resources.auditTableName,
    handler: publisher as unknown as StreamHandler,
    functionName: 'changePublisher',
    intervalMs: 50,
    log: () => undefined,
  });
});
afterAll(() => poller.stop());

const received: Record<string, any>[] = [];
/** Every change event that arrived so far (they are taken off the queue as they are read). */
async function changes(): Promise<Record<string, any>[]> {
  const { Messages = [] } = await resources.sqs.send(new ReceiveMessageCommand({ QueueUrl: resources.changeEventsQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
  received.push(...Messages.map((message) => JSON.parse(message.Body ?? '{}')));
  if (Messages.length > 0) {
    await resources.sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: resources.changeEventsQueueUrl, Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })) }),
    );
  }
  return received;
}
const changesOf = async (phone: string) => (await changes()).filter((event) => event.detail.phone === phone).map((event) => event.detail);

let sequence = 0;
const apply = async (event: QueuedEvent) => {
  await recordRequestOf(resources.dynamoDb, resources.consentTableName, event);
  const response = await processor(batch(sqsRecord(JSON.stringify(event))), lambdaContext('processor'));
  expect(response.batchItemFailures).toEqual([]);
};
const manual = (phone: string, action: 'block' | 'unblock') => {
  const id = `01JCHANGE${String(++sequence).padStart(17, '0')}`;
  return sampleEvent({ eventId: id, requestId: id, phone: e164(phone), action, sequence, requestedAt: new Date().toISOString() });
};

describe('change events', () => {
  it('publishes every applied change once, in order, with the documented detail, and nothing for unchanged or superseded ones', async () => {
    const phone = uniquePhone();
    const block = manual(phone, 'block');

    await apply(block);
    await apply(block); // a repeat: duplicate, nothing written
    await apply(manual(phone, 'block')); // unchanged
    const unblock = manual(phone, 'unblock');
    await apply(unblock);
    await apply(sampleAutomaticEvent({ eventId: `wa-change-${sequence}`, phone: e164(phone), recipientId: phone.slice(1), occurredAt: '2020-01-01T00:00:00.000Z' })); // superseded: older than the decision
    await apply(sampleAutomaticEvent({ eventId: `wa-optout-${sequence}`, action: 'wa_opted_out', phone: e164(phone), recipientId: phone.slice(1), reasonCode: undefined, occurredAt: new Date().toISOString() }));

    // A last change: the number's events arrive in order, so any extra one would arrive before it.
    const last = manual(phone, 'block');
    await apply(last);

    const published = await eventually(() => changesOf(phone), (events) => events.some((detail) => detail.eventId === last.eventId));
    expect(published.map((detail) => [detail.eventId, detail.blocked, detail.marketingOptOut?.source ?? null])).toEqual([
      [block.eventId, true, null],
      [unblock.eventId, false, null],
      [`wa-optout-${sequence - 1}`, false, 'user_preferences'],
      [last.eventId, true, 'user_preferences'],
    ]);
    expect(published[0]).toEqual({
      eventId: block.eventId,
      phone,
      blocked: true,
      source: 'manual',
      reason: block.reason,
      reasonCode: null,
      marketingOptOut: null,
      profileId: block.profileId,
      actor: block.actor,
      occurredAt: expect.any(String),
      requestId: block.requestId,
      stateVersion: 1,
    });
    // Every write counts the version up: the unchanged block and the superseded failure wrote their registers.
    expect(published.map((detail) => detail.stateVersion)).toEqual([1, 3, 5, 6]);
  });

  it('publishes a change once when the processor died after its transaction and the event came again', async () => {
    const phone = uniquePhone();
    const event = manual(phone, 'block');
    // The transaction commits, then the process dies before acknowledging the message…
    const { applyConsentEvent } = await import('../../shared/domain/apply-consent-event.js');
    const { DynamoConsentStateStore } = await import('../../shared/adapters/consent-state-store.js');
    const { DynamoProfileStore } = await import('../../shared/adapters/profile-store.js');
    await applyConsentEvent(event, {
      states: new DynamoConsentStateStore(resources.consentTableName),
      ledger: new DynamoEventLedger(resources.consentTableName, resources.auditTableName),
      profiles: new DynamoProfileStore(resources.consentTableName),
      clock: { now: () => new Date() },
    });

    // …so SQS delivers it again; then the number's next change.
    await apply(event);
    const next = manual(phone, 'unblock');
    await apply(next);

    const published = await eventually(() => changesOf(phone), (events) => events.some((detail) => detail.eventId === next.eventId));
    expect(published.map((detail) => detail.eventId)).toEqual([event.eventId, next.eventId]);
  });
});
