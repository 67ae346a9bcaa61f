import { performance } from 'node:perf_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** How many calls of an operation a client sent, and their time together in milliseconds. */
export interface CallCount {
  calls: number;
  ms: number;
}

/** Counts by operation name (`GetItem`, `TransactWriteItems`, …); clear it to start counting afresh. */
export type CallCounts = Map<string, CallCount>;

/** Counts the DynamoDB operations a client sends (one per call, before the SDK's own retries), and their time. */
export function countCalls(client: DynamoDBClient): CallCounts {
  const counts: CallCounts = new Map();
  client.middlewareStack.add(
    (next) => async (args) => {
      const target = (args.request as { headers?: Record<string, string> } | undefined)?.headers?.['x-amz-target'];
      const operation = target?.split('.')[1] ?? 'unknown';
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        const count = counts.get(operation) ?? { calls: 0, ms: 0 };
        counts.set(operation, { calls: count.calls + 1, ms: count.ms + performance.now() - started });
      }
    },
    { step: 'build', name: 'benchCallCounter' },
  );
  return counts;
}
