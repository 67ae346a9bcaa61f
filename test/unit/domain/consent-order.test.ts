import fc from 'fast-check';
import { transition, type ConsentState } from '../../../shared/domain/consent-state.js';
import type { AutomaticConsentEvent, ConsentEvent } from '../../../shared/domain/consent-event.js';
import { carriedSignals } from '../../../shared/domain/whatsapp/number-change.js';
import { carriedBy, fold, type Signal } from '../../support/consent/reference-fold.js';
import { arrivalOrders, deliveries, eventOf, numberChangeOf, signalSets } from '../../support/consent/signal-events.js';
import { OTHER_PHONE, PHONE } from '../support/samples.js';

const APPLIED_AT = '2026-03-02T00:00:00.000Z';

/** Applies events in the order given, as the processor does one number's queue. */
function applyAll(events: readonly ConsentEvent[]): ConsentState | undefined {
  let state: ConsentState | undefined;
  for (const event of events) state = transition(state, event, APPLIED_AT).next ?? state;
  return state;
}

function eventsOf(signals: readonly Signal[]): ConsentEvent[] {
  return signals.map((signal, index) => eventOf(signal, PHONE, String(index)));
}

function shown(state: ConsentState | undefined) {
  return { blocked: state?.blocked ?? false, source: state?.blocked ? state.source : undefined, marketingOptOut: state?.marketingOptOut !== undefined };
}

