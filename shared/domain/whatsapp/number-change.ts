import type { AutomaticConsentEvent, ConsentEvent } from '../consent-event.js';
import { REASON_MAX_LENGTH } from '../text.js';
import type { ConsentState } from '../consent-state.js';
import { saidBy } from '../consent-state.js';
import type { KeywordWord, MarketingWord, MovedWord, Said } from '../consent/registers.js';
import { eventIdFrom } from '../event-id.js';
import { withRecipient, type ApplyDependencies } from '../apply-consent-event.js';
import type { EventPublisher } from '../ports.js';

/** The actions that may carry something: a number change, and the recipient's own words. */
const CARRIES = new Set<AutomaticConsentEvent['action']>(['wa_number_changed', 'wa_stop_keyword', 'wa_start_keyword', 'wa_opted_out', 'wa_opted_in']);

/**
 * After an event was applied (or found applied before: the carry may have been lost with a crash),
 * queues what goes with a recipient who changed number, in the new number's turn
 * ({@link carriedSignals}). Sending again is harmless: the queue and the new number drop repeats.
 */
export async function carryToNewNumber(
  event: ConsentEvent,
  deps: Pick<ApplyDependencies, 'states' | 'profiles'> & { publisher: Pick<EventPublisher, 'publishAll'> },
): Promise<AutomaticConsentEvent[]> {
  if (event.source !== 'automatic' || !CARRIES.has(event.action)) return [];
  const applied = await withRecipient(event, deps.profiles);
  const carried = carriedSignals(applied, await deps.states.get(applied.phone));
  if (carried.length > 0) await deps.publisher.publishAll(carried);
  return carried;
}

/**
 * What goes with a recipient who changed number: the keyword and marketing preference they gave on the
 * old number before the change are applied to the new one, dated when they changed, in registers of
 * the new number's own (their later word there overrides them). Call it after an event was applied to
 * a number, with the number's state as it now is:
 *
 * 1. A number change: the old number's latest keyword and marketing preference (its own, or carried to
 *    it from a number before), if given before the change.
 * 2. A keyword or marketing preference of a number whose recipient had already moved, given before the
 *    move (it arrived late): that signal, so that the order of arrival does not matter.
 * 3. Anything else carries nothing. Each carried event's id is derived from the change and the signal,
 *    so carrying the same again (a redelivery, a crash before the send) is a repeat the new number drops.
 */
export function carriedSignals(event: ConsentEvent, state: ConsentState | undefined): AutomaticConsentEvent[] {
  const moved = state?.registers.moved;
  if (!state || !moved || event.source !== 'automatic') return [];
  if (event.action === 'wa_number_changed') {
    if (event.eventId !== moved.eventId) return [];
    const { keyword, carriedKeyword, marketing, carriedMarketing } = state.registers;
    const latest = <T extends KeywordWord | MarketingWord>(...words: (T | undefined)[]) =>
      words.filter((word): word is T => word !== undefined && givenBefore(word, moved)).sort((a, b) => Date.parse(originOf(b)) - Date.parse(originOf(a)))[0];
    const words = [latest(keyword, carriedKeyword), latest(marketing, carriedMarketing)];
    return words.flatMap((word) => (word ? [carried(word, state, moved)] : []));
  }
  const said = saidBy(event);
  if (!isRecipients(said) || !givenBefore(said.word, moved)) return [];
  return [carried(said.word, state, moved)];
}

function isRecipients(said: Said): said is Extract<Said, { word: KeywordWord | MarketingWord }> {
  return said.register === 'keyword' || said.register === 'carriedKeyword' || said.register === 'marketing' || said.register === 'carriedMarketing';
}

/** When the recipient gave a word: on this number, or on the one it was carried from. */
function originOf(word: KeywordWord | MarketingWord): string {
  return word.origin ?? word.at;
}

function givenBefore(word: KeywordWord | MarketingWord, moved: MovedWord): boolean {
  return Date.parse(word.at) <= Date.parse(moved.at);
}

function carried(word: KeywordWord | MarketingWord, state: ConsentState, moved: MovedWord): AutomaticConsentEvent {
  const isKeyword = 'keyword' in word;
  const action = isKeyword ? (word.keyword === 'stop' ? 'wa_stop_keyword' : 'wa_start_keyword') : word.preference === 'stop' ? 'wa_opted_out' : 'wa_opted_in';
  const said = isKeyword ? word.reason : word.preference === 'stop' ? 'The recipient stopped marketing messages' : 'The recipient resumed marketing messages';
  return {
    version: 1,
    eventId: eventIdFrom('carried', moved.eventId, word.eventId),
    source: 'automatic',
    action,
    phone: moved.to.phone,
    alternatives: moved.to.alternatives,
    recipientId: moved.to.recipientId,
    // A marketing stop that came as a 131050 failure keeps that source.
    ...(!isKeyword && word.source === 'delivery_failure' ? { reasonCode: '131050' } : {}),
    reason: [...`${said}, on ${state.phone} before changing number`].slice(0, REASON_MAX_LENGTH).join(''),
    actor: { type: 'provider', provider: 'whatsapp', phoneNumberId: isKeyword ? moved.sender : word.sender },
    occurredAt: moved.at,
    carriedFrom: { phone: state.phone, signalAt: originOf(word), eventId: word.eventId },
  };
}
