import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { readConfig } from '../../shared/config.js';
import { applyConsentEvent, type ApplyResult } from '../../shared/domain/apply-consent-event.js';
import { queuedEventSchema, type AutomaticConsentEvent, type ConsentEvent } from '../../shared/domain/consent-event.js';
import { zodWords } from '../../shared/domain/zod-words.js';
import { learnPairing } from '../../shared/domain/whatsapp/learn-pairing.js';
import { DynamoUserDirectory } from '../../shared/adapters/user-directory.js';
import { SqsEventPublisher } from '../../shared/adapters/sqs-event-publisher.js';
import { carryToNewNumber } from '../../shared/domain/whatsapp/number-change.js';
import { DynamoConsentStateStore } from '../../shared/adapters/consent-state-store.js';
import { DynamoEventLedger } from '../../shared/adapters/event-ledger.js';
import { DynamoProfileStore } from '../../shared/adapters/profile-store.js';
import { DynamoRequestStore } from '../../shared/adapters/request-store.js';
import { systemClock } from '../../shared/adapters/runtime.js';
import { DynamoGuardCounter } from '../../shared/adapters/guard-counter.js';
import { DynamoHeldBlockStore } from '../../shared/adapters/held-block-store.js';
import { logger, metrics, observed } from '../../shared/observability.js';
import { METRIC } from '../../shared/metric-names.js';
import { processByMessageGroup } from './by-message-group.js';
import { markDeadLetteredRequest } from './dead-letter.js';

const config = readConfig(['consentTableName', 'auditTableName', 'consentQueueUrl', 'maxReceiveCount', 'autoBlockGuardLimit', 'autoBlockGuardWindowSeconds']);
const deps = {
  states: new DynamoConsentStateStore(config.consentTableName),
  ledger: new DynamoEventLedger(config.consentTableName, config.auditTableName),
  requests: new DynamoRequestStore(config.consentTableName),
  profiles: new DynamoProfileStore(config.consentTableName),
  held: new DynamoHeldBlockStore(config.consentTableName, config.auditTableName),
  directory: new DynamoUserDirectory(config.consentTableName),
  publisher: new SqsEventPublisher(config.consentQueueUrl),
  guard: {
    settings: { limit: config.autoBlockGuardLimit, windowSeconds: config.autoBlockGuardWindowSeconds },
    counter: new DynamoGuardCounter(config.consentTableName),
  },
  clock: systemClock,
};

/**
 * Applies one queued consent event. A failure is reported for this record, and for the later records of
 * its number (`processByMessageGroup`).
 */
export async function processRecord(record: SQSRecord): Promise<void> {
  try {
    const event = queuedEventSchema().parse(JSON.parse(record.body), { error: zodWords() });
    if (event.source === 'pairing') {
      const learnt = await learnPairing(event, deps);
      logger.info('user id pairing processed', { eventId: event.eventId, userId: event.userId, remembered: learnt.remembered, resolved: learnt.applied.length });
      for (const { event: resolved, result } of learnt.applied) report(resolved, result);
      return;
    }
    const result = await applyConsentEvent(event, deps);
    report(event, result);
    if (result.outcome !== 'not-held') {
      const carried = await carryToNewNumber(event, deps);
      if (carried.length > 0) logger.info('signals carried to the number the recipient changed to', { eventId: event.eventId, carried: carried.map(({ eventId, phone }) => ({ eventId, phone })) });
    }
  } catch (error) {
    logger.error('consent event failed', { messageId: record.messageId, error });
    metrics.addMetric(METRIC.eventsFailed, MetricUnit.Count, 1);
    throw error;
  }
}

/** Every applied event, whether queued itself or waiting for a pairing, is logged, counted and, if held, announced. */
function report(event: ConsentEvent, result: ApplyResult): void {
  logger.info('consent event processed', { eventId: event.eventId, phone: event.phone, outcome: result.outcome });
  count(event, result);
  if (result.outcome === 'held' && event.source === 'automatic') announceHeld(event);
}

const OUTCOME_METRICS: Partial<Record<ApplyResult['outcome'], string>> = {
  applied: METRIC.eventsApplied,
  unchanged: METRIC.eventsUnchanged,
  superseded: METRIC.eventsSuperseded,
  duplicate: METRIC.eventsDuplicate,
};

/** What operators count: every event by its outcome, and the changes the provider's signals made. */
function count(event: ConsentEvent, result: ApplyResult): void {
  const outcomeMetric = OUTCOME_METRICS[result.outcome];
  if (outcomeMetric) metrics.addMetric(outcomeMetric, MetricUnit.Count, 1);
  if (result.outcome !== 'applied' || event.source !== 'automatic') return;
  if (event.action === 'wa_blocked') metrics.addMetric(METRIC.automaticBlocks, MetricUnit.Count, 1);
  if (event.action === 'wa_opted_out') metrics.addMetric(METRIC.optOuts, MetricUnit.Count, 1);
  if (event.action === 'wa_stop_keyword') metrics.addMetric(METRIC.stopKeywords, MetricUnit.Count, 1);
}

/**
 * A held block needs an editor: an ERROR log (what the local stack shows) and a metric, which the
 * stack's alarm watches in AWS.
 */
function announceHeld(event: AutomaticConsentEvent): void {
  logger.error('automatic block held by the auto-block guard: an editor must release or discard it', {
    eventId: event.eventId,
    phone: event.phone,
    sender: event.actor.phoneNumberId,
    reasonCode: event.reasonCode,
    guardLimit: config.autoBlockGuardLimit,
    guardWindowSeconds: config.autoBlockGuardWindowSeconds,
  });
  // Published at once: a batch rarely holds one, and the alarm should not wait for the batch to end.
  metrics.singleMetric().addMetric(METRIC.heldBlocks, MetricUnit.Count, 1);
}

/**
 * The batch, with partial failures. Every record reported as failed on the last delivery SQS allows is
 * about to go to the dead-letter queue, whether it failed itself or was skipped behind a failure of its
 * number: its request becomes `failed`.
 */
async function processBatch(event: SQSEvent): Promise<SQSBatchResponse> {
  const response = await processByMessageGroup(event.Records, processRecord);
  const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  const deadLettered = event.Records.filter((record) => failed.has(record.messageId));
  await Promise.all(deadLettered.map((record) => markDeadLetteredRequest(record, config.maxReceiveCount, deps.requests)));
  return response;
}

export const handler = middy<SQSEvent, SQSBatchResponse, Error, Context>().use(observed()).handler(processBatch);
