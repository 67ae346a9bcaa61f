import { BatchWriteItemCommand, type BatchWriteItemCommandOutput, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';

/**
 * Seeds a table: every request with BatchWriteItem, 25 a call and `writers` calls at once, sending again
 * whatever DynamoDB leaves unprocessed.
 */
export async function batchWriteAll(client: DynamoDBClient, tableName: string, requests: readonly WriteRequest[], writers: number): Promise<void> {
  let next = 0;
  const writer = async () => {
    while (next < requests.length) {
      let pending: WriteRequest[] | undefined = requests.slice(next, (next += 25));
      while (pending && pending.length > 0) {
        const result: BatchWriteItemCommandOutput = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
        pending = result.UnprocessedItems?.[tableName];
      }
    }
  };
  await Promise.all(Array.from({ length: writers }, writer));
}
