import type { SQSRecord } from 'aws-lambda';
import type { RequestStore } from '../../shared/domain/ports.js';
import { requestReferenceOf } from '../../shared/domain/request-reference.js';
import { logger } from '../../shared/observability.js';

/**
 * On the last delivery that SQS allows, a failing event is about to go to the dead-letter queue: its
 * request becomes `failed`, so that clients polling it learn the outcome. Best effort: a body too broken
 * to name its request, or a write that fails now, is left to the sweeper's inspection of the DLQ.
 */
export async function markDeadLetteredRequest(record: SQSRecord, maxReceiveCount: number, requests: RequestStore): Promise<void> {
  const receiveCount = Number(record.attributes.ApproximateReceiveCount);
  if (!(receiveCount >= maxReceiveCount)) return;
  const reference = requestReferenceOf(record.body);
  if (!reference) return;
  try {
    await requests.markFailed(reference.phone, reference.requestId);
  } catch (error) {
    logger.error('could not mark a dead-lettered request failed', { messageId: record.messageId, error });
  }
}
