import { TransactionCanceledException, type CancellationReason } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * The document client, mocked for the test file that calls this at its top level: reset before each
 * test, restored after the file. For failure paths that DynamoDB Local never takes.
 */
export function mockedDocumentClient() {
  const dynamoDb = mockClient(DynamoDBDocumentClient);
  beforeEach(() => {
    dynamoDb.reset();
  });
  afterAll(() => {
    dynamoDb.restore();
  });
  return dynamoDb;
}

/** A cancelled transaction, with one cancellation code per item in the order the items were given. */
export function cancelledWith(...codes: string[]): TransactionCanceledException {
  const reasons: CancellationReason[] = codes.map((Code) => ({ Code }));
  return new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: reasons });
}
