import type { E164 } from './phone.js';
import type { ConsentEvent } from './consent-event.js';
import type { ConsentState, Transition } from './consent-state.js';
import type {
  AuditEntry,
  ConsentRequest,
  IdempotencyRecord,
  Page,
  PageRequest,
  Profile,
  RequestStatus,
} from './records.js';

/** The collaborators that use cases are given. Implemented in `shared/adapters`, faked nowhere in production code. */

export interface ProfileStore {
  get(profileId: string): Promise<Profile | undefined>;
  /**
   * Writes the profile and the index of which profiles hold each number, atomically, provided the
   * profile's numbers are still those of `previous` (or it still does not exist); `conflict` otherwise.
   */
  replace(profile: Profile, previous: Profile | undefined): Promise<'replaced' | 'conflict'>;
  /** Whether any profile holds the number. */
  isHeld(phone: E164): Promise<boolean>;
}

export interface ConsentStateStore {
  /** Strongly consistent read of one number's state. */
  get(phone: E164): Promise<ConsentState | undefined>;
  /** States of many numbers; numbers never changed are absent from the map. */
  getMany(phones: readonly E164[]): Promise<Map<E164, ConsentState>>;
}

export type CreateRequestResult = { created: true } | { created: false; existing: IdempotencyRecord };

export interface RequestStore {
  /** Hands out the next number in a phone's acceptance order. */
  nextSequence(phone: E164): Promise<number>;
  /**
   * Records a new pending request, and the caller's idempotency key with it when one is given, atomically.
   * When the key is already taken, nothing is written and the record that holds it is returned.
   */
  create(request: ConsentRequest, idempotency?: { callerSub: string; key: string; bodyHash: string }): Promise<CreateRequestResult>;
  get(requestId: string): Promise<ConsentRequest | undefined>;
  /** The requests of a number that the processor has not settled yet, oldest first. */
  listPending(phone: E164): Promise<ConsentRequest[]>;
  findIdempotencyRecord(callerSub: string, key: string): Promise<IdempotencyRecord | undefined>;
  /** Requests still pending that were made before `requestedBefore`, oldest first, at most `limit`. */
  listStalePending(requestedBefore: string, limit: number): Promise<ConsentRequest[]>;
  /** Marks a request failed when its event went to the dead-letter queue. */
  markFailed(phone: E164, requestId: string): Promise<void>;
}

export interface EventPublisher {
  publish(event: ConsentEvent): Promise<void>;
  /** Enqueues many events in as few calls as the queue allows; throws unless every one was accepted. */
  publishAll(events: readonly ConsentEvent[]): Promise<void>;
}

/** The processor's single atomic write: audit entry, state and request status, all or nothing. */
export interface EventLedger {
  /**
   * `duplicate`: this event's audit entry exists, so it was applied before.
   * `conflict`: the state changed since it was read (its `version` moved); read again and retry.
   */
  record(input: {
    event: ConsentEvent;
    /**
     * The number the event was queued under (its message group): the same on every delivery, whichever
     * number a provider event resolves to, so that an event is applied once by its id alone.
     */
    queuedPhone: E164;
    expectedVersion: number | undefined;
    transition: Transition;
    audit: AuditEntry;
    requestStatus: RequestStatus;
  }): Promise<'committed' | 'duplicate' | 'conflict'>;
}

export interface AuditReader {
  byPhone(phone: E164, page: PageRequest): Promise<Page<AuditEntry>>;
  byProfile(profileId: string, page: PageRequest): Promise<Page<AuditEntry>>;
}

export interface Clock {
  now(): Date;
}
