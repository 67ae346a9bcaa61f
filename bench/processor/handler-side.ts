import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { countCalls } from '../support/dynamodb-calls.js';
import { serveRequests, startWorker } from '../support/processes.js';
import type { PassRequest, PassResult, Tables } from './pass.js';
import { timedPass } from './queue.js';
import { plan } from './seed.js';

/** The processor handler's side of the benchmark: a pass a request. */
export interface HandlerSide {
  run(request: PassRequest): Promise<PassResult>;
  stop(): Promise<void>;
}

/**
 * The handler's passes run in a process of their own, with the environment the processor reads when it
 * starts, as in Lambda: what its modules do to a process stays there, and the floor's process stays as
 * plain as a client of DynamoDB can be.
 */
export async function startHandlerSide(settings: Record<string, string>): Promise<HandlerSide> {
  const worker = await startWorker(
    "the handler's process",
    "import { serveHandlerPasses } from './bench/processor/handler-side.ts'; await serveHandlerPasses();",
    settings,
  );
  return { run: (request) => worker.ask<PassResult>(request), stop: worker.stop };
}

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** The handler's process: each request is a pass through the real handler, timed here. */
export async function serveHandlerPasses(): Promise<void> {
  const tables: Tables = { consent: process.env['CONSENT_TABLE_NAME']!, audit: process.env['AUDIT_TABLE_NAME']! };
  const { handler } = await import('../../functions/processor/handler.js');
  const { dynamoDbClient } = await import('../../shared/adapters/dynamodb-client.js');
  const calls = countCalls(dynamoDbClient);
  serveRequests(async (request: PassRequest) => {
    const pass = plan('handler', request, tables);
    return timedPass(pass.queue, calls, (records) => handlerBatch(handler, records));
  });
}

async function handlerBatch(handler: Handler, records: SQSRecord[]): Promise<number> {
  const response = await handler({ Records: records }, lambdaContext('processor'));
  return response.batchItemFailures.length;
}
