import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import type { RequestStore } from '../../shared/domain/ports.js';
import { e164Schema } from '../../shared/domain/consent-event.js';
import { logger } from '../../shared/observability.js';

/** Just enough of an event to find its request, even when the rest of it is malformed. */
const requestReference = z.looseObject({ requestId: z.string().min(1), phone: e164Schema });

/**
 * On the last delivery that SQS allows, a failing event is about to go to the dead-letter queue: its
 * request becomes `failed`, so that clients polling it learn the outcome. Best effort: a body too broken
 * to name its request is left to the DLQ alarm and the redrive tooling.
 */
export async function markDeadLetteredRequest(record: SQSRecord, maxReceiveCount: number, requests: RequestStore): Promise<void> {
  const receiveCount = Number(record.attributes.ApproximateReceiveCount);
  if (!(receiveCount >= maxReceiveCount)) return;
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    return;
  }
  const reference = requestReference.safeParse(body);
  if (!reference.success) return;
  try {
    await requests.markFailed(reference.data.phone, reference.data.requestId);
  } catch (error) {
    logger.error('could not mark a dead-lettered request failed', { messageId: record.messageId, error });
  }
}
