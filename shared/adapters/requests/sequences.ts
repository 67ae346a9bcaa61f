import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { E164 } from '../../domain/phone.js';
import { batchGetAll } from '../batch-get.js';
import { dynamoDb } from '../dynamodb-client.js';
import { keys, type TransactItem } from '../keys.js';
import { backOff, chunked, CONCURRENT_TRANSACTIONS, inParallel, isContended, MANY_WRITE_ATTEMPTS, TRANSACTION_ITEMS } from './many-writes.js';

/**
 * Where a counter that does not exist starts: at the time, in microseconds since the epoch. An erasure
 * deletes the counter with the rest of the number's items; one made again afterwards must still hand
 * out sequences above every one the deleted counter gave (a request that took one just before the
 * erasure may reach the processor after requests made since, and a suppression record keeps the
 * sequence of the editors' last decision). Counting from the time does that without keeping anything
 * of the number: a counter would have to give a thousand sequences a millisecond of its life to reach
 * the start of the next one. Counters made before this rule start from one, below any such start.
 */
export function counterStart(nowMs: number): number {
  return nowMs * 1000;
}

/**
 * Each number's counter of requests (`PHONE#…/SEQ`): the order in which the API accepts a number's
 * requests, which the processor keeps.
 */
export class SequenceCounters {
  constructor(
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async nextSequence(phone: E164): Promise<number> {
    const { Attributes } = await dynamoDb.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.sequence(phone),
        UpdateExpression: 'SET #value = if_not_exists(#value, :start) + :one',
        ExpressionAttributeNames: { '#value': 'value' },
        ExpressionAttributeValues: { ':start': counterStart(this.now()), ':one': 1 },
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
        const start = counterStart(this.now());
        const items = phones.map((phone) => this.counterWrite(phone, values.get(phone), start, counts.get(phone) ?? 0));
        try {
          await dynamoDb.send(new TransactWriteCommand({ TransactItems: items }));
          for (const phone of phones) firsts.set(phone, (values.get(phone) ?? start) + 1);
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

  /** Raises a counter from the value read (or from `start`, when it has none) by `count`, provided nobody changed it since. */
  private counterWrite(phone: E164, current: number | undefined, start: number, count: number): TransactItem {
    if (current === undefined) {
      return { Put: { TableName: this.tableName, Item: { ...keys.sequence(phone), value: start + count }, ConditionExpression: 'attribute_not_exists(pk)' } };
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
