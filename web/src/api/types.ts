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

/** An RFC 9457 problem document, as the API answers errors. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { field: string; message: string }[];
}
