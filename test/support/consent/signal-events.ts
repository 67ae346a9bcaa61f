import fc from 'fast-check';
import type { AutomaticConsentEvent, ConsentEvent, ManualConsentEvent } from '../../../shared/domain/consent-event.js';
import type { E164 } from '../../../shared/domain/phone.js';
import type { Signal } from './reference-fold.js';

/** The business number the generated provider signals come from. */
export const SENDER = { type: 'provider', provider: 'whatsapp', phoneNumberId: '106540352242922', displayPhoneNumber: '15550783881' } as const;
const EDITOR = { type: 'user', sub: 'sub-erin', username: 'erin' } as const;

/**
 * The consent event that carries a signal for a number, as the API, an import or the webhook would queue
 * it. `key` makes its ids unique (a test's case and the signal's place in it).
 */
export function eventOf(signal: Signal, phone: E164, key: string): ConsentEvent {
  if (signal.kind === 'decision') {
    const manual: ManualConsentEvent = {
      version: 1,
      eventId: `req-${key}`,
      requestId: `req-${key}`,
      source: 'manual',
      action: signal.action,
      phone,
      reason: `${signal.action} ${key}`,
      actor: EDITOR,
      requestedAt: signal.at,
      sequence: signal.sequence,
    };
    return manual;
  }
  const provider = {
    version: 1,
    eventId: `wa-${key}`,
    source: 'automatic',
    phone,
    alternatives: [] as E164[],
    recipientId: phone.slice(1),
    actor: SENDER,
  } as const;
  const automatic = (fields: Pick<AutomaticConsentEvent, 'action' | 'reason' | 'occurredAt'> & Partial<AutomaticConsentEvent>): AutomaticConsentEvent => ({
    ...provider,
    ...fields,
  });
  switch (signal.kind) {
    case 'failure':
      return automatic({ action: 'wa_blocked', reasonCode: '131026', reason: 'Message undeliverable', providerMessageId: `wamid.${key}`, occurredAt: signal.at });
    case 'release':
      return automatic({
        eventId: `release-${key}`,
        action: 'wa_blocked',
        reasonCode: '131026',
        reason: 'Message undeliverable',
        occurredAt: new Date(Date.parse(signal.at) - 3_600_000).toISOString(),
        release: { heldEventId: `held-${key}`, actor: EDITOR, reason: 'the outage is over; these are real', releasedAt: signal.at },
      });
    case 'keyword':
      return automatic({
        action: signal.word === 'stop' ? 'wa_stop_keyword' : 'wa_start_keyword',
        reason: `The recipient wrote "${signal.word.toUpperCase()}"`,
        providerMessageId: `wamid.${key}`,
        occurredAt: signal.at,
      });
    case 'marketing':
      return automatic({
        action: signal.value === 'stop' ? 'wa_opted_out' : 'wa_opted_in',
        reason: signal.value === 'stop' ? 'The recipient stopped marketing messages' : 'The recipient resumed marketing messages',
        occurredAt: signal.at,
      });
    case 'carried':
      throw new Error('A carried signal is what the processor makes of a number change; send the change instead');
  }
}

/** Meta's system message that the recipient of `from` changed to `to` at `at`, as the webhook queues it. */
export function numberChangeOf(from: E164, to: E164, at: string, key: string): AutomaticConsentEvent {
  return {
    version: 1,
    eventId: `moved-${key}`,
    source: 'automatic',
    action: 'wa_number_changed',
    phone: from,
    alternatives: [],
    recipientId: from.slice(1),
    reason: `The recipient changed number to ${to}`,
    actor: SENDER,
    occurredAt: at,
    movedTo: { phone: to, alternatives: [], recipientId: to.slice(1) },
  };
}

const BASE = Date.parse('2026-03-01T10:00:00.000Z');

/** A whole second near the base time: few of them, so that signals often share one. */
const second = fc.integer({ min: 0, max: 5 }).map((offset) => BASE + offset * 1000);
const wholeSecond = second.map((ms) => new Date(ms).toISOString());

/**
 * The signals a signed webhook carries (failures, keywords, marketing preferences), at whole seconds
 * from `base` on; distinct, since a repeat is the same callback delivered again.
 */
