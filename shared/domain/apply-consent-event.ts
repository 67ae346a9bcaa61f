import { setTimeout as delay } from 'node:timers/promises';
import type { AutomaticConsentEvent, ConsentEvent } from './consent-event.js';
import { transition, type Transition } from './consent-state.js';
import type { AuditEntry, AuditOutcome, HeldBlock } from './records.js';
import type { Clock, ConsentStateStore, EventLedger, GuardCounter, GuardSlot, HeldBlockStore, ProfileStore } from './ports.js';
import { bucketSecondsOf, guardIsOn, guardWindowAt, roomIn, type GuardSettings } from './auto-block-guard.js';
import { chooseRecipient } from './whatsapp/recipient.js';

export interface ApplyDependencies {
  states: ConsentStateStore;
  ledger: EventLedger;
  profiles: Pick<ProfileStore, 'isHeld'>;
  clock: Clock;
  /** The auto-block guard; without it (or with limit 0) every automatic block is applied. */
  guard?: { settings: GuardSettings; counter: GuardCounter };
  /** Where released events find the held block they settle. */
  held?: Pick<HeldBlockStore, 'get'>;
}

/**
 * `not-held`: a released block found nothing held any more (applied before, or discarded meanwhile).
 * `erased`: the request of a manual event was deleted with the number's personal data: dropped.
 */
export type ApplyResult = { outcome: AuditOutcome } | { outcome: 'duplicate' | 'not-held' | 'erased' };

/**
 * Writers to one number rarely meet (FIFO allows one in-flight group), but every automatic block of one
 * sender takes its turn on the guard's counter, so concurrent ones retry after a short random pause.
 */
const MAX_ATTEMPTS = 8;
const RETRY_PAUSE_MS = 20;

/**
 * Applies one consent event exactly once.
 *
 * 1. A provider event whose WhatsApp id may stand for more than one number is about the one a stored
 *    profile holds (see `chooseRecipient`).
 * 2. Read the number's state (strongly consistent) and decide the transition.
 * 3. Write audit entry, state and request status in one transaction, guarded by the audit entry not
 *    existing yet and the state's `version` being the one that was read.
 * 4. An event applied before (known by its id, whichever number it resolved to then) is a duplicate
 *    delivery: nothing to do. A manual event whose request is gone was erased with the number's
 *    personal data: nothing is written either.
 *    A moved `version` means someone else wrote in between: read again and decide again.
 */
export async function applyConsentEvent(received: ConsentEvent, deps: ApplyDependencies): Promise<ApplyResult> {
  const event = await withRecipient(received, deps.profiles);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    if (attempt > 1) await delay(Math.random() * RETRY_PAUSE_MS * attempt);
    const settles = await heldBlockSettledBy(event, deps);
    if (settles === 'not-held') return { outcome: 'not-held' };
    const current = await deps.states.get(event.phone);
    const now = deps.clock.now();
    const appliedAt = now.toISOString();
    const decided = transition(current, event, appliedAt);
    const guarded = await guardDecision(event, decided, now, deps);
    const outcome: AuditOutcome = guarded.held ? 'held' : decided.outcome;
    const result = await deps.ledger.record({
      event,
      queuedPhone: received.phone,
      expectedVersion: current?.version,
      transition: guarded.held ? { outcome: 'unchanged', next: undefined, newlyBlocked: false } : decided,
      audit: auditEntryOf(event, appliedAt, outcome),
      requestStatus: decided.outcome,
      ...(guarded.slot ? { guardSlot: guarded.slot } : {}),
      ...(guarded.held ? { hold: heldBlockOf(event as AutomaticConsentEvent, appliedAt) } : {}),
      ...(settles ? { settles } : {}),
    });
    if (result === 'duplicate' || result === 'erased') return { outcome: result };
    if (result === 'committed') return { outcome };
  }
  throw new Error(`State of ${event.phone} kept changing while event ${event.eventId} was applied`);
}

/**
 * Whether the guard lets an automatic block through: only a provider failure that would block a number
 * campaigns can reach now is counted (not keywords, opt-outs, or a block an editor released). It gets a slot while its
 * sender's window has room, and is held once the window is full.
 */
async function guardDecision(
  event: ConsentEvent,
  decided: Transition,
  now: Date,
  deps: ApplyDependencies,
): Promise<{ slot?: GuardSlot; held?: true }> {
  const guard = deps.guard;
  if (!guard || !guardIsOn(guard.settings) || !decided.newlyBlocked) return {};
  if (event.source !== 'automatic' || event.action !== 'wa_blocked' || event.release) return {};
  const sender = event.actor.phoneNumberId;
  const window = guardWindowAt(now.getTime(), guard.settings);
  const counts = await guard.counter.read(sender, [window.current, ...window.earlier]);
  if (roomIn(window, counts, guard.settings) === 0) return { held: true };
  return { slot: { sender, window, counts, limit: guard.settings.limit, bucketSeconds: bucketSecondsOf(guard.settings) } };
}

/** The held block a released event settles, or `not-held` when it has left the list since. */
async function heldBlockSettledBy(event: ConsentEvent, deps: ApplyDependencies) {
  if (event.source !== 'automatic' || !event.release) return undefined;
  if (!deps.held) throw new Error('A released block needs the held-block store');
  const held = await deps.held.get(event.phone, event.release.heldEventId);
  return held ? { phone: held.phone, eventId: held.eventId } : ('not-held' as const);
}

function heldBlockOf(event: AutomaticConsentEvent, heldAt: string): HeldBlock {
  return {
    phone: event.phone,
    eventId: event.eventId,
    sender: event.actor.phoneNumberId,
    reasonCode: event.reasonCode,
    failedAt: event.occurredAt,
    heldAt,
    event,
  };
}

/** The event for the number it is about: among those its WhatsApp id may stand for, the one a profile holds. */
export async function withRecipient(event: ConsentEvent, profiles: ApplyDependencies['profiles']): Promise<ConsentEvent> {
  if (event.source === 'manual' || event.alternatives.length === 0) return event;
  const phone = await chooseRecipient([event.phone, ...event.alternatives], (candidate) => profiles.isHeld(candidate));
  return { ...event, phone: phone ?? event.phone };
}

/** The audit entry of an event, as the ledger writes it (the processor bench builds its floor's items with it too). */
export function auditEntryOf(event: ConsentEvent, appliedAt: string, outcome: AuditEntry['outcome']): AuditEntry {
  const common = { eventId: event.eventId, phone: event.phone, reason: event.reason, actor: event.actor, appliedAt, outcome };
  if (event.source === 'manual') {
    // An import's row is the importer's doing (the event's actor), and names its import.
    return {
      ...common,
      requestId: event.requestId,
      action: event.action,
      profileId: event.profileId,
      importId: event.importId,
      source: 'manual',
      reasonCode: undefined,
      providerMessageId: undefined,
      recipientId: undefined,
      requestedAt: event.requestedAt,
    };
  }
  return {
    ...common,
    // A released block is the editor's doing, with the editor's reason; the provider's is in its `held` entry.
    ...(event.release ? { actor: event.release.actor, reason: event.release.reason } : {}),
    requestId: undefined,
    action: event.action,
    // A campaign that named the profile when it sent the message puts the failure in that profile's history.
    profileId: event.profileId,
    source: 'automatic',
    reasonCode: event.reasonCode,
    providerMessageId: event.providerMessageId,
    recipientId: event.recipientId,
    requestedAt: event.release?.releasedAt ?? event.occurredAt,
  };
}
