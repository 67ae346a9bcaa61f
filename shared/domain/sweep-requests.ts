import type { E164 } from './phone.js';
import type { Clock, EventPublisher, RequestStore } from './ports.js';
import { eventOf } from './accept-consent-request.js';

/** Requests whose events wait in the dead-letter queue, as far as it can be read without moving them. */
export interface DeadLetterReader {
  requests(limit: number): Promise<{ requestId: string; phone: E164 }[]>;
}

export interface SweepOptions {
  /** A request pending for longer than this is enqueued again. */
  resendAfterSeconds: number;
  /** At most this many requests of each kind per sweep. */
  limit: number;
}

export interface SweepResult {
  failed: number;
  resent: number;
}

/**
 * Makes every accepted request end (docs/design.md, "Every accepted request ends"). Run every minute:
 *
 * 1. A request whose event is in the dead-letter queue becomes `failed` (if still `pending`): a crash or
 *    time-out of the processor on the last delivery left it pending. A later redrive that succeeds
 *    overwrites `failed` with the real outcome.
 * 2. A request still `pending` after `resendAfterSeconds` may never have reached the queue (the API
 *    died, or its send hung, after recording it): its event is enqueued again. The request id is the
 *    deduplication id and the event id, so a copy of an event that did arrive is dropped by the queue
 *    (within five minutes) or by the processor.
 * 3. Once the queue has acknowledged that send, the event is on the queue (or was, within the last
 *    five minutes, and that copy ends the request): the request is marked enqueued and not sent again.
 *    Sending it every sweep would put a new copy in every five minutes while its event fails, each
 *    one more failing message at the head of its number's queue. A request whose send failed stays
 *    stale, for the next sweep.
 */
export async function sweepRequests(
  deps: { requests: RequestStore; publisher: EventPublisher; deadLetters: DeadLetterReader; clock: Clock },
  options: SweepOptions,
): Promise<SweepResult> {
  const deadLettered = await deps.deadLetters.requests(options.limit);
  for (const { phone, requestId } of deadLettered) await deps.requests.markFailed(phone, requestId);

  const before = new Date(deps.clock.now().getTime() - options.resendAfterSeconds * 1000).toISOString();
  const stale = await deps.requests.listStalePending(before, options.limit);
  const dead = new Set(deadLettered.map((reference) => reference.requestId));
  const resend = stale.filter((request) => !dead.has(request.requestId));
  if (resend.length > 0) {
    await deps.publisher.publishAll(resend.map(eventOf));
    await deps.requests.markEnqueued(resend);
  }
  return { failed: deadLettered.length, resent: resend.length };
}
