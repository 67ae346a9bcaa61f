import type { E164 } from '../../../shared/domain/phone.js';
import type { QueuedEvent } from '../../../shared/domain/consent-event.js';
import type { ConsentState } from '../../../shared/domain/consent-state.js';
import type {
  Clock,
  ConsentStateStore,
  CreateRequestResult,
  EventLedger,
  EventPublisher,
  ProfileStore,
  RequestReference,
  RequestStore,
} from '../../../shared/domain/ports.js';
import type { AuditEntry, ConsentRequest, IdempotencyRecord, Profile } from '../../../shared/domain/records.js';

/**
 * Small in-memory versions of the ports in `shared/domain/ports.ts`, with the same contracts as the
 * DynamoDB adapters (conditional writes included), so use cases can be tested without AWS.
 */

export function fixedClock(iso = '2025-01-02T03:04:05.000Z'): Clock {
  return { now: () => new Date(iso) };
}

/** `prefix-1`, `prefix-2`, … */
export function idSequence(prefix = 'req'): () => string {
  let next = 0;
  return () => `${prefix}-${++next}`;
}

export class InMemoryProfileStore implements ProfileStore {
  readonly profiles = new Map<string, Profile>();

  constructor(initial: Profile[] = []) {
    for (const profile of initial) this.profiles.set(profile.profileId, structuredClone(profile));
  }

  async get(profileId: string): Promise<Profile | undefined> {
    const profile = this.profiles.get(profileId);
    return profile && structuredClone(profile);
  }

  /** `beforeReplace` runs before each attempt, to play a concurrent writer. */
  beforeReplace: ((attempt: number) => void) | undefined;
  replaceAttempts = 0;

  async replace(profile: Profile, previous: Profile | undefined): Promise<'replaced' | 'conflict'> {
    this.replaceAttempts += 1;
    this.beforeReplace?.(this.replaceAttempts);
    const stored = this.profiles.get(profile.profileId);
    if (JSON.stringify(stored?.whatsappNumbers) !== JSON.stringify(previous?.whatsappNumbers)) return 'conflict';
    this.profiles.set(profile.profileId, structuredClone(profile));
    return 'replaced';
  }

  /** `beforeRemove` runs before each attempt, to play a concurrent writer. */
  beforeRemove: ((attempt: number) => void) | undefined;
  removeAttempts = 0;

  async remove(previous: Profile): Promise<'removed' | 'conflict'> {
    this.removeAttempts += 1;
    this.beforeRemove?.(this.removeAttempts);
    const stored = this.profiles.get(previous.profileId);
    if (!stored || JSON.stringify(stored.whatsappNumbers) !== JSON.stringify(previous.whatsappNumbers)) return 'conflict';
    this.profiles.delete(previous.profileId);
    return 'removed';
  }

  async isHeld(phone: E164): Promise<boolean> {
    return [...this.profiles.values()].some((profile) => profile.whatsappNumbers.includes(phone));
  }
}

type IdempotencyInput = { callerSub: string; key: string; bodyHash: string };

export class InMemoryRequestStore implements RequestStore {
  readonly requests = new Map<string, ConsentRequest>();
  /** Idempotency records by `callerSub#key`. */
  readonly keys = new Map<string, IdempotencyRecord>();
  /** The last sequence handed out per number. */
  readonly sequences = new Map<E164, number>();
  /** The requests marked enqueued, which are stale no more. */
  readonly enqueued = new Set<string>();

  async nextSequence(phone: E164): Promise<number> {
    const next = (this.sequences.get(phone) ?? 0) + 1;
    this.sequences.set(phone, next);
    return next;
  }

  async create(request: ConsentRequest, idempotency?: IdempotencyInput): Promise<CreateRequestResult> {
    if (idempotency) {
      const existing = this.keys.get(keyOf(idempotency));
      if (existing) return { created: false, existing: { ...existing } };
      this.keys.set(keyOf(idempotency), { requestId: request.requestId, bodyHash: idempotency.bodyHash });
    }
    this.requests.set(request.requestId, structuredClone(request));
    return { created: true };
  }

  async get(requestId: string): Promise<ConsentRequest | undefined> {
    const request = this.requests.get(requestId);
    return request && structuredClone(request);
  }

