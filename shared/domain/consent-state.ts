import type { E164 } from './e164.js';
import type { AutomaticConsentEvent, ConsentEvent, ManualConsentEvent } from './consent-event-shapes.js';
import { blocksInForce, consentOf, merged, type Registers, type Said, type VisibleConsent } from './consent/registers.js';
import { compareSignals, type SignalTime } from './consent/signal-order.js';

export type { ConsentSource, MarketingOptOut, MarketingOptOutSource, Registers } from './consent/registers.js';

/**
 * The consent of one number. A number that was never changed has no state and is unblocked. What
 * campaigns and people see (`blocked` to `marketingOptOut`) is computed from `registers`, what each
 * source last said, and stored beside them for readers. The block fields are absent while nobody and
 * nothing has blocked or unblocked the number (a state that holds only a marketing opt-out).
 */
export interface ConsentState extends VisibleConsent {
  phone: E164;
  /** When what is shown of the number last changed, by the processor's clock (the blocklist's order). */
  updatedAt: string | undefined;
  /** Incremented on every write of the state; the processor's writes are conditional on it. */
  version: number;
  registers: Registers;
}

/** What applying an event did; also the final status of its request. */
export type Outcome = 'applied' | 'unchanged' | 'superseded';

/**
 * `next` is the state to write (none when the event's register already held a later signal);
 * `newlyBlocked` says that it blocks a number that campaigns could reach until now.
 */
export interface Transition {
  outcome: Outcome;
  next: ConsentState | undefined;
  newlyBlocked: boolean;
}

/**
 * Merges an event into the number's registers and says what came of it.
 *
 * 1. The event goes to its source's register (the editors' last decision, the latest failure, the
 *    recipient's latest keyword, the marketing preference). A register that holds a later signal keeps
 *    it: the event is `superseded`, and nothing is written.
 * 2. Otherwise the register moves on, and the state is written with it, even when nothing shown changes,
 *    so that a later-arriving older signal is still recognised as older.
 * 3. The outcome: `applied` when the event got what it asked for and the number's block (or, while
 *    blocked, its source), or its marketing opt-out, changed; `superseded` when it did not get what it asked for because a later
 *    signal of another source decides the matter; else `unchanged`.
 *
 * The registers, and so what is shown, do not depend on the order the events arrive in; the outcomes do.
 */
export function transition(current: ConsentState | undefined, event: ConsentEvent, appliedAt: string): Transition {
  const said = saidBy(event);
  const before = current?.registers ?? {};
  const registers = merged(before, said);
  if (!registers) return { outcome: 'superseded', next: undefined, newlyBlocked: false };
  const was = current ?? neverChanged(event.phone);
  const now = consentOf(registers);
  const next: ConsentState = {
    phone: event.phone,
    ...now,
    updatedAt: sameShown(was, now) ? was.updatedAt : appliedAt,
    version: was.version + 1,
    registers,
  };
  return { outcome: outcomeOf(said, was, next), next, newlyBlocked: now.blocked && !was.blocked };
}

function outcomeOf(said: Said, was: VisibleConsent, now: ConsentState): Outcome {
  // The number a recipient left keeps its state: only where they went is recorded.
  if (said.register === 'moved') return 'unchanged';
  if (said.register === 'marketing' || said.register === 'carriedMarketing') {
    return (was.marketingOptOut !== undefined) !== (now.marketingOptOut !== undefined) ? 'applied' : 'unchanged';
  }
  const asked = said.word.blocking;
  if (now.blocked !== asked) return decidedByLater(said.word, now.registers) ? 'superseded' : 'unchanged';
  return was.blocked !== now.blocked || (now.blocked && was.source !== now.source) ? 'applied' : 'unchanged';
}

/**
 * Whether a later signal of another source keeps the number from what `word` asked: the editors' later
 * unblock (for a block), or a block in force that is later (for an unblock or a START).
 */
