import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { auditTable, CHANGE_EVENTS_QUEUE_ID, consentQueue, consentTable, type QueueDefinition, type TableDefinition } from '../resources.js';

export interface ProvisionedResources {
  consentTableName: string;
  auditTableName: string;
  consentQueueUrl: string;
  deadLetterQueueUrl: string;
  maxReceiveCount: number;
  /** The local stand-in for the change events' bus: applied changes arrive here. */
  changeEventsQueueUrl: string;
}

export interface ProvisionOptions {
  dynamoDb: DynamoDBClient;
  sqs: SQSClient;
  /** Prefixes every name, so that several stacks or test runs can share one emulator. */
  namePrefix: string;
  /** Overrides the queue's visibility timeout, so that local retries take seconds rather than minutes. */
  visibilityTimeoutSeconds?: number;
}

/**
 * Creates the tables and queues of `infra/resources.ts` through the AWS APIs (embedded emulators or
 * LocalStack). Creating what already exists is not an error, so it can run at every start.
 */
export async function provisionResources(options: ProvisionOptions): Promise<ProvisionedResources> {
  const [consentTableName, auditTableName, queues, changeEventsQueueUrl] = await Promise.all([
    createTable(options.dynamoDb, consentTable, `${options.namePrefix}${consentTable.id}`),
    createTable(options.dynamoDb, auditTable, `${options.namePrefix}${auditTable.id}`),
    createQueues(options.sqs, consentQueue, options),
    createChangeEventsQueue(options),
  ]);
  return { consentTableName, auditTableName, ...queues, maxReceiveCount: consentQueue.maxReceiveCount, changeEventsQueueUrl };
}

/** Creates one table of `infra/resources.ts` under the given name; an existing one is left as it is. */
export async function createTable(client: DynamoDBClient, table: TableDefinition, tableName: string): Promise<string> {
  const attributes = new Map<string, AttributeDefinition>();
  for (const key of [table.partitionKey, table.sortKey, ...table.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey])]) {
    attributes.set(key.name, { AttributeName: key.name, AttributeType: key.type });
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attributes.values()],
        KeySchema: [
          { AttributeName: table.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: table.sortKey.name, KeyType: 'RANGE' },
        ],
        ...(table.globalSecondaryIndexes.length > 0
          ? {
              GlobalSecondaryIndexes: table.globalSecondaryIndexes.map((index) => ({
                IndexName: index.indexName,
                KeySchema: [
                  { AttributeName: index.partitionKey.name, KeyType: 'HASH' as const },
                  { AttributeName: index.sortKey.name, KeyType: 'RANGE' as const },
                ],
                Projection: { ProjectionType: 'ALL' as const },
              })),
            }
          : {}),
        ...(table.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream } } : {}),
      }),
    );
    if (table.timeToLiveAttribute) {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
        }),
      );
    }
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  return tableName;
}

async function createQueues(client: SQSClient, queue: QueueDefinition, options: ProvisionOptions) {
  const deadLetter = await client.send(
    new CreateQueueCommand({
      QueueName: `${options.namePrefix}${queue.id}-dlq.fifo`,
      Attributes: { FifoQueue: 'true', MessageRetentionPeriod: String(queue.deadLetterRetentionSeconds) },
    }),
  );
  const deadLetterQueueUrl = required(deadLetter.QueueUrl, 'dead-letter queue URL');
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const main = await client.send(
    new CreateQueueCommand({
      QueueName: `${options.namePrefix}${queue.id}.fifo`,
      Attributes: {
        FifoQueue: 'true',
        VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? queue.visibilityTimeoutSeconds),
        MessageRetentionPeriod: String(queue.retentionSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: required(Attributes?.['QueueArn'], 'dead-letter queue ARN'),
          maxReceiveCount: queue.maxReceiveCount,
        }),
      },
    }),
  );
  return { consentQueueUrl: required(main.QueueUrl, 'queue URL'), deadLetterQueueUrl };
}

/** A FIFO queue with content-free deduplication by id, as the change publisher sends to it. */
async function createChangeEventsQueue(options: ProvisionOptions): Promise<string> {
  const { QueueUrl } = await options.sqs.send(
    new CreateQueueCommand({ QueueName: `${options.namePrefix}${CHANGE_EVENTS_QUEUE_ID}.fifo`, Attributes: { FifoQueue: 'true' } }),
  );
  return required(QueueUrl, 'change events queue URL');
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`The emulator returned no ${what}`);
  return value;
}
