import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { E164 } from '../domain/phone.js';
import type { CreateRequestResult, RequestStore } from '../domain/ports.js';
import type { ConsentRequest, IdempotencyRecord } from '../domain/records.js';
import { dynamoDb } from './dynamodb-client.js';
import { ServiceUnavailableError } from '../domain/errors.js';
import { cancellationCodes, isConditionalCheckFailed } from './errors.js';
import { keys, type TransactItem } from './keys.js';

/** How long an `Idempotency-Key` is remembered. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/** The consent table's sparse index of pending requests (`infra/resources.ts` defines it for both stacks). */
export const PENDING_REQUESTS_INDEX = 'byPending';

/** Reads of an idempotency key that a concurrent submission is writing (about 0.6 s in all). */
const KEY_READ_ATTEMPTS = 5;

/** How many of a number's newest requests the profile page looks through for pending ones. */
const PENDING_SCAN_LIMIT = 200;


export class DynamoRequestStore implements RequestStore {
  constructor(
    private readonly tableName: string,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  async nextSequence(phone: E164): Promise<number> {
    const { Attributes } = await dynamoDb.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.sequence(phone),
        UpdateExpression: 'ADD #value :one',
        ExpressionAttributeNames: { '#value': 'value' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.['value']);
  }

  async create(
    request: ConsentRequest,
    idempotency?: { callerSub: string; key: string; bodyHash: string },
  ): Promise<CreateRequestResult> {
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.request(request.phone, request.requestId), ...request, pendingShard: keys.pendingShard(request.requestId) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.requestPointer(request.requestId), phone: request.phone },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ];
    if (idempotency) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.idempotency(idempotency.callerSub, idempotency.key),
            requestId: request.requestId,
            bodyHash: idempotency.bodyHash,
            expiresAt: this.nowSeconds() + IDEMPOTENCY_TTL_SECONDS,
          },
          // TTL deletion is lazy (and DynamoDB Local never does it), so an expired key counts as free.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': this.nowSeconds() },
        },
      });
    }
    try {
      // The token makes the SDK's own retry of a write whose answer was lost a no-op that succeeds.
      await dynamoDb.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: request.requestId }));
      return { created: true };
    } catch (error) {
      const codes = cancellationCodes(error);
      const keyTaken = codes?.[2] === 'ConditionalCheckFailed' || codes?.[2] === 'TransactionConflict';
      if (idempotency && keyTaken) {
        // Another request holds the key, or is writing it right now (a concurrent submission with the
        // same key): answer with that request once it is visible.
        const existing = await this.awaitIdempotencyRecord(idempotency.callerSub, idempotency.key);
        if (existing) return { created: false, existing };
        throw new ServiceUnavailableError('Another request with this Idempotency-Key is being recorded; nothing was recorded for this one. Retry with the same key.', {
          cause: error,
        });
      }
      throw error;
    }
  }

  async get(requestId: string): Promise<ConsentRequest | undefined> {
    const pointer = await dynamoDb.send(
      new GetCommand({ TableName: this.tableName, Key: keys.requestPointer(requestId), ConsistentRead: true }),
    );
    const phone = pointer.Item?.['phone'] as E164 | undefined;
    if (!phone) return undefined;
    const { Item } = await dynamoDb.send(
      new GetCommand({ TableName: this.tableName, Key: keys.request(phone, requestId), ConsistentRead: true }),
    );
    return Item ? requestFromItem(Item) : undefined;
  }

  async listPending(phone: E164): Promise<ConsentRequest[]> {
    const pending: ConsentRequest[] = [];
    let examined = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamoDb.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          FilterExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pk': keys.phonePartition(phone), ':prefix': keys.requestPrefix, ':pending': 'pending' },
          ScanIndexForward: false,
          ConsistentRead: true,
          Limit: 50,
          ExclusiveStartKey: startKey,
        }),
      );
      pending.push(...(page.Items ?? []).map(requestFromItem));
      examined += page.ScannedCount ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey && examined < PENDING_SCAN_LIMIT);
    return pending.reverse();
  }

  /** The record of a key that a concurrent transaction may still be writing: a few reads, a little apart. */
  private async awaitIdempotencyRecord(callerSub: string, key: string): Promise<IdempotencyRecord | undefined> {
    for (let attempt = 0; attempt < KEY_READ_ATTEMPTS; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
      const existing = await this.findIdempotencyRecord(callerSub, key);
      if (existing) return existing;
    }
    return undefined;
  }

  /**
   * Requests pending since before `requestedBefore`, oldest first, up to `limit`, from the sparse index
   * of pending requests (each shard read in turn; the index is eventually consistent, so a request that
   * settled a moment ago may still be listed).
   */
  async listStalePending(requestedBefore: string, limit: number): Promise<ConsentRequest[]> {
    const stale: ConsentRequest[] = [];
    for (const shard of keys.pendingShards) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await dynamoDb.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: PENDING_REQUESTS_INDEX,
            KeyConditionExpression: 'pendingShard = :shard AND requestedAt < :before',
            ExpressionAttributeValues: { ':shard': shard, ':before': requestedBefore },
            Limit: limit - stale.length,
            ExclusiveStartKey: startKey,
          }),
        );
        stale.push(...(page.Items ?? []).map(requestFromItem));
        startKey = page.LastEvaluatedKey;
      } while (startKey && stale.length < limit);
      if (stale.length >= limit) break;
    }
    return stale.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
  }

  async findIdempotencyRecord(callerSub: string, key: string): Promise<IdempotencyRecord | undefined> {
    const { Item } = await dynamoDb.send(
      new GetCommand({ TableName: this.tableName, Key: keys.idempotency(callerSub, key), ConsistentRead: true }),
    );
    if (!Item || Number(Item['expiresAt']) < this.nowSeconds()) return undefined;
    return { requestId: Item['requestId'], bodyHash: Item['bodyHash'] };
  }

  async markFailed(phone: E164, requestId: string): Promise<void> {
    try {
      await dynamoDb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.request(phone, requestId),
          UpdateExpression: 'SET #status = :failed REMOVE pendingShard',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':failed': 'failed', ':pending': 'pending' },
        }),
      );
    } catch (error) {
      // Already settled (or unknown): a dead-lettered copy must not overwrite a real outcome.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}

function requestFromItem(item: Record<string, any>): ConsentRequest {
  return {
    requestId: item['requestId'],
    status: item['status'],
    action: item['action'],
    phone: item['phone'],
    profileId: item['profileId'],
    reason: item['reason'],
    requestedBy: item['requestedBy'],
    requestedAt: item['requestedAt'],
    appliedAt: item['appliedAt'],
    sequence: item['sequence'],
  };
}