export const webhookSignalSets = (base: number, maxLength = 6): fc.Arbitrary<Signal[]> => {
  const at = fc.integer({ min: 0, max: 4 }).map((offset) => new Date(base + offset * 1000).toISOString());
  return fc.uniqueArray(
    fc.oneof(
      fc.record({ kind: fc.constant('failure' as const), at }),
      fc.record({ kind: fc.constant('keyword' as const), word: fc.constantFrom('stop' as const, 'start' as const), at }),
      fc.record({ kind: fc.constant('marketing' as const), value: fc.constantFrom('stop' as const, 'resume' as const), at }),
    ),
    { minLength: 1, maxLength, selector: (signal) => JSON.stringify(signal) },
  );
};
/** People's clocks have milliseconds; distinct ones, so that no two people's signals tie (see the fold). */
const personTime = fc.tuple(second, fc.integer({ min: 0, max: 999 }));

type Drafted = Exclude<Signal, { kind: 'decision' }> | { kind: 'decision'; action: 'block' | 'unblock'; ms: number };

const drafted: fc.Arbitrary<Drafted> = fc.oneof(
  fc.record({ kind: fc.constant('decision' as const), action: fc.constantFrom('block' as const, 'unblock' as const), ms: personTime.map(([s, ms]) => s + ms) }),
  fc.record({ kind: fc.constant('failure' as const), at: wholeSecond }),
  fc.record({ kind: fc.constant('release' as const), at: personTime.map(([s, ms]) => new Date(s + ms).toISOString()) }),
  fc.record({ kind: fc.constant('keyword' as const), word: fc.constantFrom('stop' as const, 'start' as const), at: wholeSecond }),
  fc.record({ kind: fc.constant('marketing' as const), value: fc.constantFrom('stop' as const, 'resume' as const), at: wholeSecond }),
);

/**
 * A set of signals about one number: people's decisions get sequences in the order of their times, as
 * the API hands them out, and no two people's signals share a millisecond.
 */
export const signalSets = (maxLength = 8): fc.Arbitrary<Signal[]> =>
  fc
    .uniqueArray(drafted, {
      minLength: 1,
      maxLength,
      selector: (signal) => (signal.kind === 'decision' ? signal.ms : signal.kind === 'release' ? Date.parse(signal.at) : `${signal.kind}-${JSON.stringify(signal)}`),
    })
    .map((signals) => {
      const decisions = signals.flatMap((signal) => (signal.kind === 'decision' ? [signal] : [])).sort((a, b) => a.ms - b.ms);
      const sequenceOf = new Map(decisions.map((decision, index) => [decision, index + 1]));
      return signals.map((signal): Signal =>
        signal.kind === 'decision'
          ? { kind: 'decision', action: signal.action, sequence: sequenceOf.get(signal)!, at: new Date(signal.ms).toISOString() }
          : signal,
      );
    })
    .filter((signals) => noPersonsTie(signals));

/** Releases and decisions in one millisecond are what the fold leaves undecided. */
function noPersonsTie(signals: readonly Signal[]): boolean {
  const times = signals.filter((signal) => signal.kind === 'decision' || signal.kind === 'release').map((signal) => signal.at);
  return new Set(times).size === times.length;
}

/**
 * An arrival order for `count` signals: each of them once, in any order, with some delivered again
 * (Meta's retries, a redrive) at any later place.
 */
export const arrivalOrders = (count: number, maxRepeats = 3): fc.Arbitrary<number[]> =>
  fc
    .tuple(
      fc.shuffledSubarray(
        Array.from({ length: count }, (_, index) => index),
        { minLength: count, maxLength: count },
      ),
      fc.array(fc.tuple(fc.nat({ max: count - 1 }), fc.nat()), { maxLength: maxRepeats }),
    )
    .map(([order, repeats]) => {
      const arrival = [...order];
      for (const [signal, place] of repeats) arrival.splice(place % (arrival.length + 1), 0, signal);
      return arrival;
    });

/** A set of signals with an arrival order of them. */
export const deliveries = (maxLength = 8, maxRepeats = 3) =>
  signalSets(maxLength).chain((signals) => arrivalOrders(signals.length, maxRepeats).map((arrival) => ({ signals, arrival })));
