import type { ConsentEvent } from './consent-event.js';
import { transition } from './consent-state.js';
import type { AuditEntry } from './records.js';
import type { Clock, ConsentStateStore, EventLedger, ProfileStore } from './ports.js';
import { chooseRecipient } from './whatsapp-recipient.js';

export interface ApplyDependencies {
  states: ConsentStateStore;
  ledger: EventLedger;
  profiles: Pick<ProfileStore, 'isHeld'>;
  clock: Clock;
}

export type ApplyResult = { outcome: 'applied' | 'unchanged' | 'superseded' } | { outcome: 'duplicate' };

/** Concurrent writers to one number are rare (FIFO allows one in-flight group), so a few tries suffice. */
const MAX_ATTEMPTS = 5;

/**
 * Applies one consent event exactly once.
 *
 * 1. A provider event whose WhatsApp id may stand for more than one number is about the one a stored
 *    profile holds (see `chooseRecipient`).
 * 2. Read the number's state (strongly consistent) and decide the transition.
 * 3. Write audit entry, state and request status in one transaction, guarded by the audit entry not
 *    existing yet and the state's `version` being the one that was read.
 * 4. An event applied before (known by its id, whichever number it resolved to then) is a duplicate
 *    delivery: nothing to do.
 *    A moved `version` means someone else wrote in between: read again and decide again.
 */
export async function applyConsentEvent(received: ConsentEvent, deps: ApplyDependencies): Promise<ApplyResult> {
  const event = await withRecipient(received, deps.profiles);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const current = await deps.states.get(event.phone);
    const appliedAt = deps.clock.now().toISOString();
    const decided = transition(current, event, appliedAt);
    const result = await deps.ledger.record({
      event,
      queuedPhone: received.phone,
      expectedVersion: current?.version,
      transition: decided,
      audit: auditEntryOf(event, appliedAt, decided.outcome),
      requestStatus: decided.outcome,
    });
    if (result === 'duplicate') return { outcome: 'duplicate' };
    if (result === 'committed') return { outcome: decided.outcome };
  }
  throw new Error(`State of ${event.phone} kept changing while event ${event.eventId} was applied`);
}

async function withRecipient(event: ConsentEvent, profiles: ApplyDependencies['profiles']): Promise<ConsentEvent> {
  if (event.source === 'manual' || event.alternatives.length === 0) return event;
  const phone = await chooseRecipient([event.phone, ...event.alternatives], (candidate) => profiles.isHeld(candidate));
  return { ...event, phone: phone ?? event.phone };
}

function auditEntryOf(event: ConsentEvent, appliedAt: string, outcome: AuditEntry['outcome']): AuditEntry {
  const common = { eventId: event.eventId, phone: event.phone, reason: event.reason, actor: event.actor, appliedAt, outcome };
  if (event.source === 'manual') {
    return {
      ...common,
      requestId: event.requestId,
      action: event.action,
      profileId: event.profileId,
      source: 'manual',
      reasonCode: undefined,
      providerMessageId: undefined,
      recipientId: undefined,
      requestedAt: event.requestedAt,
    };
  }
  return {
    ...common,
    requestId: undefined,
    action: event.action,
    // A campaign that named the profile when it sent the message puts the failure in that profile's history.
    profileId: event.profileId,
    source: 'automatic',
    reasonCode: event.reasonCode,
    providerMessageId: event.providerMessageId,
    recipientId: event.recipientId,
    requestedAt: event.occurredAt,
  };
}
