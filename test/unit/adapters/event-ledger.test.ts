import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { EventLedger } from '../../../shared/domain/ports.js';
import { transition } from '../../../shared/domain/consent-state.js';
import type { AuditEntry } from '../../../shared/domain/records.js';
import { cancelledWith, mockedDocumentClient } from '../support/dynamodb-mock.js';
import { PHONE, sampleEvent } from '../support/samples.js';

// The adapters build their clients when imported, and the SDK needs a region for that.
process.env.AWS_REGION ??= 'us-east-1';
const { DynamoEventLedger } = await import('../../../shared/adapters/event-ledger.js');

const dynamoDb = mockedDocumentClient();
const NOW_SECONDS = 1_800_000_000;
const ledger = new DynamoEventLedger('consent-table', 'audit-table', () => NOW_SECONDS);
const APPLIED_AT = '2025-01-02T03:04:06.000Z';

/** What the processor hands the ledger for a first block of a number never seen. */
function firstBlock(): Parameters<EventLedger['record']>[0] {
  const event = sampleEvent({ action: 'block', sequence: 1 });
  const decided = transition(undefined, event, APPLIED_AT);
  const audit: AuditEntry = {
    eventId: event.eventId, requestId: event.requestId, action: event.action, phone: event.phone, profileId: event.profileId,
    source: event.source, reason: event.reason, reasonCode: undefined, actor: event.actor, requestedAt: event.requestedAt,
    providerMessageId: undefined, recipientId: undefined, appliedAt: APPLIED_AT, outcome: decided.outcome,
  };
  return { event, queuedPhone: event.phone, expectedVersion: undefined, transition: decided, audit, requestStatus: decided.outcome };
}



