import fc from 'fast-check';
import { transition, type ConsentState } from '../../../shared/domain/consent-state.js';
import type { ConsentEvent } from '../../../shared/domain/consent-event.js';
import { fold, type Signal } from '../../support/consent/reference-fold.js';
import { deliveries, eventOf } from '../../support/consent/signal-events.js';
import { PHONE } from '../support/samples.js';

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
