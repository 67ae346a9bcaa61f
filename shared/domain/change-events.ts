import type { AuditActor } from './records.js';
import type { ConsentSource, MarketingOptOutSource } from './consent-state.js';

/** `source` and `detail-type` of the events on the bus, as consumers' rules match them. */
export const CHANGE_EVENT_SOURCE = 'whatsapp-consent';
export const CHANGE_EVENT_DETAIL_TYPE = 'WhatsApp Consent Changed';

/**
 * What other systems learn of one applied change of a number's consent: a block, an unblock, a marketing
 * opt-out or its end. `eventId` is the applied event's, stable across repeats, for consumers to drop them.
 * `stateVersion` grows with every change of the number: a consumer that may receive events out of order
 * keeps the highest.
 */
export interface ConsentChange {
  eventId: string;
  phone: string;
  blocked: boolean;
  source: ConsentSource | null;
  reason: string;
  reasonCode: string | null;
  marketingOptOut: { since: string; source: MarketingOptOutSource } | null;
  profileId: string | null;
  actor: AuditActor;
  occurredAt: string;
  requestId: string | null;
  stateVersion: number;
}

/** The number's state right after an applied change, kept on its audit entry for publishing. */
export interface StateAfterChange {
  blocked: boolean;
  source: ConsentSource | null;
  marketingOptOut: { since: string; source: MarketingOptOutSource } | null;
  version: number;
}

/** Where applied changes are published: the bus in AWS, a queue locally. */
export interface ChangeSink {
  /** Publishes every change, in the given order; throws unless all were accepted. */
  publishAll(changes: readonly ConsentChange[]): Promise<void>;
}

/**
 * The change an audit entry records, or none: only entries whose outcome is `applied` (and which carry
 * the state after the change) are changes; `unchanged`, `superseded`, `held` and `discarded` are not.
 */
export function changeOf(entry: Record<string, any>): ConsentChange | undefined {
  const after = entry['after'] as StateAfterChange | undefined;
  if (entry['outcome'] !== 'applied' || !after) return undefined;
  return {
    eventId: entry['eventId'],
    phone: entry['phone'],
    blocked: after.blocked,
    source: after.source,
    reason: entry['reason'],
    reasonCode: entry['reasonCode'] ?? null,
    marketingOptOut: after.marketingOptOut,
    profileId: entry['profileId'] ?? null,
    actor: entry['actor'],
    occurredAt: entry['appliedAt'],
    requestId: entry['requestId'] ?? null,
    stateVersion: after.version,
  };
}
