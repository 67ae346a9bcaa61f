import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { consentApi, uniquePhone } from '../support/consent-api.js';
import { batch, sqsRecord, takeMessages } from '../support/sqs-records.js';
import { ulid } from 'ulid';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { DynamoRequestStore } from '../../shared/adapters/request-store.js';
import { keys } from '../../shared/adapters/keys.js';
import type { E164 } from '../../shared/domain/phone.js';

/*
 * Every accepted request ends, against DynamoDB Local and fauxqs: requests
 * dead-lettered behind a failing event become `failed`, and the sweep fails requests whose events sit
 * in the dead-letter queue and enqueues again those that never reached the queue.
 */

const resources = await provisionIsolatedResources();
const api = consentApi({
  profiles: await import('../../functions/profiles/handler.js'),
  requests: await import('../../functions/consent-requests/handler.js'),
});
const { handler: processor } = await import('../../functions/processor/handler.js');
const { sweep } = await import('../../functions/request-sweeper/handler.js');
const MAX_RECEIVE_COUNT = Number(process.env['MAX_RECEIVE_COUNT']);

/** A request's item as stored, with the attributes that no reader of the API shows. */
async function storedRequest(phone: E164, requestId: string) {
  const { Item } = await resources.dynamoDb.send(new GetCommand({ TableName: resources.consentTableName, Key: keys.request(phone, requestId), ConsistentRead: true }));
  return Item;
}

describe('the last delivery of a failing event', () => {
  it('fails the requests of the events skipped behind it too, and leaves other numbers alone', async () => {
    // prepare: a block whose event is poison, then an unblock of the same number, and a block of another
    const [phone, other] = [uniquePhone(), uniquePhone()];
    const profileId = await api.createProfile([phone, other]);
    const poisoned = await api.request('block', profileId, phone);
    const behind = await api.request('unblock', profileId, phone);
    const unrelated = await api.request('block', profileId, other);
    const records = await takeMessages(resources.sqs, resources.consentQueueUrl, 3);
    const poison = { version: 99, requestId: poisoned, phone };
    const last = { receiveCount: MAX_RECEIVE_COUNT };
    const delivery = [
      sqsRecord(JSON.stringify(poison), { groupId: phone, ...last }),
      ...records.filter((record) => !record.body.includes(poisoned)).map((record) => sqsRecord(record.body, { groupId: JSON.parse(record.body).phone, ...last })),
    ];

    // act
    const response = await processor(batch(...delivery), lambdaContext('processor'));

    // assess: the poison and the unblock behind it are failures, and both requests say so
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(
      delivery.filter((record) => JSON.parse(record.body).phone === phone).map((record) => record.messageId).sort(),
    );
    expect(await api.requestStatus(poisoned)).toBe('failed');
    expect(await api.requestStatus(behind)).toBe('failed');
    expect(await api.requestStatus(unrelated)).toBe('applied');
  });
});

describe('the sweep', () => {
  it('fails a request whose event is in the dead-letter queue, and does not enqueue it again', async () => {
    // prepare: the processor crashed on the last delivery, so the event went to the DLQ with its request pending
    const phone = uniquePhone();
    const profileId = await api.createProfile([phone]);
    const requestId = await api.request('block', profileId, phone);
    const [record] = await takeMessages(resources.sqs, resources.consentQueueUrl, 1);
    await resources.sqs.send(
      new SendMessageCommand({ QueueUrl: resources.deadLetterQueueUrl, MessageBody: record!.body, MessageGroupId: phone, MessageDeduplicationId: requestId }),
    );

    // act
    const result = await sweep({ resendAfterSeconds: 0, limit: 100 });

    // assess: failed, and not among the requests sent again
    expect(result.failed).toBeGreaterThanOrEqual(1);
    expect(result.resent).toBe(0);
    expect(await api.requestStatus(requestId)).toBe('failed');
  });

  it('enqueues again a request still pending past the bound, and the processor applies it once', async () => {
    // prepare: the request was recorded but its event never reached the queue (the API died after the write)
    const phone = uniquePhone() as E164;
    const profileId = await api.createProfile([phone]);
    const requests = new DynamoRequestStore(resources.consentTableName);
    const requestId = ulid();
    await requests.create({
      requestId, status: 'pending', action: 'block', phone, profileId, reason: 'recorded, never sent',
      requestedBy: { type: 'user', sub: 'sub-erin', username: 'erin' }, requestedAt: new Date().toISOString(),
      appliedAt: undefined, sequence: await requests.nextSequence(phone),
    });

    // act: a sweep that counts anything pending as stale
    const first = await sweep({ resendAfterSeconds: 0, limit: 100 });
    const afterFirst = await storedRequest(phone, requestId);
    const second = await sweep({ resendAfterSeconds: 0, limit: 100 });
    const queued = await takeMessages(resources.sqs, resources.consentQueueUrl, 1);
    await processor(batch(...queued.map((message) => sqsRecord(message.body, { groupId: phone }))), lambdaContext('processor'));

    // assess: sent again once, then no longer stale (the queue has it), though still pending; applied once
    expect(first.resent).toBeGreaterThanOrEqual(1);
    expect(afterFirst).toMatchObject({ status: 'pending' });
    expect(afterFirst).not.toHaveProperty('pendingShard');
    expect(second.resent).toBe(0);
    expect(queued.map((message) => JSON.parse(message.body).requestId)).toEqual([requestId]);
    expect(await api.requestStatus(requestId)).toBe('applied');
  });

  it('leaves alone a request pending for less than the bound', async () => {
    const phone = uniquePhone();
    const profileId = await api.createProfile([phone]);
    await api.request('block', profileId, phone);
    await takeMessages(resources.sqs, resources.consentQueueUrl, 1);

    expect((await sweep({ resendAfterSeconds: 3600, limit: 100 })).resent).toBe(0);
  });
});