describe('a number’s consent is a function of its signals, not of their arrival order', () => {
  it('ends as the reference fold says, for any set of signals in any order, with repeats', () => {
    fc.assert(
      fc.property(deliveries(), ({ signals, arrival }) => {
        // prepare
        const events = eventsOf(signals);

        // act
        const state = applyAll(arrival.map((index) => events[index]!));

        // assess
        expect(shown(state)).toEqual(fold(signals));
      }),
      { numRuns: 5_000 },
    );
  });

  it('shows the same reason, code and changer whatever the order (only the time of the change depends on it)', () => {
    fc.assert(
      fc.property(deliveries().chain(({ signals, arrival }) => fc.shuffledSubarray(arrival, { minLength: arrival.length }).map((other) => ({ signals, arrival, other }))), ({ signals, arrival, other }) => {
        const events = eventsOf(signals);
        const [one, two] = [arrival, other].map((order) => applyAll(order.map((index) => events[index]!)));
        const { updatedAt: _one, version: _v1, ...first } = one ?? ({} as ConsentState);
        const { updatedAt: _two, version: _v2, ...second } = two ?? ({} as ConsentState);
        expect(second).toEqual(first);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('the findings that order independence fixes', () => {
  const at = (seconds: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + seconds * 1000).toISOString();
  const cases: [string, Signal[], number[], ReturnType<typeof fold>][] = [
    [
      'a late STOP does not undo a later START (STOP t1, START t3, then STOP t2)',
      [
        { kind: 'keyword', word: 'stop', at: at(1) },
        { kind: 'keyword', word: 'start', at: at(3) },
        { kind: 'keyword', word: 'stop', at: at(2) },
      ],
      [0, 1, 2],
      { blocked: false, source: undefined, marketingOptOut: false },
    ],
    [
      'a START applied before an earlier STOP still has the last word',
      [
        { kind: 'keyword', word: 'stop', at: at(1) },
        { kind: 'keyword', word: 'start', at: at(2) },
      ],
      [1, 0],
      { blocked: false, source: undefined, marketingOptOut: false },
    ],
    [
      'START does not lift an editor’s block made after the STOP (STOP, editor block, START)',
      [
        { kind: 'keyword', word: 'stop', at: at(1) },
        { kind: 'decision', action: 'block', sequence: 1, at: at(2) },
        { kind: 'keyword', word: 'start', at: at(3) },
      ],
      [0, 1, 2],
      { blocked: true, source: 'manual', marketingOptOut: false },
    ],
    [
      'START does not lift an editor’s block made before the STOP (editor block, STOP, START)',
      [
        { kind: 'decision', action: 'block', sequence: 1, at: at(1) },
        { kind: 'keyword', word: 'stop', at: at(2) },
        { kind: 'keyword', word: 'start', at: at(3) },
      ],
      [0, 1, 2],
      { blocked: true, source: 'manual', marketingOptOut: false },
    ],
    [
      'START does not lift a 131026 failure on a number the recipient had blocked (STOP, failure, START)',
      [
        { kind: 'keyword', word: 'stop', at: at(1) },
        { kind: 'failure', at: at(2) },
        { kind: 'keyword', word: 'start', at: at(3) },
      ],
      [0, 1, 2],
      { blocked: true, source: 'automatic', marketingOptOut: false },
    ],
    [
      'a held block released after an editor’s unblock blocks the number again: the release is the later decision',
      [
        { kind: 'decision', action: 'unblock', sequence: 1, at: at(2) },
        { kind: 'release', at: at(3) },
      ],
      [0, 1],
      { blocked: true, source: 'automatic', marketingOptOut: false },
    ],
  ];

  it.each(cases)('%s', (_name, signals, arrival, expected) => {
    // prepare
    const events = eventsOf(signals);

    // act
    const state = applyAll(arrival.map((index) => events[index]!));

    // assess
    expect(fold(signals)).toEqual(expected);
    expect(shown(state)).toEqual(expected);
  });
});

describe('a recipient who changes number keeps their word, whatever the order', () => {
  const BASE = Date.parse('2026-03-01T10:00:00.000Z');
  const CHANGED_AT = new Date(BASE + 4_000).toISOString();
  const NEW_PHONE = OTHER_PHONE;
  const shifted = (signal: Signal, ms: number): Signal => ({ ...signal, at: new Date(Date.parse(signal.at) + ms).toISOString() }) as Signal;
  /** The old number's signals (its recipient's words all before the change), the new number's own (around and after it). */
  const scenario = fc
    .tuple(signalSets(6), signalSets(5), fc.integer({ min: 0, max: 2 }))
    .map(([old, own, repeats]) => ({
      old: old.filter((signal) => (signal.kind !== 'keyword' && signal.kind !== 'marketing') || Date.parse(signal.at) <= Date.parse(CHANGED_AT)),
      own: own.map((signal) => shifted(signal, 2_000)),
      repeats,
    }))
    .filter(({ old }) => old.length > 0)
    .chain((s) =>
      fc.record({
        oldArrival: arrivalOrders(s.old.length + 1, s.repeats),
        ownArrival: arrivalOrders(s.own.length, s.repeats),
        schedule: fc.array(fc.boolean(), { maxLength: 60 }),
      }).map((orders) => ({ ...s, ...orders })),
    );

  it('ends both numbers as the reference fold says, the new one with the words the recipient carried', () => {
    fc.assert(
      fc.property(scenario, ({ old, own, oldArrival, ownArrival, schedule }) => {
        // prepare: each number's queue in its arrival order; the change is the old number's last signal
        const oldEvents = [...old.map((signal, index) => eventOf(signal, PHONE, `old-${index}`)), numberChangeOf(PHONE, NEW_PHONE, CHANGED_AT, 'change')];
        const ownEvents = own.map((signal, index) => eventOf(signal, NEW_PHONE, `new-${index}`));
        const oldQueue = oldArrival.map((index) => oldEvents[index]!);
        const newQueue = ownArrival.map((index) => ownEvents[index]!);
        let oldState: ConsentState | undefined;
        let newState: ConsentState | undefined;

        // act: the two queues are served in an arbitrary interleaving; carried events join the new one's
        let step = 0;
        while (oldQueue.length > 0 || newQueue.length > 0) {
          const takeOld = oldQueue.length > 0 && (newQueue.length === 0 || (schedule[step++] ?? true));
          if (takeOld) {
            const event = oldQueue.shift()!;
            oldState = transition(oldState, event, APPLIED_AT).next ?? oldState;
            newQueue.push(...carriedSignals(event, oldState));
          } else {
            newState = transition(newState, newQueue.shift()!, APPLIED_AT).next ?? newState;
          }
        }

        // assess
        expect(shown(oldState)).toEqual(fold(old));
        expect(shown(newState)).toEqual(fold([...own, ...carriedBy(old, CHANGED_AT)]));
      }),
      { numRuns: 3_000 },
    );
  });

  it('carries a STOP given on the old number to the new one, and the new number’s own later START lifts it', () => {
    const stop = eventOf({ kind: 'keyword', word: 'stop', at: new Date(BASE + 1_000).toISOString() }, PHONE, 'stop') as AutomaticConsentEvent;
    const change = numberChangeOf(PHONE, NEW_PHONE, CHANGED_AT, 'change');

    const old = applyAll([stop, change]);
    const carried = carriedSignals(change, old);
    const moved = applyAll(carried);

    expect(shown(old)).toEqual({ blocked: true, source: 'recipient', marketingOptOut: false });
    expect(carried).toEqual([expect.objectContaining({ phone: NEW_PHONE, action: 'wa_stop_keyword', occurredAt: CHANGED_AT, carriedFrom: { phone: PHONE, signalAt: stop.occurredAt, eventId: stop.eventId } })]);
    expect(shown(moved)).toEqual({ blocked: true, source: 'recipient', marketingOptOut: false });
    const start = eventOf({ kind: 'keyword', word: 'start', at: new Date(BASE + 6_000).toISOString() }, NEW_PHONE, 'start');
    expect(shown(transition(moved, start, APPLIED_AT).next)).toEqual({ blocked: false, source: undefined, marketingOptOut: false });
  });
});
