import type { E164 } from './phone.js';
import type { AutomaticConsentEvent, ConsentAction, ConsentEvent, ManualConsentEvent } from './consent-event.js';

/** Who blocked or unblocked a number: an editor, the provider's failure report, or the recipient's keyword. */
export type ConsentSource = 'manual' | 'automatic' | 'recipient';

/** How a marketing opt-out reached us: Meta's `user_preferences` webhook, or a `131050` failure. */
export type MarketingOptOutSource = 'user_preferences' | 'delivery_failure';

/** The recipient stopped marketing messages. Not a block: only the recipient ends it, by resuming. */
export interface MarketingOptOut {
  since: string;
  source: MarketingOptOutSource;
  /** The business number (`phone_number_id`) the recipient told. */
  sender: string;
}

/**
 * The consent of one number. A number that was never changed has no state and is unblocked. The block
 * fields (`source` to `updatedBy`) are absent while nobody and nothing has blocked or unblocked the
 * number (a state that holds only a marketing opt-out).
 */
export interface ConsentState {
  phone: E164;
  blocked: boolean;
  source: ConsentSource | undefined;
  reason: string | undefined;
  reasonCode: string | undefined;
  profileId: string | undefined;
  updatedAt: string | undefined;
  updatedBy: string | undefined;
  /** Incremented on every write of the state; the processor's writes are conditional on it. */
  version: number;
  /** The sequence of the last manual event applied to this number, whether it changed the state or not. */
  lastSeq: number;
  /**
   * When the latest manual decision on this number was requested. A provider failure that happened
   * before it was known to nobody who decided, and must not overturn the decision.
   */
  decidedAt: string | undefined;
  /**
   * When the latest provider failure that blocked this number (or found it blocked already) happened.
   * A manual request made before it was made without knowing of it, and must not overturn it.
   */
  automaticAt: string | undefined;
  /** The recipient's marketing opt-out, if any; blocks and unblocks leave it as it is. */
  marketingOptOut: MarketingOptOut | undefined;
  /** When the latest marketing `stop` or `resume` that was applied happened; an older one loses. */
  marketingChangedAt: string | undefined;
}

/** What applying an event did; also the final status of its request. */
export type Outcome = 'applied' | 'unchanged' | 'superseded';

/** `next` is the state to write; an event that changes nothing about the number writes none. */
export type Transition =
  | { outcome: 'superseded' }
  | { outcome: 'unchanged'; next: ConsentState | undefined }
  | { outcome: 'applied'; next: ConsentState };

/** Decides what an event does to the current state (see {@link manualTransition}, {@link automaticTransition}). */
export function transition(current: ConsentState | undefined, event: ConsentEvent, appliedAt: string): Transition {
  return event.source === 'manual'
    ? manualTransition(current, event, appliedAt)
    : automaticTransition(current, event, appliedAt);
}

const blockedBy: Record<ConsentAction, boolean> = { block: true, unblock: false };

/**
 * 1. An event whose sequence is not newer than the last one applied is `superseded`: it changes nothing.
 * 2. So is a request made before the latest provider failure on the number (a redrive, or an event
 *    that waited): whoever asked did not know of it. Meta's timestamps are whole seconds, so a failure
 *    at 12:00:05 may have happened any time before 12:00:06; a request made within that second counts
 *    as made after the failure, and the person's decision stands (as {@link automaticTransition} lets
 *    it stand against a failure in the same second, whichever is applied first).
 * 3. An event that asks for the state the number already has is `unchanged`: only `lastSeq` and
 *    `decidedAt` move on, so an older event that arrives later is still recognised as stale.
 * 4. Otherwise it is `applied`: the new state carries the event's action, reason and actor.
 */
function manualTransition(current: ConsentState | undefined, event: ManualConsentEvent, appliedAt: string): Transition {
  if (current && event.sequence <= current.lastSeq) {
    return { outcome: 'superseded' };
  }
  if (current?.automaticAt !== undefined && Date.parse(event.requestedAt) < Date.parse(current.automaticAt)) {
    return { outcome: 'superseded' };
  }
  const wantsBlocked = blockedBy[event.action];
  const decided = { lastSeq: event.sequence, decidedAt: event.requestedAt, version: (current?.version ?? 0) + 1 };
  if (current && current.blocked === wantsBlocked) {
    return { outcome: 'unchanged', next: { ...current, ...decided } };
  }
  const next: ConsentState = {
    phone: event.phone,
    blocked: wantsBlocked,
    source: 'manual',
    reason: event.reason,
    reasonCode: undefined,
    profileId: event.profileId,
    updatedAt: appliedAt,
    updatedBy: event.actor.username,
    automaticAt: current?.automaticAt,
    marketingOptOut: current?.marketingOptOut,
    marketingChangedAt: current?.marketingChangedAt,
    ...decided,
  };
  // Never seen means unblocked; the state is still written, so that a stale block cannot win later.
  return { outcome: current || wantsBlocked ? 'applied' : 'unchanged', next };
}

/**
 * 1. A marketing opt-out is recorded and changes nothing.
 * 2. A failure from before the latest manual decision is `superseded`: someone decided after it.
 * 3. A failure on a number already blocked is `unchanged`.
 * 4. Otherwise the number is blocked, with the provider's code and reason; `lastSeq` and `decidedAt`
 *    stay, so manual requests keep their order.
 */
