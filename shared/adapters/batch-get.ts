import { BatchGetCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { dynamoDb } from './dynamodb-client.js';

/** BatchGetItem's limit. */
const BATCH_SIZE = 100;
const MAX_ATTEMPTS = 5;

/**
 * Every item of the given keys that exists, read in batches of a hundred. Keys that DynamoDB leaves
 * unprocessed (throttling) are read again with a growing pause, a bounded number of times.
 */
export async function batchGetAll(
  tableName: string,
  keys: readonly Record<string, unknown>[],
  options: { consistent: boolean },
): Promise<Record<string, any>[]> {
  const found: Record<string, any>[] = [];
  for (let start = 0; start < keys.length; start += BATCH_SIZE) {
    let pending: Record<string, unknown>[] | undefined = keys.slice(start, start + BATCH_SIZE);
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt === MAX_ATTEMPTS) throw new Error(`${pending.length} items stayed unprocessed after ${MAX_ATTEMPTS} reads`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
      const result: BatchGetCommandOutput = await dynamoDb.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: options.consistent } } }),
      );
      found.push(...(result.Responses?.[tableName] ?? []));
      pending = result.UnprocessedKeys?.[tableName]?.Keys;
    }
  }
  return found;
}
