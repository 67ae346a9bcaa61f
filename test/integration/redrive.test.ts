import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { peekDeadLetters, redriveDeadLetters } from '../../shared/adapters/dead-letter-redrive.js';
import { DynamoRequestStore } from '../../shared/adapters/request-store.js';
import type { E164 } from '../../shared/domain/phone.js';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { consentApi, uniquePhone } from '../support/consent-api.js';
import { batch, takeMessages } from '../support/sqs-records.js';
import { queueDepth } from '../support/tables.js';

const resources = await provisionIsolatedResources();
const api = consentApi({
  profiles: await import('../../functions/profiles/handler.js'),
  requests: await import('../../functions/consent-requests/handler.js'),
});
const { handler: processor } = await import('../../functions/processor/handler.js');

/** Puts a queued event where a poison message ends up: in the DLQ, with its group. */
async function moveToDeadLetters(count: number) {
  for (const record of await takeMessages(resources.sqs, resources.consentQueueUrl, count)) {
    await resources.sqs.send(
      new SendMessageCommand({
        QueueUrl: resources.deadLetterQueueUrl,
        MessageBody: record.body,
        MessageGroupId: record.attributes.MessageGroupId,
        MessageDeduplicationId: record.messageId,
      }),
    );
  }
}

describe('redriving the dead-letter queue', () => {
  it('shows what a dry run would move, and moves nothing', async () => {
    const phone = uniquePhone();
    const profileId = await api.createProfile([phone]);
    await api.request('block', profileId, phone);
    await moveToDeadLetters(1);

    const peeked = await peekDeadLetters(resources.sqs, resources.deadLetterQueueUrl);

    expect(peeked.depth).toBe(1);
    expect(peeked.first).toEqual([expect.objectContaining({ groupId: phone, eventId: expect.any(String) })]);
    expect(await queueDepth(resources.sqs, resources.deadLetterQueueUrl)).toBe(1);
    expect(await queueDepth(resources.sqs, resources.consentQueueUrl)).toBe(0);
    // leave the queue as the next test expects it
    await redriveDeadLetters({ sqs: resources.sqs, deadLetterQueueUrl: resources.deadLetterQueueUrl, queueUrl: resources.consentQueueUrl });
    for (const record of await takeMessages(resources.sqs, resources.consentQueueUrl, 1)) {
      await processor(batch(record), lambdaContext('processor'));
    }
  });

  it('moves failed events back in order, and the processor then gives their failed requests their real outcome', async () => {
    // prepare: block then unblock one number, and block another; all three events in the DLQ, requests failed
    const [first, second] = [uniquePhone(), uniquePhone()];
    const profileId = await api.createProfile([first, second]);
    const block = await api.request('block', profileId, first);
    const unblock = await api.request('unblock', profileId, first);
    const other = await api.request('block', profileId, second);
    await moveToDeadLetters(3);
    const requests = new DynamoRequestStore(resources.consentTableName);
    for (const [phone, requestId] of [[first, block], [first, unblock], [second, other]] as const) {
      await requests.markFailed(phone as E164, requestId);
    }
    expect(await api.requestStatus(block)).toBe('failed');

    // act
    const moved = await redriveDeadLetters({
      sqs: resources.sqs,
      deadLetterQueueUrl: resources.deadLetterQueueUrl,
      queueUrl: resources.consentQueueUrl,
    });
    const records = await takeMessages(resources.sqs, resources.consentQueueUrl, 3);
    await processor(batch(...records), lambdaContext('processor'));

    // assess: nothing left behind, each number's events in their order, every request settled
    expect(moved).toHaveLength(3);
    expect(await queueDepth(resources.sqs, resources.deadLetterQueueUrl)).toBe(0);
    const eventsOfFirst = records.filter((record) => record.attributes.MessageGroupId === first).map((record) => JSON.parse(record.body).requestId);
    expect(eventsOfFirst).toEqual([block, unblock]);
    expect([await api.requestStatus(block), await api.requestStatus(unblock), await api.requestStatus(other)]).toEqual(['applied', 'applied', 'applied']);
    expect((await api.view(profileId)).numbers.map((number) => number.blocked)).toEqual([false, true]);
  });

  it('counts and moves a message that another reader holds for a moment, as the request sweeper does every minute', async () => {
    const phone = uniquePhone();
    const profileId = await api.createProfile([phone]);
    const requestId = await api.request('block', profileId, phone);
    await moveToDeadLetters(1);
    const { Messages: held = [] } = await resources.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: resources.deadLetterQueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 3 }),
    );
    expect(held).toHaveLength(1);

    const peeked = await peekDeadLetters(resources.sqs, resources.deadLetterQueueUrl);
    const moved = await redriveDeadLetters({ sqs: resources.sqs, deadLetterQueueUrl: resources.deadLetterQueueUrl, queueUrl: resources.consentQueueUrl });

    expect(peeked.depth).toBe(1);
    expect(moved).toEqual([expect.objectContaining({ groupId: phone })]);
    expect(await queueDepth(resources.sqs, resources.deadLetterQueueUrl)).toBe(0);
    const [record] = await takeMessages(resources.sqs, resources.consentQueueUrl, 1);
    expect(JSON.parse(record?.body ?? '{}')).toMatchObject({ requestId });
    if (record) await processor(batch(record), lambdaContext('processor'));
  });

  it('stops after --max messages', async () => {
    const phone = uniquePhone();
    const profileId = await api.createProfile([phone]);
    await api.request('block', profileId, phone);
    await api.request('unblock', profileId, phone);
    await moveToDeadLetters(2);

    const moved = await redriveDeadLetters({
      sqs: resources.sqs,
      deadLetterQueueUrl: resources.deadLetterQueueUrl,
      queueUrl: resources.consentQueueUrl,
      max: 1,
    });

    expect(moved).toHaveLength(1);
    expect(await queueDepth(resources.sqs, resources.deadLetterQueueUrl)).toBe(1);
    const [left] = await takeMessages(resources.sqs, resources.deadLetterQueueUrl, 1);
    if (left) await resources.sqs.send(new DeleteMessageCommand({ QueueUrl: resources.deadLetterQueueUrl, ReceiptHandle: left.receiptHandle }));
  });
});