  async listPending(phone: E164): Promise<ConsentRequest[]> {
    return [...this.requests.values()]
      .filter((request) => request.phone === phone && request.status === 'pending')
      .sort((a, b) => a.sequence - b.sequence)
      .map((request) => structuredClone(request));
  }

  async findIdempotencyRecord(callerSub: string, key: string): Promise<IdempotencyRecord | undefined> {
    const record = this.keys.get(keyOf({ callerSub, key }));
    return record && { ...record };
  }

  async listStalePending(requestedBefore: string, limit: number): Promise<ConsentRequest[]> {
    return [...this.requests.values()]
      .filter((request) => request.status === 'pending' && request.requestedAt < requestedBefore && !this.enqueued.has(request.requestId))
      .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt))
      .slice(0, limit)
      .map((request) => structuredClone(request));
  }

  async markEnqueued(references: readonly RequestReference[]): Promise<void> {
    for (const { requestId } of references) if (this.requests.get(requestId)?.status === 'pending') this.enqueued.add(requestId);
  }

  async markFailed(_phone: E164, requestId: string): Promise<void> {
    if (this.requests.get(requestId)?.status === 'pending') this.setStatus(requestId, 'failed');
  }

  setStatus(requestId: string, status: ConsentRequest['status'], appliedAt?: string): void {
    const request = this.requests.get(requestId);
    if (request) this.requests.set(requestId, { ...request, status, appliedAt: appliedAt ?? request.appliedAt });
  }
}

function keyOf({ callerSub, key }: { callerSub: string; key: string }): string {
  return `${callerSub}#${key}`;
}

export class InMemoryConsentStateStore implements ConsentStateStore {
  readonly states = new Map<E164, ConsentState>();

  constructor(initial: ConsentState[] = []) {
    for (const state of initial) this.states.set(state.phone, { ...state });
  }

  async get(phone: E164): Promise<ConsentState | undefined> {
    const state = this.states.get(phone);
    return state && { ...state };
  }

  async getMany(phones: readonly E164[]): Promise<Map<E164, ConsentState>> {
    const found = new Map<E164, ConsentState>();
    for (const phone of phones) {
      const state = this.states.get(phone);
      if (state) found.set(phone, { ...state });
    }
    return found;
  }
}

/** A call that never answers until its signal gives up on it, as the SDK's calls to a queue that hangs. */
export function untilAborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal?.aborted) reject(signal.reason);
    signal?.addEventListener('abort', () => reject(signal.reason));
  });
}

/** Keeps every published event; throws `failWith` instead, when it is set. */
export class RecordingPublisher implements EventPublisher {
  readonly published: QueuedEvent[] = [];
  failWith: Error | undefined;

  async publish(event: QueuedEvent): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.published.push(structuredClone(event));
  }

  async publishAll(events: readonly QueuedEvent[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.published.push(...structuredClone(events));
  }
}

type LedgerInput = Parameters<EventLedger['record']>[0];

/**
 * The processor's transaction, in memory, with the adapter's conditions: an existing audit entry for the
 * event is a `duplicate`; a state whose `version` is not the one read is a `conflict` (events that write
 * no state carry no such condition). `beforeRecord` runs before each attempt, to play a
 * concurrent writer.
 */
export class InMemoryEventLedger implements EventLedger {
  readonly audit: AuditEntry[] = [];
  /** Every committed input, for what it asked of the guard and the held list. */
  readonly committed: LedgerInput[] = [];
  attempts = 0;
  beforeRecord: ((attempt: number) => void) | undefined;

  constructor(
    private readonly states: InMemoryConsentStateStore,
    private readonly requests?: InMemoryRequestStore,
  ) {}

  async record(input: LedgerInput): Promise<'committed' | 'duplicate' | 'conflict'> {
    const { event, expectedVersion, transition, audit, requestStatus } = input;
    this.attempts += 1;
    this.beforeRecord?.(this.attempts);
    if (this.audit.some((entry) => entry.eventId === audit.eventId)) return 'duplicate';
    const next = transition.outcome === 'superseded' ? undefined : transition.next;
    if (next) {
      if (this.states.states.get(event.phone)?.version !== expectedVersion) return 'conflict';
      this.states.states.set(event.phone, { ...next });
    }
    this.audit.push({ ...audit });
    this.committed.push(input);
    if (event.source === 'manual') this.requests?.setStatus(event.requestId, requestStatus, audit.appliedAt);
    return 'committed';
  }
}
