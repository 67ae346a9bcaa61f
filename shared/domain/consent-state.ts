import type { E164 } from './phone.js';
import type { ConsentAction, ConsentEvent } from './consent-event.js';

export type ConsentSource = 'manual' | 'automatic';

/** The consent of one number. A number that was never changed has no state and is unblocked. */
export interface ConsentState {
  phone: E164;
  blocked: boolean;
  source: ConsentSource;
  reason: string;
  reasonCode: string | undefined;
  profileId: string | undefined;
  updatedAt: string;
  updatedBy: string;
  /** Incremented on every change. */
  version: number;
  /** The sequence of the last event applied to this number, whether it changed the state or not. */
  lastSeq: number;
}

/** What applying an event did; also the final status of its request. */
export type Outcome = 'applied' | 'unchanged' | 'superseded';

export type Transition =
  | { outcome: 'superseded' }
  | { outcome: 'unchanged'; next: ConsentState }
  | { outcome: 'applied'; next: ConsentState };

const blockedBy: Record<ConsentAction, boolean> = { block: true, unblock: false };

/**
 * Decides what an event does to the current state.
 *
 * 1. An event whose sequence is not newer than the last one applied is `superseded`: it changes nothing.
 * 2. An event that asks for the state the number already has is `unchanged`: only `lastSeq` moves on,
 *    so an older event that arrives later is still recognised as stale.
 * 3. Otherwise it is `applied`: the new state carries the event's action, source, reason and actor.
 */
export function transition(current: ConsentState | undefined, event: ConsentEvent, appliedAt: string): Transition {
  if (current && event.sequence <= current.lastSeq) {
    return { outcome: 'superseded' };
  }
  const wantsBlocked = blockedBy[event.action];
  const isBlocked = current?.blocked ?? false;
  if (current && isBlocked === wantsBlocked) {
    return { outcome: 'unchanged', next: { ...current, lastSeq: event.sequence } };
  }
  if (!current && !wantsBlocked) {
    // Never seen means unblocked; remember the sequence so that a stale block cannot win later.
    return { outcome: 'unchanged', next: stateFrom(event, appliedAt, 0) };
  }
  return { outcome: 'applied', next: stateFrom(event, appliedAt, (current?.version ?? 0) + 1) };
}

function stateFrom(event: ConsentEvent, appliedAt: string, version: number): ConsentState {
  return {
    phone: event.phone,
    blocked: blockedBy[event.action],
    source: event.source,
    reason: event.reason,
    reasonCode: undefined,
    profileId: event.profileId,
    updatedAt: appliedAt,
    updatedBy: event.actor.username,
    version,
    lastSeq: event.sequence,
  };
}
