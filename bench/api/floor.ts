import { randomUUID } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, TransactWriteItemsCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BOUNDED_CALLS } from '../../shared/adapters/bounded-calls.js';
import { serveRequests, startWorker } from '../support/processes.js';
import { closedLoopRound, type Requests, type Round, type Side } from './round.js';
import { EDITOR, REASON, targetOf } from './seed.js';

/*
 * The API benchmark's raw floor: the calls the design needs for one new request, with plain clients, in
 * a Node.js process of its own that never loads the function's modules (see `index.ts`).
 */

/** Where the floor's process finds the emulators and the resources. */
export interface FloorSetup {
  dynamoDbEndpoint: string;
  sqsEndpoint: string;
  tableName: string;
  queueUrl: string;
}

type FloorMessage = { kind: 'round'; concurrency: number; count: number } | { kind: 'calls' };

/** The floor's side, in its own process: its rounds, and how many requests it has sent. */
export async function startFloorProcess(setup: FloorSetup): Promise<Side & { calls(): Promise<number>; stop(): Promise<void> }> {
  const worker = await startWorker("the floor's process", "import { floorProcess } from './bench/api/floor.ts'; await floorProcess();", {
    BENCH_API_FLOOR: JSON.stringify(setup),
  });
  return {
    round: (concurrency, count) => worker.ask<Round>({ kind: 'round', concurrency, count } satisfies FloorMessage),
    calls: () => worker.ask<number>({ kind: 'calls' } satisfies FloorMessage),
    stop: worker.stop,
  };
}

/** The floor's process: it answers each message of its parent with a round's latencies, or its count of calls. */
export async function floorProcess(): Promise<void> {
  const setup = JSON.parse(process.env['BENCH_API_FLOOR'] ?? '{}') as FloorSetup;
  const dynamoDb = new DynamoDBClient({ ...BOUNDED_CALLS, endpoint: setup.dynamoDbEndpoint });
  const sqs = new SQSClient({ ...BOUNDED_CALLS, endpoint: setup.sqsEndpoint, useQueueUrlAsEndpoint: false });
  const floor = floorCaller(dynamoDb, sqs, setup.tableName, setup.queueUrl);
  serveRequests(
    async (message: FloorMessage) => (message.kind === 'round' ? closedLoopRound(floor, message.concurrency, message.count) : floor.calls),
    () => {
      dynamoDb.destroy();
      sqs.destroy();
    },
  );
}

/** The design's calls for one new request, issued directly with the SDK (see `index.ts`). */
function floorCaller(dynamoDb: DynamoDBClient, sqs: SQSClient, tableName: string, queueUrl: string): Requests {
  const bodyHash = 'f'.repeat(64);
  const side = {
    calls: 0,
    prepare(index: number) {
      side.calls += 1;
      const { phone, profileId } = targetOf(index);
      const key = randomUUID();
      const requestId = `FL00R${String(side.calls).padStart(21, '0')}`;
      return async () => {
        const [, , sequenced] = await Promise.all([
          dynamoDb.send(
            new GetItemCommand({ TableName: tableName, Key: { pk: { S: `IDEMPOTENCY#${EDITOR.sub}#${key}` }, sk: { S: 'KEY' } }, ConsistentRead: true }),
          ),
          dynamoDb.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: `PROFILE#${profileId}` }, sk: { S: 'PROFILE' } }, ConsistentRead: true })),
          dynamoDb.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: { pk: { S: `PHONE#${phone}` }, sk: { S: 'SEQ' } },
              UpdateExpression: 'ADD #value :one',
              ExpressionAttributeNames: { '#value': 'value' },
              ExpressionAttributeValues: { ':one': { N: '1' } },
              ReturnValues: 'UPDATED_NEW',
            }),
          ),
        ]);
        const sequence = sequenced.Attributes?.['value']?.N ?? '0';
        const requestedAt = new Date().toISOString();
        const nowSeconds = Math.floor(Date.now() / 1000);
        await dynamoDb.send(
          new TransactWriteItemsCommand({
            ClientRequestToken: requestId,
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    pk: { S: `PHONE#${phone}` },
                    sk: { S: `REQ#${requestId}` },
                    requestId: { S: requestId },
                    status: { S: 'pending' },
                    action: { S: 'block' },
                    phone: { S: phone },
                    profileId: { S: profileId },
                    reason: { S: REASON },
                    requestedBy: { M: { type: { S: 'user' }, sub: { S: EDITOR.sub }, username: { S: EDITOR.username } } },
                    requestedAt: { S: requestedAt },
                    sequence: { N: sequence },
                    pendingShard: { S: `PENDING#${side.calls % 4}` },
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: { pk: { S: `REQUEST#${requestId}` }, sk: { S: 'REQUEST' }, phone: { S: phone } },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    pk: { S: `IDEMPOTENCY#${EDITOR.sub}#${key}` },
                    sk: { S: 'KEY' },
                    requestId: { S: requestId },
                    bodyHash: { S: bodyHash },
                    expiresAt: { N: String(nowSeconds + 86_400) },
                  },
                  ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
                  ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
                },
              },
            ],
          }),
        );
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: JSON.stringify({
              version: 1,
              eventId: requestId,
              requestId,
              source: 'manual',
              action: 'block',
              phone,
              profileId,
              reason: REASON,
              actor: { type: 'user', sub: EDITOR.sub, username: EDITOR.username },
              requestedAt,
              sequence: Number(sequence),
            }),
            MessageGroupId: phone,
            MessageDeduplicationId: requestId,
          }),
        );
      };
    },
  };
  return side;
}
