import type { Deleted } from '../../../shared/domain/personal-data/number-records.js';

/** The shapes of the API's answers that the console reads (the service's HTTPS API contract). */

export type ConsentSource = 'manual' | 'automatic' | 'recipient';
export type ConsentAction = 'block' | 'unblock';
export type RequestStatus = 'pending' | 'applied' | 'unchanged' | 'superseded' | 'failed';

export interface PendingRequest {
  requestId: string;
  action: ConsentAction;
  requestedAt: string;
}

export interface MarketingOptOut {
  since: string;
  source: string;
}

/** One number as the profile and number views show it. */
export interface NumberConsent {
  phone: string;
  blocked: boolean;
  source: ConsentSource | null;
  reason: string | null;
  reasonCode: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
  /**
   * When the provider made the latest change: its sender, with the number it displays as when known.
   * Absent from services that do not say; `null` when a person or the recipient made the change.
   */
  updatedBySender?: Extract<AuditActor, { type: 'provider' }> | null;
  /** Absent until the service records marketing opt-outs; `null` when there is none. */
  marketingOptOut?: MarketingOptOut | null;
  pending: PendingRequest[];
}

export interface ProfileConsent {
  profileId: string;
  numbers: NumberConsent[];
}

export interface ConsentRequest {
  requestId: string;
  status: RequestStatus;
  action: ConsentAction;
  phone: string;
  profileId: string;
  requestedBy: { type: 'user'; sub: string; username: string };
  requestedAt: string;
  appliedAt: string | null;
}

export type AuditActor =
  | { type: 'user'; sub: string; username: string }
  | { type: 'provider'; provider: string; phoneNumberId: string; displayPhoneNumber?: string };

export interface AuditEntry {
  eventId: string;
  requestId: string | null;
  action: string;
  phone: string;
  profileId: string | null;
  source: ConsentSource;
  reason: string;
  reasonCode: string | null;
  actor: AuditActor;
  requestedAt: string;
  appliedAt: string;
  outcome: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A number blocked now, as the blocklist lists it: who or what blocked it, why, and when. */
export interface BlockedNumber {
  phone: string;
  source: ConsentSource;
  /** The operator's words, the provider's text, or the keyword the recipient sent. */
  reason: string;
  /** The provider's error code, when it gave one. */
  reasonCode: string | null;
  updatedAt: string;
  /** A user name, `whatsapp:{phone_number_id}` or `recipient:{wa_id}`. */
  updatedBy: string;
  /** When the provider blocked it: its sender, with the number it displays as when known. */
  updatedBySender?: Extract<AuditActor, { type: 'provider' }> | null;
}

/**
 * An automatic block the auto-block guard held: one sender reported unusually many failures in a short
 * time, so the number stays sendable until an editor releases (blocks) or discards it. A number may be
 * held more than once.
 */
export interface HeldBlock {
  phone: string;
  /** The business number (`phone_number_id`) that sent the failed message. */
  sender: string;
  /** The provider's error code, when it gave one. */
  reasonCode: string | null;
  failedAt: string;
  heldAt: string;
}

/** What became of held blocks an editor released or discarded, by number. */
export interface HeldReleased {
  released: string[];
}
export interface HeldDiscarded {
  discarded: string[];
}

/**
 * A provider failure report that named its recipient only by a business-scoped user id (BSUID), which the
 * service could not yet match to a number; once it learns the pairing it applies the report.
 */
export interface UnresolvedFailure {
  /** The recipient's business-scoped user id, such as `US.13491208655302741918`. */
  userId: string;
  sender: string;
  reasonCode: string | null;
  reason: string;
  providerMessageId: string | null;
  profileId: string | null;
  failedAt: string;
  receivedAt: string;
}

/** A page of unresolved reports, with how many there are in all. */
export interface UnresolvedPage extends Page<UnresolvedFailure> {
  count: number;
}

/** How many items of each kind an erasure of a number's personal data deleted, as the service counts them. */
export type ErasureCounts = Deleted;

/** What an erasure did: what went, and whether a suppression record stayed (the number was blocked or opted out). */
export interface Erasure {
  phone: string;
  deleted: ErasureCounts;
  suppressionKept: boolean;
}

/** An RFC 9457 problem document, as the API answers errors. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { field: string; message: string }[];
}
