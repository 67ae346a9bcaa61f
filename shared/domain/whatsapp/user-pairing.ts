import type { AutomaticConsentEvent, PairingEvent } from '../consent-event-shapes.js';
import type { E164 } from '../e164.js';
import type { Page, PageRequest } from '../records.js';

/** A business-scoped user id and the number a signed callback showed with it. */
export interface UserPairing {
  userId: string;
  phone: E164;
  /** The WhatsApp id (`wa_id`) the callback showed, from which `phone` was read. */
  recipientId: string;
  seenAt: string;
}

/** A consent signal that named its recipient by user id alone: the event it becomes once the number is known. */
export type NumberlessEvent = Omit<AutomaticConsentEvent, 'phone' | 'alternatives' | 'recipientId'>;

/** A numberless signal kept, and listed for operators, until its user's number is known. */
export interface UnresolvedSignal {
  userId: string;
  receivedAt: string;
  event: NumberlessEvent;
}

/** Where pairings and the signals that wait for them are kept. */
export interface UserDirectory {
  /** The pairings known for some user ids (eventually consistent: a hint, for skipping known pairs). */
  pairingsOf(userIds: readonly string[]): Promise<Map<string, UserPairing>>;
  /**
   * Keeps a signal until its user's number is known, unless the number is known already: then nothing
   * is kept and the pairing is returned. Atomic with respect to {@link remember}, so that a signal is
   * never kept after its pairing has looked for it.
   */
  keepUnresolved(signal: UnresolvedSignal): Promise<UserPairing | undefined>;
  /** Stores a pairing unless a later one is stored; whether it was stored. */
  remember(pairing: UserPairing): Promise<boolean>;
  /** The signals kept for a user id (strongly consistent). */
  unresolvedOf(userId: string): Promise<UnresolvedSignal[]>;
  /** A kept signal has been applied: it leaves the list. */
  settle(userId: string, eventId: string): Promise<void>;
  listUnresolved(page: PageRequest): Promise<Page<UnresolvedSignal>>;
  countUnresolved(): Promise<number>;
}

/** The consent event a numberless signal becomes for the number its user was paired with. */
export function resolvedEvent(event: NumberlessEvent, pairing: Pick<UserPairing, 'userId' | 'phone' | 'recipientId'>): AutomaticConsentEvent {
  return { ...event, phone: pairing.phone, alternatives: [], recipientId: pairing.recipientId, userId: pairing.userId };
}

/** The pairing a pairing event asks to remember, for the number chosen among its candidates. */
export function pairingOf(event: PairingEvent, phone: E164): UserPairing {
  return { userId: event.userId, phone, recipientId: event.recipientId, seenAt: event.seenAt };
}
