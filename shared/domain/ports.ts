import type { E164 } from './phone.js';
import type { ConsentEvent, QueuedEvent } from './consent-event.js';
import type { GuardWindow } from './auto-block-guard.js';
import type { ConsentState, Transition } from './consent-state.js';
import type {
  AuditActor,
  AuditEntry,
  ConsentRequest,
  HeldBlock,
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
  /**
   * Deletes the profile and its index items, atomically, provided its numbers are still those of
   * `previous`; `conflict` otherwise (and when it is gone already).
   */
  remove(previous: Profile): Promise<'removed' | 'conflict'>;
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
  /**
   * Requests still pending that were made before `requestedBefore`, oldest first, at most `limit`;
   * not those marked enqueued.
   */
  listStalePending(requestedBefore: string, limit: number): Promise<ConsentRequest[]>;
  /**
   * Marks requests whose events the queue has acknowledged: they are no longer stale, whatever their
   * age. A request that has settled meanwhile is left as it is.
   */
  markEnqueued(references: readonly RequestReference[]): Promise<void>;
  /** Marks a request failed when its event went to the dead-letter queue. */
  markFailed(phone: E164, requestId: string): Promise<void>;
}

/**
 * Many requests at once, for blocklist imports. Once `signal` aborts, the writes start no further call
 * and throw its reason; what they wrote stays written.
 */
export interface RequestBatchStore {
  /**
   * Takes `count` consecutive numbers of each phone's acceptance order; answers the first number of
   * each phone's block.
   */
  reserveSequences(counts: ReadonlyMap<E164, number>, options?: { signal?: AbortSignal }): Promise<Map<E164, number>>;
  /**
   * Records new pending requests, each with its pointer, many in one call. A request that exists
   * already (written by an earlier, interrupted attempt) is left as it is.
   */
  createMany(requests: readonly ConsentRequest[], options?: { signal?: AbortSignal }): Promise<void>;
  /** The requests of these keys that exist, by id; strongly consistent. */
  getMany(references: readonly RequestReference[]): Promise<Map<string, ConsentRequest>>;
  /** The statuses of the requests of these keys that exist, by id; eventually consistent, for progress. */
  statusesOf(references: readonly RequestReference[]): Promise<Map<string, RequestStatus>>;
}

/** Where a request is stored: under its number. */
export interface RequestReference {
  phone: E164;
  requestId: string;
}

export interface EventPublisher {
  /** Enqueues one event; `signal` gives up on the call (the caller has an answer to give). */
  publish(event: QueuedEvent, options?: { signal?: AbortSignal | undefined }): Promise<void>;
  /** Enqueues many events in as few calls as the queue allows; throws unless every one was accepted. */
  publishAll(events: readonly QueuedEvent[], options?: { signal?: AbortSignal | undefined }): Promise<void>;
}

/** The processor's single atomic write: audit entry, state and request status, all or nothing. */
export interface EventLedger {
  /**
   * `duplicate`: this event's audit entry exists, so it was applied before.
   * `conflict`: the state changed since it was read (its `version` moved); read again and retry.
   * `erased`: the event's request is gone (the number's personal data was erased): nothing is written.
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
    /** An automatic block counted by the guard: its bucket is raised, provided the window still has room. */
    guardSlot?: GuardSlot;
    /** An automatic block the guard held: listed for editors, instead of a new state. */
    hold?: HeldBlock;
    /** The held block that this released event settles: it leaves the list. */
    settles?: { phone: E164; eventId: string };
  }): Promise<'committed' | 'duplicate' | 'conflict' | 'erased'>;
}

/** One automatic block taking its place in a sender's guard window, as the window's counts were read. */
export interface GuardSlot {
  sender: string;
  window: GuardWindow;
  counts: ReadonlyMap<number, number>;
  limit: number;
  bucketSeconds: number;
}

/** The auto-block guard's counters, per sender and bucket. */
export interface GuardCounter {
  /** Strongly consistent counts of a sender's buckets; a bucket never counted is absent. */
  read(sender: string, buckets: readonly number[]): Promise<Map<number, number>>;
}

/** Automatic blocks the guard held, until an editor releases or discards them. */
export interface HeldBlockStore {
  /** Strongly consistent. */
  get(phone: E164, eventId: string): Promise<HeldBlock | undefined>;
  /** Held blocks, newest first. */
  list(page: PageRequest): Promise<Page<HeldBlock>>;
  /** The blocks held for one number (one per held failure). */
  ofPhone(phone: E164): Promise<HeldBlock[]>;
  /** Removes a held block and records the discard in the number's history, atomically; false if it was gone. */
  discard(held: HeldBlock, audit: AuditEntry): Promise<boolean>;
}

export interface AuditReader {
  byPhone(phone: E164, page: PageRequest): Promise<Page<AuditEntry>>;
  byProfile(profileId: string, page: PageRequest): Promise<Page<AuditEntry>>;
}

/** Who made a number's change, as its audit entry says: for a state, whose `updatedBy` says less. */
export interface ChangeActors {
  /**
   * The actor of the number's audit entry applied at `appliedAt` (a state's `updatedAt`), or `undefined`
   * when a short read of the entries around that time does not find it.
   */
  actorAppliedAt(phone: E164, appliedAt: string): Promise<AuditActor | undefined>;
}

export interface Clock {
  now(): Date;
}
