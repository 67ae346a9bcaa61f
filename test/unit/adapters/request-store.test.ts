import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ConsentRequest } from '../../../shared/domain/records.js';
import { ServiceUnavailableError } from '../../../shared/domain/errors.js';
import { cancelledWith, mockedDocumentClient } from '../support/dynamodb-mock.js';
import { PHONE } from '../support/samples.js';

// The adapters build their clients when imported, and the SDK needs a region for that.
process.env.AWS_REGION ??= 'us-east-1';
const { DynamoRequestStore } = await import('../../../shared/adapters/request-store.js');

/**
 * Two submissions with one Idempotency-Key at the same moment: DynamoDB cancels one transaction with a
 * conflict on the key (DynamoDB Local never does, so the client is mocked). The loser answers with the
 * winner's request, never a 500.
 */

const dynamoDb = mockedDocumentClient();
const NOW_SECONDS = 1_800_000_000;
const store = new DynamoRequestStore('consent-table', () => NOW_SECONDS);
const idempotency = { callerSub: 'sub-erin', key: 'key-1', bodyHash: 'hash-1' };

const request: ConsentRequest = {
  requestId: '01JBBBBBBBBBBBBBBBBBBBBBBB',
  status: 'pending',
  action: 'block',
  phone: PHONE,
  profileId: 'profile-1',
  reason: 'asked',
  requestedBy: { type: 'user', sub: 'sub-erin', username: 'erin' },
  requestedAt: '2025-01-02T03:04:05.000Z',
  appliedAt: undefined,
  sequence: 1,
};



describe('DynamoRequestStore.create', () => {
  it("names the request's idempotency key on the request, so that an erasure of its number deletes the key with it", async () => {
    dynamoDb.on(TransactWriteCommand).resolves({});

    await store.create(request, idempotency);
    await store.create({ ...request, requestId: '01JCCCCCCCCCCCCCCCCCCCCCCC' });

    const [keyed, unkeyed] = dynamoDb.commandCalls(TransactWriteCommand).map((call) => call.args[0].input.TransactItems?.[0]?.Put?.Item);
    expect(keyed).toMatchObject({ sk: `REQ#${request.requestId}`, idempotencyKey: { callerSub: 'sub-erin', key: 'key-1' } });
    expect(unkeyed).not.toHaveProperty('idempotencyKey');
  });
});

describe('DynamoRequestStore.create with an idempotency key', () => {
  it.each(['TransactionConflict', 'ConditionalCheckFailed'])(
    'answers the request that holds the key when the key item is cancelled with %s, once it is visible',
    async (code) => {
      // prepare: the winner's key becomes readable on the third read
      dynamoDb.on(TransactWriteCommand).rejects(cancelledWith('None', 'None', code));
      dynamoDb
        .on(GetCommand)
        .resolvesOnce({})
        .resolvesOnce({})
        .resolves({ Item: { requestId: '01JWINNERWINNERWINNERWINNE', bodyHash: 'hash-1', expiresAt: NOW_SECONDS + 60 } });

      // act
      const result = await store.create(request, idempotency);

      // assess
      expect(result).toEqual({ created: false, existing: { requestId: '01JWINNERWINNERWINNERWINNE', bodyHash: 'hash-1' } });
      expect(dynamoDb.commandCalls(GetCommand)).toHaveLength(3);
    },
  );

  it('answers 503 (nothing recorded) when the key stays unreadable', async () => {
    dynamoDb.on(TransactWriteCommand).rejects(cancelledWith('None', 'None', 'TransactionConflict'));
    dynamoDb.on(GetCommand).resolves({});

    await expect(store.create(request, idempotency)).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(dynamoDb.commandCalls(GetCommand)).toHaveLength(5);
  });

  it('rethrows a conflict on the request item itself, which no key explains', async () => {
    const cancelled = cancelledWith('TransactionConflict', 'None', 'None');
    dynamoDb.on(TransactWriteCommand).rejects(cancelled);

    await expect(store.create(request, idempotency)).rejects.toBe(cancelled);
    expect(dynamoDb.commandCalls(GetCommand)).toHaveLength(0);
  });
});
