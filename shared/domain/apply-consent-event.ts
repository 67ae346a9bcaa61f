import type { ConsentEvent } from './consent-event.js';
import { transition } from './consent-state.js';
import type { AuditEntry } from './records.js';
import type { Clock, ConsentStateStore, EventLedger } from './ports.js';

export interface ApplyDependencies {
  states: ConsentStateStore;
  ledger: EventLedger;
  clock: Clock;
}

export type ApplyResult = { outcome: 'applied' | 'unchanged' | 'superseded' } | { outcome: 'duplicate' };

/** Concurrent writers to one number are rare (FIFO allows one in-flight group), so a few tries suffice. */
const MAX_ATTEMPTS = 5;

/**
 * Applies one consent event exactly once.
 *
 * 1. Read the number's state (strongly consistent) and decide the transition.
 * 2. Write audit entry, state and request status in one transaction, guarded by the audit entry not
 *    existing yet and the state's `lastSeq` being the one that was read.
 * 3. An existing audit entry means the event was applied before: a duplicate delivery, nothing to do.
 *    A moved `lastSeq` means someone else wrote in between: read again and decide again.
 */
export async function applyConsentEvent(event: ConsentEvent, deps: ApplyDependencies): Promise<ApplyResult> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const current = await deps.states.get(event.phone);
    const appliedAt = deps.clock.now().toISOString();
    const decided = transition(current, event, appliedAt);
    const result = await deps.ledger.record({
      event,
      expectedLastSeq: current?.lastSeq,
      transition: decided,
      audit: auditEntryOf(event, appliedAt, decided.outcome),
      requestStatus: decided.outcome,
    });
    if (result === 'duplicate') return { outcome: 'duplicate' };
    if (result === 'committed') return { outcome: decided.outcome };
  }
  throw new Error(`State of ${event.phone} kept changing while event ${event.eventId} was applied`);
}

function auditEntryOf(event: ConsentEvent, appliedAt: string, outcome: AuditEntry['outcome']): AuditEntry {
  return {
    eventId: event.eventId,
    requestId: event.requestId,
    action: event.action,
    phone: event.phone,
    profileId: event.profileId,
    source: event.source,
    reason: event.reason,
    reasonCode: undefined,
    actor: event.actor,
    requestedAt: event.requestedAt,
    appliedAt,
    outcome,
  };
}
