import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';

/*
 * One client per service, created once per Lambda container and reused across invocations.
 * Endpoints come from the SDK's own settings: `AWS_ENDPOINT_URL` (LocalStack) or
 * `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL_SQS` (the embedded emulators); in AWS, neither is set.
 */
export const dynamoDbClient = new DynamoDBClient({});

/** The document client over the same connection, for code that reads and writes whole items. */
export const dynamoDb = DynamoDBDocumentClient.from(dynamoDbClient, {
  marshallOptions: { removeUndefinedValues: true },
});

/**
 * The endpoint, not the queue URL's host, decides where requests go: emulators and LocalStack hand out
 * queue URLs whose host names need DNS entries that a developer machine does not have.
 */
export const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
