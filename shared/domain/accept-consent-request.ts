import { createHash } from 'node:crypto';
import type { E164 } from './phone.js';
import type { Caller } from './caller.js';
import type { ConsentAction, ConsentEvent } from './consent-event.js';
import type { ConsentRequest, RequestStatus } from './records.js';
import type { Clock, EventPublisher, ProfileStore, RequestStore } from './ports.js';
import { IdempotencyConflictError, NotFoundError } from './errors.js';
import { abortAfter, ANSWER_RESERVE_MS } from './deadline.js';

export interface ConsentRequestInput {
  profileId: string;
  phone: E164;
  action: ConsentAction;
  reason: string;
  idempotencyKey: string | undefined;
}

export interface AcceptDependencies {
  profiles: ProfileStore;
  requests: RequestStore;
  publisher: EventPublisher;
  clock: Clock;
  newId: () => string;
  /** Told once per new request, when it is recorded (a replayed key is not a new request). */
  onAccepted?: (request: ConsentRequest) => void;
  /** Told when an accepted request's event could not be enqueued now; the sweeper sends it later. */
  onPublishFailed?: (requestId: string, error: unknown) => void;
  /**
   * How long the call may still take, in milliseconds (a Lambda function's remaining time); no limit
   * without it. The enqueue of a recorded request is given up on `ANSWER_RESERVE_MS` before its end.
   */
  timeLeft?: () => number;
}

export interface AcceptedRequest {
  requestId: string;
  status: RequestStatus;
}

/**
 * Accepts a manual block or unblock request from a caller who holds the permission.
 *
 * 1. Three round trips that need nothing from one another go side by side: the look-up of the
 *    `Idempotency-Key` (when one is given), the read of the profile, and the number's next sequence.
 * 2. A repeated `Idempotency-Key` with the same body returns the first request, even if the number has
 *    left the profile since (or the profile or the sequence could not be read this time); with another
 *    body, 422.
 * 3. The profile must exist and hold the number (404 otherwise).
 *
 *    A request that ends at 2 or 3 has taken a sequence number that no request carries: a gap in the
 *    number's sequence, and perhaps a counter for a number that no profile holds. Both are harmless:
 *    sequences are only compared, never counted (the processor supersedes an event whose sequence is
 *    not above the last one applied, `manualTransition` in `consent-state.ts`), and imports reserve
 *    theirs from whatever value the counter has. Nothing else is written and nothing is enqueued.
 * 4. The request takes its time once its sequence is known, so that a later sequence never carries an
 *    earlier time, and is recorded as `pending` (with the key). From here on it is durable: the answer
 *    is `202`, whatever happens next, and `onAccepted` is told of it (only here: never for a replay).
 * 5. Its event is enqueued, only now: an event must never name a request that is not recorded. The
 *    processor applies it later. If that fails, or hangs until it is given up on shortly before the
 *    call's time ends (`timeLeft`), or took effect and its answer was lost, the request stays
 *    `pending`: the sweeper (`sweepRequests`) enqueues it again, and a replay of its key does so at
 *    once. The request id is the deduplication id and the event's id, so a second copy is dropped by
 *    the queue or by the processor.
 *
 * A new request thus costs three round trips one after another: the three side by side, the write of
 * the request and its key (one transaction), and the send.
 */
export async function acceptConsentRequest(
  caller: Caller,
  input: ConsentRequestInput,
  deps: AcceptDependencies,
): Promise<AcceptedRequest> {
  const idempotency = input.idempotencyKey
    ? { callerSub: caller.sub, key: input.idempotencyKey, bodyHash: hashRequest(input) }
    : undefined;
  // All three settle before any is looked at, so that none is left to fail unobserved.
  const [replayLookup, profileRead, sequenceTaken] = await Promise.allSettled([
    idempotency ? deps.requests.findIdempotencyRecord(idempotency.callerSub, idempotency.key) : undefined,
    deps.profiles.get(input.profileId),
    deps.requests.nextSequence(input.phone),
  ]);
  const existing = valueOf(replayLookup);
  if (existing) return answerReplay(existing, idempotency?.bodyHash, deps);

  const profile = valueOf(profileRead);
  if (!profile) throw new NotFoundError(`Profile ${input.profileId} does not exist.`);
  if (!profile.whatsappNumbers.includes(input.phone)) {
    throw new NotFoundError(`Profile ${input.profileId} does not hold the WhatsApp number ${input.phone}.`);
  }

  const sequence = valueOf(sequenceTaken);
  const request: ConsentRequest = {
    requestId: deps.newId(),
    status: 'pending',
    action: input.action,
    phone: input.phone,
    profileId: input.profileId,
    reason: input.reason,
    requestedBy: { type: 'user', sub: caller.sub, username: caller.username },
    requestedAt: deps.clock.now().toISOString(),
    appliedAt: undefined,
    sequence,
  };

  const created = await deps.requests.create(request, idempotency);
  if (!created.created) {
    // Another call with the same key won the race between our look-up and our write.
    return answerReplay(created.existing, idempotency?.bodyHash, deps);
  }
  deps.onAccepted?.(request);

  await enqueue(request, deps);
  return { requestId: request.requestId, status: 'pending' };
}

/** Best effort: a request that is not enqueued now is enqueued by the sweeper or the next replay. */
async function enqueue(request: ConsentRequest, deps: AcceptDependencies): Promise<void> {
  try {
    await deps.publisher.publish(eventOf(request), { signal: abortAfter((deps.timeLeft?.() ?? Infinity) - ANSWER_RESERVE_MS) });
  } catch (error) {
    deps.onPublishFailed?.(request.requestId, error);
  }
}

/** The consent event of a manual request: its id is the request's, on every send. */
export function eventOf(request: ConsentRequest): ConsentEvent {
  return {
    version: 1,
    eventId: request.requestId,
    requestId: request.requestId,
    source: 'manual',
    action: request.action,
    phone: request.phone,
    profileId: request.profileId,
    reason: request.reason,
    actor: request.requestedBy,
    requestedAt: request.requestedAt,
    sequence: request.sequence,
    ...(request.importId === undefined ? {} : { importId: request.importId }),
  };
}

/** The value of a settled promise, or its error thrown. */
function valueOf<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

async function answerReplay(
  existing: { requestId: string; bodyHash: string },
  bodyHash: string | undefined,
  deps: AcceptDependencies,
): Promise<AcceptedRequest> {
  if (existing.bodyHash !== bodyHash) {
    throw new IdempotencyConflictError(
      'This Idempotency-Key was already used with a different request. Use a new key for a new request.',
    );
  }
  const request = await deps.requests.get(existing.requestId);
  // Still pending: perhaps its event never reached the queue. Sending it again is harmless.
  if (request?.status === 'pending') await enqueue(request, deps);
  return { requestId: existing.requestId, status: request?.status ?? 'pending' };
}

/** What makes two requests "the same body" for an idempotency key: everything the caller chose. */
function hashRequest(input: ConsentRequestInput): string {
  const canonical = JSON.stringify([input.action, input.profileId, input.phone, input.reason]);
  return createHash('sha256').update(canonical).digest('hex');
}