describe('DynamoEventLedger.record', () => {
  it('writes the event marker, audit entry, state and request status in one transaction, each guarded', async () => {
    // prepare
    dynamoDb.on(TransactWriteCommand).resolves({});
    const input = firstBlock();

    // act
    const result = await ledger.record(input);

    // assess
    expect(result).toBe('committed');
    const calls = dynamoDb.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(1);
    const items = calls[0]?.args[0].input.TransactItems ?? [];
    expect(items.map((item) => [item.Put?.TableName ?? item.Update?.TableName, item.Put?.ConditionExpression ?? item.Update?.UpdateExpression])).toEqual([
      ['consent-table', 'attribute_not_exists(pk)'],
      ['audit-table', 'attribute_not_exists(pk)'],
      ['consent-table', 'attribute_not_exists(pk)'],
      ['consent-table', 'SET #status = :status, appliedAt = :appliedAt REMOVE pendingShard'],
    ]);
    expect(items[0]?.Put?.Item).toEqual({ pk: `PHONE#${PHONE}`, sk: `EVENT#${input.event.eventId}`, eventId: input.event.eventId, expiresAt: NOW_SECONDS + 90 * 24 * 60 * 60 });
    expect(items[1]?.Put?.Item).toMatchObject({ pk: `PHONE#${PHONE}`, eventId: input.event.eventId, outcome: 'applied' });
    expect(items[2]?.Put?.Item).toMatchObject({ pk: `PHONE#${PHONE}`, sk: 'STATE', blocked: true, registers: { editors: expect.objectContaining({ sequence: 1 }) } });
    expect(items[3]?.Update?.ExpressionAttributeValues).toEqual({ ':status': 'applied', ':appliedAt': APPLIED_AT });
  });

  it('keys the marker by the number the event was queued under, not the one it resolved to', async () => {
    dynamoDb.on(TransactWriteCommand).resolves({});
    const queuedPhone = '+5511972146473' as typeof PHONE;

    const input = { ...firstBlock(), queuedPhone };
    await ledger.record(input);

    const marker = dynamoDb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[0]?.Put?.Item;
    expect(marker).toMatchObject({ pk: `PHONE#${queuedPhone}`, sk: `EVENT#${input.event.eventId}` });
  });

  it('guards the state with the version that was read', async () => {
    dynamoDb.on(TransactWriteCommand).resolves({});

    await ledger.record({ ...firstBlock(), expectedVersion: 4 });

    const stateItem = dynamoDb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[2]?.Put;
    expect(stateItem).toMatchObject({ ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': 4 } });
  });

  it('writes no state for a superseded event: audit entry and request status only', async () => {
    dynamoDb.on(TransactWriteCommand).resolves({});

    await ledger.record({ ...firstBlock(), transition: { outcome: 'superseded', next: undefined, newlyBlocked: false }, requestStatus: 'superseded' });

    const items = dynamoDb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items.map((item) => item.Put?.TableName ?? item.Update?.TableName)).toEqual(['consent-table', 'audit-table', 'consent-table']);
    expect(items[2]?.Update?.ExpressionAttributeValues).toMatchObject({ ':status': 'superseded' });
  });

  it("updates a request only while it exists: the erasure of the number's personal data deleted it, and its event must not bring it back", async () => {
    dynamoDb.on(TransactWriteCommand).resolves({});

    await ledger.record(firstBlock());

    const requestItem = dynamoDb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[3]?.Update;
    expect(requestItem).toMatchObject({ ConditionExpression: 'attribute_exists(pk)' });
  });

  it('answers erased when only the request is gone, whatever item it comes after', async () => {
    dynamoDb.on(TransactWriteCommand).rejects(cancelledWith('None', 'None', 'None', 'ConditionalCheckFailed'));
    expect(await ledger.record(firstBlock())).toBe('erased');

    dynamoDb.on(TransactWriteCommand).rejects(cancelledWith('None', 'None', 'ConditionalCheckFailed'));
    expect(await ledger.record({ ...firstBlock(), transition: { outcome: 'superseded', next: undefined, newlyBlocked: false }, requestStatus: 'superseded' })).toBe('erased');
  });

  it.each<[string[], 'duplicate' | 'conflict' | 'erased']>([
    [['ConditionalCheckFailed', 'None', 'None', 'None'], 'duplicate'],
    // Applied before, and its request erased since: a repeat all the same.
    [['ConditionalCheckFailed', 'None', 'None', 'ConditionalCheckFailed'], 'duplicate'],
    // The state moved and the request is gone: erased, since reading again would change nothing.
    [['None', 'None', 'ConditionalCheckFailed', 'ConditionalCheckFailed'], 'erased'],
    [['ConditionalCheckFailed', 'ConditionalCheckFailed', 'None', 'None'], 'duplicate'],
    [['None', 'ConditionalCheckFailed', 'None', 'None'], 'duplicate'],
    [['None', 'None', 'ConditionalCheckFailed', 'None'], 'conflict'],
    [['None', 'None', 'TransactionConflict', 'None'], 'conflict'],
    [['TransactionConflict', 'None', 'None', 'None'], 'conflict'],
  ])('answers a transaction cancelled with %j as %s', async (codes, expected) => {
    dynamoDb.on(TransactWriteCommand).rejects(cancelledWith(...codes));

    expect(await ledger.record(firstBlock())).toBe(expected);
  });

  it('rethrows a cancellation for another reason', async () => {
    const cancelled = cancelledWith('None', 'None', 'ValidationError', 'None');
    dynamoDb.on(TransactWriteCommand).rejects(cancelled);

    await expect(ledger.record(firstBlock())).rejects.toBe(cancelled);
  });

  it('rethrows an error that is not a cancellation', async () => {
    const throttled = Object.assign(new Error('Rate of requests exceeds the allowed throughput'), { name: 'ProvisionedThroughputExceededException' });
    dynamoDb.on(TransactWriteCommand).rejects(throttled);

    await expect(ledger.record(firstBlock())).rejects.toBe(throttled);
  });
});
