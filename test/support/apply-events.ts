import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import type { QueuedEvent } from '../../shared/domain/consent-event.js';
import { batch, sqsRecord } from './sqs-records.js';

/** The processor's handler, as a test calls it. */
export type Processor = (event: SQSEvent, context: ReturnType<typeof lambdaContext>) => Promise<SQSBatchResponse | void>;

/** Hands events to the processor one at a time, in order, each in its number's message group; none may fail. */
export async function applyEvents(processor: Processor, events: readonly QueuedEvent[]): Promise<void> {
  for (const event of events) {
    const response = (await processor(batch(sqsRecord(JSON.stringify(event), { groupId: 'phone' in event ? event.phone : 'x' })), lambdaContext('processor'))) as SQSBatchResponse;
    expect(response.batchItemFailures).toEqual([]);
  }
}
