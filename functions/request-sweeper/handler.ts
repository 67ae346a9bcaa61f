import middy from '@middy/core';
import { readConfig } from '../../shared/config.js';
import { sweepRequests, type SweepOptions, type SweepResult } from '../../shared/domain/sweep-requests.js';
import { DynamoRequestStore } from '../../shared/adapters/request-store.js';
import { SqsDeadLetterReader } from '../../shared/adapters/sqs-dead-letter-reader.js';
import { SqsEventPublisher } from '../../shared/adapters/sqs-event-publisher.js';
import { systemClock } from '../../shared/adapters/runtime.js';
import { logger, observed } from '../../shared/observability.js';

const config = readConfig(['consentTableName', 'consentQueueUrl', 'deadLetterQueueUrl', 'pendingResendAfterSeconds']);
const deps = {
  requests: new DynamoRequestStore(config.consentTableName),
  publisher: new SqsEventPublisher(config.consentQueueUrl),
  deadLetters: new SqsDeadLetterReader(config.deadLetterQueueUrl),
  clock: systemClock,
};

/** Enough for a minute's backlog of a large outage; the next sweep takes the rest. */
const SWEEP_LIMIT = 500;

/** One sweep (`sweepRequests`), logged when it did anything. */
export async function sweep(
  options: SweepOptions = { resendAfterSeconds: config.pendingResendAfterSeconds, limit: SWEEP_LIMIT },
): Promise<SweepResult> {
  const result = await sweepRequests(deps, options);
  if (result.failed > 0 || result.resent > 0) logger.warn('requests swept', { ...result });
  return result;
}

/** Run by a schedule (EventBridge in AWS, a timer on the local stack). */
export const handler = middy().use(observed()).handler(() => sweep());
