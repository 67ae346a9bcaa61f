import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { E164 } from '../../domain/phone.js';
import type { RequestReference } from '../../domain/ports.js';
import type { ConsentRequest } from '../../domain/records.js';
import { dynamoDb } from '../dynamodb-client.js';
import { isConditionalCheckFailed } from '../errors.js';
import { keys } from '../keys.js';
import { CONCURRENT_TRANSACTIONS, inParallel } from './many-writes.js';
import { requestFromItem } from './request-items.js';

/** The consent table's sparse index of pending requests (`infra/resources.ts` defines it for both stacks). */
export const PENDING_REQUESTS_INDEX = 'byPending';

/** How many of a number's newest requests the profile page looks through for pending ones. */
const PENDING_SCAN_LIMIT = 200;

/**
 * Requests still pending: a number's, for the profile page, and the stale ones across numbers, which
 * the request sweeper reads and settles.
 */
export class PendingRequests {
  constructor(private readonly tableName: string) {}

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

  /** Takes the requests out of the index of pending requests: the sweeper reads no other. */
  async markEnqueued(references: readonly RequestReference[]): Promise<void> {
    await inParallel(references, CONCURRENT_TRANSACTIONS, undefined, ({ phone, requestId }) => this.updateIfPending(phone, requestId, 'REMOVE pendingShard'));
  }

  /** A dead-lettered copy of an event must not overwrite the real outcome of its request: only a pending one fails. */
  async markFailed(phone: E164, requestId: string): Promise<void> {
    await this.updateIfPending(phone, requestId, 'SET #status = :failed REMOVE pendingShard', { ':failed': 'failed' });
  }

  /** Updates a request that is still pending; one that has settled (or is unknown) is left as it is. */
  private async updateIfPending(phone: E164, requestId: string, updateExpression: string, values: Record<string, unknown> = {}): Promise<void> {
    try {
      await dynamoDb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.request(phone, requestId),
          UpdateExpression: updateExpression,
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending', ...values },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}
