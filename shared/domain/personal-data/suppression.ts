import { isDeepStrictEqual } from 'node:util';
import type { ConsentState } from '../consent-state.js';
import { blocksInForce, consentOf, marketingStop, recipientStop, type KeywordWord, type MarketingWord, type Registers } from '../consent/registers.js';

/** The event id of every word of a suppression record: the ids of the signals it keeps went with their history. */
export const ERASED_EVENT_ID = 'erased';

/**
 * What stays of a number's state when its personal data is erased: a suppression record, only while
 * the number is blocked or opted out of marketing, so that the check, the blocklist and the change
 * events still honour the objection. It keeps the number, `blocked` or the opt-out, the source and the
 * date, and nothing else: no reasons, people, profiles, codes or senders. `undefined` for a number that
 * is sendable with no opt-out (nothing stays) or was never changed.
 *
 * It is a state like any other, so that later signals are merged into it as into any state:
 * 1. Each register whose word is in force stays, stripped to its kind, time and order: the editors'
 *    block (with its sequence, so that a later request still orders after it), the failure, the
 *    recipient's STOP (this number's own or carried to it), the marketing stop (likewise).
 * 2. Every other register goes: words no longer in force, and the number the recipient moved to.
 * 3. What is shown is computed from those registers, as for any state; the date of its last change
 *    stays, and its version moves on, so that a processor that read the state before writes nothing.
 */
export function suppressionOf(state: ConsentState | undefined): ConsentState | undefined {
  if (!state) return undefined;
  const { editors, failure, keyword, marketing } = state.registers;
  const inForce = blocksInForce(state.registers);
  const stop = recipientStop(state.registers);
  const optOut = marketingStop(state.registers);
  const registers: Registers = {};
  if (inForce.includes('manual') && editors) {
    registers.editors = { at: editors.at, by: 'person', blocking: true, sequence: editors.sequence, eventId: ERASED_EVENT_ID, action: 'block', reason: '', updatedBy: '', profileId: undefined };
  }
  if (inForce.includes('automatic') && failure) {
    registers.failure = { at: failure.at, by: failure.by, blocking: true, eventId: ERASED_EVENT_ID, reasonCode: undefined, reason: '', updatedBy: '' };
  }
  if (inForce.includes('recipient') && stop) registers[stop === keyword ? 'keyword' : 'carriedKeyword'] = strippedStop(stop);
  if (optOut) registers[optOut === marketing ? 'marketing' : 'carriedMarketing'] = strippedOptOut(optOut);
  if (Object.keys(registers).length === 0) return undefined;
  return { phone: state.phone, ...consentOf(registers), updatedAt: state.updatedAt, version: state.version + 1, registers };
}

function strippedStop(word: KeywordWord): KeywordWord {
  return { at: word.at, by: word.by, blocking: true, eventId: ERASED_EVENT_ID, keyword: 'stop', reason: '', updatedBy: '', ...(word.origin ? { origin: word.origin } : {}) };
}

function strippedOptOut(word: MarketingWord): MarketingWord {
  return { at: word.at, by: 'provider', blocking: true, eventId: ERASED_EVENT_ID, preference: 'stop', source: word.source, sender: '', ...(word.origin ? { origin: word.origin } : {}) };
}

/** Whether a state is already its own suppression record (an erasure repeated): nothing to write. */
export function isSuppression(state: ConsentState | undefined): boolean {
  const suppressed = suppressionOf(state);
  // As stored: absent and undefined attributes are alike, and the order of a map's keys is not kept.
  const stored = (registers: Registers) => JSON.parse(JSON.stringify(registers)) as unknown;
  return state !== undefined && suppressed !== undefined && isDeepStrictEqual(stored(suppressed.registers), stored(state.registers));
}
