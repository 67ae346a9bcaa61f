import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { consentApi, uniquePhone } from '../support/consent-api.js';
import { batch, sqsRecord, takeMessages } from '../support/sqs-records.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { auditEntriesOf } from '../support/tables.js';

const resources = await provisionIsolatedResources();
const api = consentApi({
  profiles: await import('../../functions/profiles/handler.js'),
  requests: await import('../../functions/consent-requests/handler.js'),
});
const { handler: processor } = await import('../../functions/processor/handler.js');

const process = (event: ReturnType<typeof batch>) => processor(event, lambdaContext('processor'));

const auditEntries = (phone: string) => auditEntriesOf(resources, phone);

async function blockedOn(profileId: string, phone: string): Promise<boolean | undefined> {
  return (await api.view(profileId)).numbers.find((number) => number.phone === phone)?.blocked;
}

describe('processor', () => {
  it('applies a block once, however often the message is delivered or re-sent', async () => {
    // prepare
    const phone = uniquePhone();
    const profileId = await api.createProfile([phone]);
    const requestId = await api.request('block', profileId, phone);
    const [record] = await takeMessages(resources.sqs, resources.consentQueueUrl, 1);
    if (!record) throw new Error('no message');

    // act: the same delivery three times, then the same event re-sent as a new message
    const responses = [
      await process(batch(record)),
      await process(batch(record)),
      await process(batch(record)),
      await process(batch(sqsRecord(record.body, { groupId: phone }))),
    ];

    // assess
    expect(responses.every((response) => response.batchItemFailures.length === 0)).toBe(true);
    const entries = await auditEntries(phone);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: 'block', outcome: 'applied', profileId, requestId, actor: { type: 'user', username: 'erin' } });
    expect(await blockedOn(profileId, phone)).toBe(true);
    expect(await api.requestStatus(requestId)).toBe('applied');
  });

  it('records a block of a blocked number as unchanged, still audited', async () => {
    const phone = uniquePhone();
    const profileId = await api.createProfile([phone]);
    const first = await api.request('block', profileId, phone);
    const second = await api.request('block', profileId, phone);
    const records = await takeMessages(resources.sqs, resources.consentQueueUrl, 2);

    await process(batch(...records));

    expect(await api.requestStatus(first)).toBe('applied');
    expect(await api.requestStatus(second)).toBe('unchanged');
    expect((await auditEntries(phone)).map((entry) => entry.outcome).sort()).toEqual(['applied', 'unchanged']);
  });

  it('marks the older of a reordered pair superseded, and the newer one wins', async () => {
    // prepare: block, then unblock; their events delivered newest first
    const phone = uniquePhone();
    const profileId = await api.createProfile([phone]);
    const blockId = await api.request('block', profileId, phone);
    const unblockId = await api.request('unblock', profileId, phone);
    const [blockRecord, unblockRecord] = await takeMessages(resources.sqs, resources.consentQueueUrl, 2);
    if (!blockRecord || !unblockRecord) throw new Error('messages missing');

    // act
    await process(batch(unblockRecord));
    await process(batch(blockRecord));

    // assess
    expect(await api.requestStatus(unblockId)).toBe('unchanged');
    expect(await api.requestStatus(blockId)).toBe('superseded');
    expect(await blockedOn(profileId, phone)).toBe(false);
    expect(await auditEntries(phone)).toHaveLength(2);
  });

  it('reports exactly the poison records of a batch and commits the others', async () => {
    // prepare: eight good events on eight numbers, two poison messages in groups of their own
    const phones = Array.from({ length: 8 }, uniquePhone);
    const profileId = await api.createProfile(phones);
    for (const phone of phones) await api.request('block', profileId, phone);
    const good = await takeMessages(resources.sqs, resources.consentQueueUrl, 8);
    const poison = [sqsRecord('not json', { groupId: 'poison-1' }), sqsRecord(JSON.stringify({ version: 2 }), { groupId: 'poison-2' })];
    const records = [...good.slice(0, 3), poison[0]!, ...good.slice(3, 6), poison[1]!, ...good.slice(6)];

    // act
    const response = await process(batch(...records));

    // assess
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(poison.map((record) => record.messageId).sort());
    for (const phone of phones) expect(await auditEntries(phone)).toHaveLength(1);
  });

  it('fails the later events of a number after one of its events fails, so order holds', async () => {
    // prepare: a broken event of the number, then a block of the same number in the same batch
    const phone = uniquePhone();
    const profileId = await api.createProfile([phone]);
    const requestId = await api.request('block', profileId, phone);
    const [blockRecord] = await takeMessages(resources.sqs, resources.consentQueueUrl, 1);
    if (!blockRecord) throw new Error('no message');
    const broken = sqsRecord(JSON.stringify({ ...JSON.parse(blockRecord.body), version: 99 }), { groupId: phone });

    // act
    const response = await process(batch(broken, blockRecord));

    // assess
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual([broken.messageId, blockRecord.messageId]);
    expect(await auditEntries(phone)).toHaveLength(0);
    expect(await api.requestStatus(requestId)).toBe('pending');
  });

  it('marks the request failed on the last delivery before the dead-letter queue', async () => {
    const phone = uniquePhone();
    const profileId = await api.createProfile([phone]);
    const requestId = await api.request('block', profileId, phone);
    const [record] = await takeMessages(resources.sqs, resources.consentQueueUrl, 1);
    if (!record) throw new Error('no message');
    const broken = JSON.stringify({ ...JSON.parse(record.body), version: 99 });

    await process(batch(sqsRecord(broken, { groupId: phone, receiveCount: resources.maxReceiveCount - 1 })));
    const beforeLast = await api.requestStatus(requestId);
    await process(batch(sqsRecord(broken, { groupId: phone, receiveCount: resources.maxReceiveCount })));

    expect(beforeLast).toBe('pending');
    expect(await api.requestStatus(requestId)).toBe('failed');
  });

  it('never throws for a batch of only failures; each is reported', async () => {
    const records = [sqsRecord('{', { groupId: 'a' }), sqsRecord('[]', { groupId: 'b' }), sqsRecord('null', { groupId: 'c' })];
    const response = await process(batch(...records));
    expect(response.batchItemFailures).toHaveLength(3);
  });

  it('refuses an event that was sent to the queue with an invalid phone', async () => {
    const phone = uniquePhone();
    const profileId = await api.createProfile([phone]);
    await api.request('block', profileId, phone);
    const [record] = await takeMessages(resources.sqs, resources.consentQueueUrl, 1);
    const forged = JSON.stringify({ ...JSON.parse(record!.body), phone: '+420 777' });
    await resources.sqs.send(new SendMessageCommand({ QueueUrl: resources.consentQueueUrl, MessageBody: forged, MessageGroupId: 'forged', MessageDeduplicationId: 'forged-1' }));
    const [forgedRecord] = await takeMessages(resources.sqs, resources.consentQueueUrl, 1);

    const response = await process(batch(forgedRecord!));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: forgedRecord!.messageId }]);
  });
});
