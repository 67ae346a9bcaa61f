import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { E164 } from '../../domain/phone.js';
import { batchGetAll } from '../batch-get.js';
import { dynamoDb } from '../dynamodb-client.js';
import { keys, type TransactItem } from '../keys.js';
import { backOff, chunked, CONCURRENT_TRANSACTIONS, inParallel, isContended, MANY_WRITE_ATTEMPTS, TRANSACTION_ITEMS } from './many-writes.js';

/**
 * Each number's counter of requests (`PHONE#…/SEQ`): the order in which the API accepts a number's
 * requests, which the processor keeps.
 */
export class SequenceCounters {
  constructor(private readonly tableName: string) {}

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

  /**
   * A hundred counters a transaction, a few transactions at once: each counter is read, then set to its
   * value plus its count provided it still has the value read (or still does not exist). A transaction
   * that meets a counter raised in between (a request made through the API meanwhile) writes nothing,
   * and is read and tried again. One transaction of a hundred items costs DynamoDB far less time than a
   * hundred single updates (and DynamoDB Local about a third of it).
   */
  async reserveSequences(counts: ReadonlyMap<E164, number>, options: { signal?: AbortSignal } = {}): Promise<Map<E164, number>> {
    const firsts = new Map<E164, number>();
    await inParallel(chunked([...counts.keys()], TRANSACTION_ITEMS), CONCURRENT_TRANSACTIONS, options.signal, async (phones) => {
      for (let attempt = 1; ; attempt++) {
        const values = await this.sequenceValues(phones);
        const items = phones.map((phone) => this.counterWrite(phone, values.get(phone), counts.get(phone) ?? 0));
        try {
          await dynamoDb.send(new TransactWriteCommand({ TransactItems: items }));
          for (const phone of phones) firsts.set(phone, (values.get(phone) ?? 0) + 1);
          return;
        } catch (error) {
          if (!isContended(error) || attempt === MANY_WRITE_ATTEMPTS) throw error;
          await backOff(attempt);
        }
      }
    });
    return firsts;
  }

  /** The counters' values as they are now; a number never counted has none. */
  private async sequenceValues(phones: readonly E164[]): Promise<Map<E164, number>> {
    const items = await batchGetAll(this.tableName, phones.map(keys.sequence), { consistent: true });
    return new Map(items.map((item) => [String(item['pk']).slice(keys.phonePrefix.length) as E164, Number(item['value'])]));
  }

  /** Raises a counter from the value read by `count`, provided nobody raised it since. */
  private counterWrite(phone: E164, current: number | undefined, count: number): TransactItem {
    if (current === undefined) {
      return { Put: { TableName: this.tableName, Item: { ...keys.sequence(phone), value: count }, ConditionExpression: 'attribute_not_exists(pk)' } };
    }
    return {
      Update: {
        TableName: this.tableName,
        Key: keys.sequence(phone),
        UpdateExpression: 'SET #value = :next',
        ConditionExpression: '#value = :current',
        ExpressionAttributeNames: { '#value': 'value' },
        ExpressionAttributeValues: { ':next': current + count, ':current': current },
      },
    };
  }
}
