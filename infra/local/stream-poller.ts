import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { lambdaContext } from './lambda-context.js';

export type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

export interface StreamPollerOptions {
  dynamoDb: DynamoDBClient;
  endpoint: string;
  tableName: string;
  handler: StreamHandler;
  functionName: string;
  /** How often the shards are read again. @default 250 ms (Lambda reads a shard about four times a second) */
  intervalMs?: number;
  log: (line: string) => void;
}

export interface StreamPoller {
  stop(): Promise<void>;
}

/**
 * Plays Lambda's DynamoDB stream event source mapping: reads every shard of the table's stream from its
 * first record, in order, and invokes the function with the records. A record the function reports as failed
 * is delivered again, with the records after it, until it succeeds (Lambda's checkpointing).
 */
export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const { Table } = await options.dynamoDb.send(new DescribeTableCommand({ TableName: options.tableName }));
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`${options.tableName} has no stream`);
  const streams = new DynamoDBStreamsClient({ endpoint: options.endpoint });
  let running = true;

  /** Per shard: the last sequence number handed over to the function. */
  const shards = new Map<string, { last: string | undefined }>();

  async function discoverShards(): Promise<void> {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      if (shard.ShardId && !shards.has(shard.ShardId)) shards.set(shard.ShardId, { last: undefined });
    }
  }

  /**
   * Reads a shard on from the last record handed over (from its start at first), with a new iterator
   * each time: DynamoDB Local's iterators of a shard without records yet never see the records written
   * later, and it refuses to read such a shard at all, as reading past its oldest record.
   */
  async function readShard(shardId: string, position: { last: string | undefined }): Promise<void> {
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(position.last ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: position.last } : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    const { Records = [] } = await streams.send(new GetRecordsCommand({ ShardIterator, Limit: 100 }));
    let pending = Records;
    while (running && pending.length > 0) {
      const response = await options.handler({ Records: pending.map((record) => toLambdaRecord(record, streamArn!)) }, lambdaContext(options.functionName));
      const failedFrom = response?.batchItemFailures?.[0]?.itemIdentifier;
      const at = failedFrom === undefined ? -1 : pending.findIndex((record) => record.dynamodb?.SequenceNumber === failedFrom);
      options.log(`${options.functionName}: ${pending.length} records${at >= 0 ? `, retrying from ${failedFrom}` : ''}`);
      if (at < 0) break;
      pending = pending.slice(at);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    position.last = Records.at(-1)?.dynamodb?.SequenceNumber ?? position.last;
  }

  let round = 0;
  const loop = (async () => {
    while (running) {
      try {
        // New shards are rare (DynamoDB rolls them over every few hours): looked for every few seconds.
        if (round++ % SHARD_DISCOVERY_ROUNDS === 0) await discoverShards();
        for (const [shardId, position] of shards) {
          await readShard(shardId, position).catch((error: unknown) => {
            // A shard without records yet: read it again next round.
            if ((error as Error).name !== 'TrimmedDataAccessException') throw error;
          });
        }
      } catch (error) {
        if (running) options.log(`stream poller error: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
    }
  })();

  return {
    async stop() {
      running = false;
      await loop;
      streams.destroy();
    },
  };
}

const SHARD_DISCOVERY_ROUNDS = 20;

/** A record as Lambda hands it over: the stream's own record, with the event source named. */
function toLambdaRecord(record: _Record, streamArn: string): DynamoDBRecord {
  return { ...(record as DynamoDBRecord), eventSource: 'aws:dynamodb', eventSourceARN: streamArn };
}
