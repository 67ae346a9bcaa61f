import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { freePort } from '../../infra/local/free-port.js';
import { startSqsEmulator } from '../../infra/local/sqs-emulator.js';

/**
 * Starts DynamoDB Local and fauxqs once for the integration suite, and tells the test files where they
 * are through the SDK's standard endpoint variables. With `AWS_ENDPOINT_URL` set (LocalStack), nothing is
 * started: the suite runs against it.
 */
export default async function setup(): Promise<void> {
  process.env['AWS_REGION'] ??= 'us-east-1';
  process.env['AWS_ACCESS_KEY_ID'] ??= 'test';
  process.env['AWS_SECRET_ACCESS_KEY'] ??= 'test';
  process.env['POWERTOOLS_LOG_LEVEL'] ??= 'SILENT';
  // The functions' metrics are log lines too; the metrics test turns them on for itself.
  process.env['POWERTOOLS_METRICS_DISABLED'] ??= 'true';
  if (process.env['AWS_ENDPOINT_URL']) return;

  const [dynamoDb, sqs] = await Promise.all([
    freePort().then((port) => startDynamoDbLocal({ port })),
    freePort().then((port) => startSqsEmulator({ port })),
  ]);
  process.env['AWS_ENDPOINT_URL_DYNAMODB'] = dynamoDb.endpoint;
  process.env['AWS_ENDPOINT_URL_SQS'] = sqs.endpoint;
  (globalThis as { __emulators__?: unknown }).__emulators__ = [dynamoDb, sqs];
}
