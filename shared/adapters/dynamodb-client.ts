import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BOUNDED_CALLS } from './bounded-calls.js';

/*
 * The DynamoDB clients, created once per Lambda container and reused across invocations. The endpoint
 * comes from the SDK's own settings: `AWS_ENDPOINT_URL` (LocalStack) or `AWS_ENDPOINT_URL_DYNAMODB`
 * (the embedded emulator); in AWS, neither is set. A module of its own, so that a function that never
 * calls DynamoDB does not bundle its client.
 */
export const dynamoDbClient = new DynamoDBClient(BOUNDED_CALLS);

/** The document client over the same connection, for code that reads and writes whole items. */
export const dynamoDb = DynamoDBDocumentClient.from(dynamoDbClient, {
  marshallOptions: { removeUndefinedValues: true },
});
