import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ENV } from '../../shared/config.js';
import { provisionResources, type ProvisionedResources } from '../../infra/local/provision.js';

export interface TestResources extends ProvisionedResources {
  dynamoDb: DynamoDBDocumentClient;
  sqs: SQSClient;
}

/**
 * Creates tables and queues of its own for one test file (names with a random prefix) and points the
 * functions' configuration at them. Call it before importing a handler, which reads its configuration
 * when its module loads.
 */
export async function provisionIsolatedResources({ visibilityTimeoutSeconds = 1 } = {}): Promise<TestResources> {
  const dynamoDb = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const resources = await provisionResources({
    dynamoDb: dynamoDb as unknown as DynamoDBClient,
    sqs,
    namePrefix: `t${randomBytes(4).toString('hex')}-`,
    visibilityTimeoutSeconds,
  });
  process.env[ENV.consentTableName] = resources.consentTableName;
  process.env[ENV.auditTableName] = resources.auditTableName;
  process.env[ENV.consentQueueUrl] = resources.consentQueueUrl;
  process.env[ENV.deadLetterQueueUrl] = resources.deadLetterQueueUrl;
  process.env[ENV.maxReceiveCount] = String(resources.maxReceiveCount);
  process.env[ENV.changeEventsQueueUrl] = resources.changeEventsQueueUrl;
  return { ...resources, dynamoDb, sqs };
}
