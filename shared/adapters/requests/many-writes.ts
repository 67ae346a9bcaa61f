import { BatchWriteCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamoDb } from '../dynamodb-client.js';
import { cancellationCodes } from '../errors.js';

/** The most items one TransactWriteItems takes. */
export const TRANSACTION_ITEMS = 100;
/** The most items one BatchWriteItem takes. */
export const BATCH_WRITE_SIZE = 25;
/** The most keys one BatchGetItem takes. */
export const BATCH_GET_SIZE = 100;
/** Writes of many items (transactions, batches) in flight at once. */
export const CONCURRENT_TRANSACTIONS = 8;
/** BatchGetItem calls in flight at once. */
export const CONCURRENT_READS = 8;
/** Tries of one write of many items that keeps meeting a concurrent writer of the same items. */
export const MANY_WRITE_ATTEMPTS = 5;

/**
 * Runs `work` on every item, at most `concurrency` at once. Once `signal` aborts, no further item is
 * started, and its reason is thrown when those in flight are done.
 */
export async function inParallel<T>(items: readonly T[], concurrency: number, signal: AbortSignal | undefined, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) {
      signal?.throwIfAborted();
      await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Puts items with `BatchWriteItem`, again with a growing pause for those DynamoDB leaves unprocessed. */
export async function batchPutAll(tableName: string, items: readonly Record<string, unknown>[]): Promise<void> {
  let pending: BatchWriteCommandInput['RequestItems'] = { [tableName]: items.map((Item) => ({ PutRequest: { Item } })) };
  for (let attempt = 1; pending && Object.keys(pending).length > 0; attempt++) {
    if (attempt > MANY_WRITE_ATTEMPTS) throw new Error(`${pending[tableName]?.length} items stayed unprocessed after ${MANY_WRITE_ATTEMPTS} writes`);
    if (attempt > 1) await backOff(attempt - 1);
    ({ UnprocessedItems: pending } = await dynamoDb.send(new BatchWriteCommand({ RequestItems: pending })));
  }
}

/** A transaction cancelled by a condition or by a concurrent transaction on one of its items. */
export function isContended(error: unknown): boolean {
  return cancellationCodes(error)?.some((code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict') ?? false;
}

/** A random pause up to a cap that doubles with each attempt (full jitter). */
export function backOff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * 2 ** attempt));
}

export function chunked<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
