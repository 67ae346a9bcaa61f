import type { E164 } from './e164.js';
import type { AutomaticConsentEvent, ConsentAction, ProviderAction, ProviderActor, UserActor } from './consent-event-shapes.js';
import type { ConsentSource, Outcome } from './consent-state.js';

export interface Profile {
  profileId: string;
  whatsappNumbers: E164[];
  updatedAt: string;
  updatedBy: string;
}

/** `failed`: the event reached the dead-letter queue, or could not be enqueued at all. */
export type RequestStatus = 'pending' | Outcome | 'failed';

/** A manual block or unblock request, from acceptance by the API until the processor settles it. */
export interface ConsentRequest {
  requestId: string;
  status: RequestStatus;
  action: ConsentAction;
  phone: E164;
  /** The profile on whose page the change was asked for; an import's rows name none. */
  profileId: string | undefined;
  /** The blocklist import the request is a row of. */
  importId?: string | undefined;
  reason: string;
  requestedBy: UserActor;
  requestedAt: string;
  appliedAt: string | undefined;
  sequence: number;
}

/** What the audit says about who acted: a person or machine client, or the provider and its sender. */
export type AuditActor = UserActor | ProviderActor;

/** One append-only audit entry: who did what to which number, on whose page, when, and what came of it. */
export interface AuditEntry {
  eventId: string;
  /** The manual request's id; provider events have none. */
  requestId: string | undefined;
  /** `wa_blocked` and `wa_opted_out` come from provider failures. */
  action: ConsentAction | ProviderAction;
  phone: E164;
  profileId: string | undefined;
  /** The blocklist import whose row asked for the change. */
  importId?: string | undefined;
  source: ConsentSource;
  reason: string;
  reasonCode: string | undefined;
  actor: AuditActor;
  /** The provider's id of the failed message. */
  providerMessageId: string | undefined;
  /** The WhatsApp id the provider named the recipient by. */
  recipientId: string | undefined;
  /** When the request was accepted, or, for a provider event, when the delivery failed. */
  requestedAt: string;
  appliedAt: string;
  outcome: AuditOutcome;
}

/**
 * `held`: the auto-block guard kept an automatic block from being applied; `discarded`: an editor
 * decided a held block is not to be applied.
 */
export type AuditOutcome = Outcome | 'held' | 'discarded';

/** An automatic block the guard held, until an editor releases or discards it. */
export interface HeldBlock {
  phone: E164;
  /** The held event's id; the held entry's key, and the id its release is derived from. */
  eventId: string;
  /** The business number (`phone_number_id`) whose failures filled the guard's window. */
  sender: string;
  reasonCode: string | undefined;
  /** When the delivery failed, by the provider's clock. */
  failedAt: string;
  heldAt: string;
  /** The event as it was queued, to be applied as it was when released. */
  event: AutomaticConsentEvent;
}

/** Remembers the first request made under a caller's `Idempotency-Key`. */
export interface IdempotencyRecord {
  requestId: string;
  bodyHash: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}
