import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { IdempotencyRecord } from '../../domain/records.js';
import { dynamoDb } from '../dynamodb-client.js';
import { keys, type TransactItem } from '../keys.js';

/** How long an `Idempotency-Key` is remembered. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/** Reads of an idempotency key that a concurrent submission is writing (about 0.6 s in all). */
const KEY_READ_ATTEMPTS = 5;

/**
 * Callers' `Idempotency-Key`s (`IDEMPOTENCY#<sub>#<key>`), each naming what it holds: a single request or
 * a blocklist import. One namespace per caller, so a key cannot hold both.
 */
export class IdempotencyKeys {
  constructor(
    private readonly tableName: string,
    private readonly nowSeconds: () => number,
  ) {}

  /** The put that takes a key for its holder, in the transaction that writes the holder, unless it is taken. */
  put(idempotency: { callerSub: string; key: string; bodyHash: string }, holder: Record<string, string>): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          ...keys.idempotency(idempotency.callerSub, idempotency.key),
          ...holder,
          bodyHash: idempotency.bodyHash,
          expiresAt: this.nowSeconds() + IDEMPOTENCY_TTL_SECONDS,
        },
        // TTL deletion is lazy (and DynamoDB Local never does it), so an expired key counts as free.
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
        ExpressionAttributeValues: { ':now': this.nowSeconds() },
      },
    };
  }

  /** The key's item, unless it is unknown or expired. */
  async find(callerSub: string, key: string): Promise<Record<string, any> | undefined> {
    const { Item } = await dynamoDb.send(
      new GetCommand({ TableName: this.tableName, Key: keys.idempotency(callerSub, key), ConsistentRead: true }),
    );
    return Item && Number(Item['expiresAt']) >= this.nowSeconds() ? Item : undefined;
  }

  /** The item of a key that a concurrent transaction may still be writing: a few reads, a little apart. */
  async awaitItem(callerSub: string, key: string): Promise<Record<string, any> | undefined> {
    for (let attempt = 0; attempt < KEY_READ_ATTEMPTS; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
      const existing = await this.find(callerSub, key);
      if (existing) return existing;
    }
    return undefined;
  }
}

/** What a key's item says of the request it holds. */
export function recordOf(item: Record<string, any>): IdempotencyRecord {
  return { requestId: item['requestId'], bodyHash: item['bodyHash'] };
}
