import { QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Every item of a table (test tables are small). */
export async function allItems(client: DynamoDBDocumentClient, tableName: string): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** A number's history entries as the audit table holds them, oldest first, read consistently. */
export async function auditEntriesOf({ dynamoDb, auditTableName }: { dynamoDb: DynamoDBDocumentClient; auditTableName: string }, phone: string): Promise<Record<string, any>[]> {
  const entries: Record<string, any>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamoDb.send(
      new QueryCommand({ TableName: auditTableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `PHONE#${phone}` }, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    entries.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return entries;
}

/** Every item of the given tables that names the number anywhere, in its key or its attributes (with or without `+`). */
export async function itemsNaming(client: DynamoDBDocumentClient, tableNames: readonly string[], phone: string): Promise<Record<string, any>[]> {
  const items = (await Promise.all(tableNames.map((tableName) => allItems(client, tableName)))).flat();
  return items.filter((item) => JSON.stringify(item).includes(phone.slice(1)));
}

/** Messages in a queue, visible and in flight. */
export async function queueDepth(client: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes?.['ApproximateNumberOfMessages'] ?? 0) + Number(Attributes?.['ApproximateNumberOfMessagesNotVisible'] ?? 0);
}