function automaticTransition(current: ConsentState | undefined, event: AutomaticConsentEvent, appliedAt: string): Transition {
  if (event.action === 'wa_opted_out' || event.action === 'wa_opted_in') return marketingTransition(current, event);
  if (event.action === 'wa_start_keyword') return startKeywordTransition(current, event, appliedAt);
  if (current?.decidedAt !== undefined && Date.parse(event.occurredAt) <= Date.parse(current.decidedAt)) {
    return { outcome: 'superseded' };
  }
  if (current?.blocked) {
    // Nothing changes for campaigns, but the failure's time is kept: a manual request made before it
    // must not unblock the number later.
    const automaticAt = later(current.automaticAt, event.occurredAt);
    return automaticAt === current.automaticAt
      ? { outcome: 'unchanged', next: undefined }
      : { outcome: 'unchanged', next: { ...current, automaticAt, version: current.version + 1 } };
  }
  return {
    outcome: 'applied',
    next: {
      phone: event.phone,
      blocked: true,
      source: event.action === 'wa_stop_keyword' ? 'recipient' : 'automatic',
      reason: event.reason,
      reasonCode: event.reasonCode,
      profileId: undefined,
      updatedAt: appliedAt,
      updatedBy: changedBy(event),
      version: (current?.version ?? 0) + 1,
      lastSeq: current?.lastSeq ?? 0,
      decidedAt: current?.decidedAt,
      automaticAt: later(current?.automaticAt, event.occurredAt),
      marketingOptOut: current?.marketingOptOut,
      marketingChangedAt: current?.marketingChangedAt,
    },
  };
}

/**
 * A recipient's marketing preference (`wa_opted_out`: stop, `wa_opted_in`: resume):
 * 1. A signal older than the latest one applied is `superseded`: the recipient changed their mind since.
 * 2. A signal that asks for what the number already has is `unchanged`; its time is kept if it is later.
 * 3. Otherwise it is `applied`: the opt-out is set, with its time, source and sender, or ended. The block
 *    state is not touched, and a number never seen gets a state that holds the opt-out alone.
 */
function marketingTransition(current: ConsentState | undefined, event: AutomaticConsentEvent): Transition {
  if (current?.marketingChangedAt !== undefined && Date.parse(event.occurredAt) < Date.parse(current.marketingChangedAt)) {
    return { outcome: 'superseded' };
  }
  const base = current ?? neverChanged(event.phone);
  const wantsOptOut = event.action === 'wa_opted_out';
  const marketingChangedAt = later(base.marketingChangedAt, event.occurredAt);
  if (wantsOptOut === (base.marketingOptOut !== undefined)) {
    return marketingChangedAt === base.marketingChangedAt
      ? { outcome: 'unchanged', next: undefined }
      : { outcome: 'unchanged', next: { ...base, marketingChangedAt, version: base.version + 1 } };
  }
  const optOut: MarketingOptOut = {
    since: event.occurredAt,
    source: event.reasonCode === undefined ? 'user_preferences' : 'delivery_failure',
    sender: event.actor.phoneNumberId,
  };
  return {
    outcome: 'applied',
    next: { ...base, marketingOptOut: wantsOptOut ? optOut : undefined, marketingChangedAt, version: base.version + 1 },
  };
}

/**
 * An opt-in keyword from the recipient lifts a block the recipient made, and no other:
 * 1. A keyword from before the latest block or decision on the number is `superseded`.
 * 2. A number not blocked, or blocked by an editor or the provider, is `unchanged`.
 * 3. A block the recipient made is lifted: the number is unblocked, at the recipient's word.
 */
function startKeywordTransition(current: ConsentState | undefined, event: AutomaticConsentEvent, appliedAt: string): Transition {
  const latest = [current?.decidedAt, current?.automaticAt].filter((time): time is string => time !== undefined);
  if (latest.some((time) => Date.parse(event.occurredAt) < Date.parse(time))) return { outcome: 'superseded' };
  if (!current?.blocked || current.source !== 'recipient') return { outcome: 'unchanged', next: undefined };
  return {
    outcome: 'applied',
    next: {
      ...current,
      blocked: false,
      reason: event.reason,
      reasonCode: undefined,
      updatedAt: appliedAt,
      updatedBy: changedBy(event),
      automaticAt: event.occurredAt,
      version: current.version + 1,
    },
  };
}

/**
 * Who the state names as its last changer: the editor who released a held block, the recipient for
 * keywords, else the business number told.
 */
function changedBy(event: AutomaticConsentEvent): string {
  if (event.release) return event.release.actor.username;
  return event.action === 'wa_stop_keyword' || event.action === 'wa_start_keyword'
    ? `recipient:${event.recipientId}`
    : `whatsapp:${event.actor.phoneNumberId}`;
}

/** The state of a number that nobody and nothing has changed yet: unblocked, no opt-out. */
function neverChanged(phone: E164): ConsentState {
  return {
    phone,
    blocked: false,
    source: undefined,
    reason: undefined,
    reasonCode: undefined,
    profileId: undefined,
    updatedAt: undefined,
    updatedBy: undefined,
    version: 0,
    lastSeq: 0,
    decidedAt: undefined,
    automaticAt: undefined,
    marketingOptOut: undefined,
    marketingChangedAt: undefined,
  };
}

/** The later of two ISO timestamps; either may be missing. */
function later(a: string | undefined, b: string): string {
  return a !== undefined && Date.parse(a) >= Date.parse(b) ? a : b;
}
