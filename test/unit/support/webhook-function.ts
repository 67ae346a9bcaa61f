import { readdirSync, readFileSync } from 'node:fs';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BatchGetCommand, DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { INTEGRATION_APP_SECRET, postCallback } from '../../support/webhook-calls.js';

/** The folder of Meta's payload shapes, one callback body per file (its README names their sources). */
const SHAPES = new URL('../../fixtures/meta-webhook-shapes/', import.meta.url);

/** Every payload shape's file name, and its bytes as Meta would send them. */
export function metaWebhookShapes(): [name: string, body: string][] {
  return readdirSync(SHAPES)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => [name, readFileSync(new URL(name, SHAPES), 'utf8')]);
}

/**
 * The webhook function as Lambda runs it, with its AWS clients mocked: the queue accepts every batch, no
 * user id is paired yet, and a signal kept as unresolved is stored. Call it at the top level of a test
 * file (it registers the mocks' reset and restore), before anything imports the handler.
 */
export async function webhookFunction() {
  process.env['AWS_REGION'] ??= 'us-east-1';
  process.env['CONSENT_TABLE_NAME'] = 'consent';
  process.env['CONSENT_QUEUE_URL'] = 'https://sqs.us-east-1.amazonaws.com/000000000000/consent.fifo';
  process.env['WHATSAPP_APP_SECRET'] = INTEGRATION_APP_SECRET;
  process.env['WHATSAPP_VERIFY_TOKEN'] = 'unit-verify-token';
  process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';
  process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
  const sqs = mockClient(SQSClient);
  const dynamoDb = mockClient(DynamoDBDocumentClient);
  const answer = () => {
    sqs.on(SendMessageBatchCommand).callsFake(({ Entries = [] }) => ({ Successful: Entries.map(({ Id }: { Id: string }) => ({ Id, MessageId: `m-${Id}`, MD5OfMessageBody: '' })), Failed: [] }));
    dynamoDb.on(BatchGetCommand).resolves({ Responses: {} });
    dynamoDb.on(TransactWriteCommand).resolves({});
  };
  answer();
  beforeEach(() => {
    sqs.reset();
    dynamoDb.reset();
    answer();
  });
  afterAll(() => {
    sqs.restore();
    dynamoDb.restore();
  });
  const { handler } = await import('../../../functions/whatsapp-webhook/handler.js');
  return {
    handler,
    sqs,
    /** Posts a body as API Gateway would, signed with the app secret unless told otherwise. */
    post: (body: string, signature?: string | null) => postCallback(handler, body, signature),
  };
}
