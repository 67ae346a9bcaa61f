import { DeleteCommand, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Page, PageRequest } from '../domain/records.js';
import type { UnresolvedSignal, UserDirectory, UserPairing } from '../domain/whatsapp/user-pairing.js';
import { batchGetAll } from './batch-get.js';
import { dynamoDb } from './dynamodb-client.js';
import { cancellationCodes } from './errors.js';
import { keys, LIST_INDEX } from './keys.js';
import { listPage } from './list-index.js';
import { itemsUnder } from './paged-query.js';

/**
 * Pairings (`BSUID#<id>` / `NUMBER`) and the signals that wait for them (`BSUID#<id>` /
 * `UNRESOLVED#<event id>`, listed in the review index). The webhook keeps signals; the processor
 * remembers pairings and settles what waited.
 */
export class DynamoUserDirectory implements UserDirectory {
  constructor(private readonly tableName: string) {}

  async pairingsOf(userIds: readonly string[]): Promise<Map<string, UserPairing>> {
    const unique = [...new Set(userIds)];
    const items = await batchGetAll(this.tableName, unique.map(keys.userPairing), { consistent: false });
    return new Map(items.map((item) => [item['userId'] as string, pairingFromItem(item)]));
  }

  /**
   * The signal is put on the condition that no pairing exists, in one transaction. The processor puts
   * the pairing first and then reads the signals: whichever of the two writes comes first, the other
   * side sees it.
   */
  async keepUnresolved(signal: UnresolvedSignal): Promise<UserPairing | undefined> {
    try {
      await dynamoDb.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.tableName,
                Key: keys.userPairing(signal.userId),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...keys.unresolved(signal.userId, signal.event.eventId),
                  ...signal,
                  listName: keys.unresolvedList,
                  listedAt: signal.receivedAt,
                },
              },
            },
          ],
        }),
      );
      return undefined;
    } catch (error) {
      if (cancellationCodes(error)?.[0] !== 'ConditionalCheckFailed') throw error;
      const { Item } = await dynamoDb.send(new GetCommand({ TableName: this.tableName, Key: keys.userPairing(signal.userId), ConsistentRead: true }));
      if (!Item) throw new Error(`The pairing of ${signal.userId} exists and yet could not be read`, { cause: error });
      return pairingFromItem(Item);
    }
  }

  /**
   * The pairing, and its reverse on the number's partition (which the export and erasure of the
   * number's personal data find it by), in one transaction.
   */
  async remember(pairing: UserPairing): Promise<boolean> {
    try {
      await dynamoDb.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: keys.userPairing(pairing.userId),
                UpdateExpression: 'SET userId = :userId, phone = :phone, recipientId = :recipientId, seenAt = :seenAt',
                ConditionExpression: 'attribute_not_exists(seenAt) OR seenAt <= :seenAt',
                ExpressionAttributeValues: { ':userId': pairing.userId, ':phone': pairing.phone, ':recipientId': pairing.recipientId, ':seenAt': pairing.seenAt },
              },
            },
            { Put: { TableName: this.tableName, Item: { ...keys.numberPairing(pairing.phone, pairing.userId), ...pairing } } },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (cancellationCodes(error)?.[0] === 'ConditionalCheckFailed') return false;
      throw error;
    }
  }

  async unresolvedOf(userId: string): Promise<UnresolvedSignal[]> {
    return (await itemsUnder(this.tableName, keys.userPartition(userId), keys.unresolvedPrefix)).map(signalFromItem);
  }

  async settle(userId: string, eventId: string): Promise<void> {
    await dynamoDb.send(new DeleteCommand({ TableName: this.tableName, Key: keys.unresolved(userId, eventId) }));
  }

  async listUnresolved(page: PageRequest): Promise<Page<UnresolvedSignal>> {
    const found = await listPage(this.tableName, keys.unresolvedList, page);
    return { items: found.items.map(signalFromItem), nextCursor: found.nextCursor };
  }

  /** Counted from the index, a page of keys at a time; the list is short unless something is wrong. */
  async countUnresolved(): Promise<number> {
    let count = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await dynamoDb.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: LIST_INDEX,
          KeyConditionExpression: 'listName = :list',
          ExpressionAttributeValues: { ':list': keys.unresolvedList },
          Select: 'COUNT',
          ExclusiveStartKey: startKey,
        }),
      );
      count += result.Count ?? 0;
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return count;
  }
}

/** A pairing's item as the domain reads it. */
export function pairingFromItem(item: Record<string, any>): UserPairing {
  return { userId: item['userId'], phone: item['phone'], recipientId: item['recipientId'], seenAt: item['seenAt'] };
}

/** An unresolved signal's item as the domain reads it. */
export function signalFromItem(item: Record<string, any>): UnresolvedSignal {
  return { userId: item['userId'], receivedAt: item['receivedAt'], event: item['event'] };
}