function decidedByLater(word: SignalTime, registers: Registers): boolean {
  const { editors, failure, keyword } = registers;
  if (word.blocking) return editors?.action === 'unblock' && compareSignals(editors, word) > 0;
  const words = { manual: editors, automatic: failure, recipient: keyword };
  return blocksInForce(registers).some((source) => {
    const block = words[source];
    return block !== undefined && compareSignals(block, word) > 0;
  });
}

/** The register an event speaks to, and what it says there. */
export function saidBy(event: ConsentEvent): Said {
  return event.source === 'manual' ? editorsSaid(event) : providerSaid(event);
}

function editorsSaid(event: ManualConsentEvent): Said {
  return {
    register: 'editors',
    word: {
      at: event.requestedAt,
      by: 'person',
      blocking: event.action === 'block',
      sequence: event.sequence,
      eventId: event.eventId,
      action: event.action,
      reason: event.reason,
      updatedBy: event.actor.username,
      profileId: event.profileId,
    },
  };
}

function providerSaid(event: AutomaticConsentEvent): Said {
  const common = { eventId: event.eventId, reason: event.reason };
  // A signal carried from the recipient's previous number is dated when they changed number, and keeps
  // when they gave it, in registers of its own.
  const carried = event.carriedFrom ? { origin: event.carriedFrom.signalAt } : {};
  switch (event.action) {
    case 'wa_blocked':
      // A held block an editor released is that editor's decision, at the time of the release.
      return {
        register: 'failure',
        word: event.release
          ? { ...common, at: event.release.releasedAt, by: 'person', blocking: true, reasonCode: event.reasonCode, updatedBy: event.release.actor.username }
          : {
              ...common,
              at: event.occurredAt,
              by: 'provider',
              blocking: true,
              reasonCode: event.reasonCode,
              updatedBy: `whatsapp:${event.actor.phoneNumberId}`,
              ...(event.actor.displayPhoneNumber ? { senderDisplay: event.actor.displayPhoneNumber } : {}),
            },
      };
    case 'wa_stop_keyword':
    case 'wa_start_keyword': {
      const keyword = event.action === 'wa_stop_keyword' ? 'stop' : 'start';
      return {
        register: event.carriedFrom ? 'carriedKeyword' : 'keyword',
        word: { ...common, ...carried, at: event.occurredAt, by: 'provider', blocking: keyword === 'stop', keyword, updatedBy: `recipient:${event.recipientId}` },
      };
    }
    case 'wa_opted_out':
    case 'wa_opted_in':
      return {
        register: event.carriedFrom ? 'carriedMarketing' : 'marketing',
        word: {
          eventId: event.eventId,
          ...carried,
          at: event.occurredAt,
          by: 'provider',
          blocking: event.action === 'wa_opted_out',
          preference: event.action === 'wa_opted_out' ? 'stop' : 'resume',
          source: event.reasonCode === undefined ? 'user_preferences' : 'delivery_failure',
          sender: event.actor.phoneNumberId,
        },
      };
    case 'wa_number_changed':
      if (!event.movedTo) throw new Error(`Number change ${event.eventId} names no new number`);
      return {
        register: 'moved',
        word: { eventId: event.eventId, at: event.occurredAt, by: 'provider', blocking: false, to: event.movedTo, sender: event.actor.phoneNumberId },
      };
  }
}

/** Whether two states show the same: a change of any of it dates the state anew. */
function sameShown(a: VisibleConsent, b: VisibleConsent): boolean {
  const fields: (keyof VisibleConsent)[] = ['blocked', 'source', 'reason', 'reasonCode', 'profileId', 'updatedBy'];
  const optOut = (state: VisibleConsent) => JSON.stringify(state.marketingOptOut ?? null);
  return fields.every((field) => a[field] === b[field]) && optOut(a) === optOut(b);
}

/** The state of a number that nobody and nothing has changed yet: unblocked, no opt-out. */
function neverChanged(phone: E164): ConsentState {
  return { phone, ...consentOf({}), updatedAt: undefined, version: 0, registers: {} };
}
