import fc from 'fast-check';
import type { ConsentAction } from '../../../shared/domain/consent-event.js';
import { transition, type ConsentState, type Transition } from '../../../shared/domain/consent-state.js';
import { PHONE, sampleState, sampleEvent } from '../support/samples.js';

const APPLIED_AT = '2025-01-02T03:04:06.000Z';

describe('transition', () => {
  it('applies a block of a number never seen, as version 1', () => {
    const event = sampleEvent({ action: 'block', sequence: 1 });

    expect(transition(undefined, event, APPLIED_AT)).toEqual({
      outcome: 'applied',
      next: {
        phone: PHONE,
        blocked: true,
        source: 'manual',
        reason: event.reason,
        reasonCode: undefined,
        profileId: event.profileId,
        updatedAt: APPLIED_AT,
        updatedBy: event.actor.username,
        version: 1,
        lastSeq: 1,
        decidedAt: event.requestedAt,
      },
    });
  });

  it('leaves an unblock of a number never seen unchanged, but remembers its sequence and when it was decided', () => {
    const event = sampleEvent({ action: 'unblock', sequence: 4 });

    const result = transition(undefined, event, APPLIED_AT);

    expect(result).toMatchObject({ outcome: 'unchanged', next: { blocked: false, lastSeq: 4, version: 1, decidedAt: event.requestedAt } });
  });

  it('applies an unblock of a blocked number and counts the version up', () => {
    const event = sampleEvent({ action: 'unblock', sequence: 6, reason: 'customer asked again' });

    const result = transition(sampleState({ blocked: true, version: 3, lastSeq: 5 }), event, APPLIED_AT);

    expect(result).toEqual({
      outcome: 'applied',
      next: sampleState({
        blocked: false,
        reason: 'customer asked again',
        profileId: event.profileId,
        updatedAt: APPLIED_AT,
        updatedBy: 'erin',
        version: 4,
        lastSeq: 6,
        decidedAt: event.requestedAt,
      }),
    });
  });

  it('leaves a block of a blocked number unchanged: only lastSeq, decidedAt and the version move', () => {
    const current = sampleState({ blocked: true, lastSeq: 5, version: 3 });
    const event = sampleEvent({ action: 'block', sequence: 9, requestedAt: '2025-03-01T00:00:00.000Z' });

    const result = transition(current, event, APPLIED_AT);

    expect(result).toEqual({ outcome: 'unchanged', next: { ...current, lastSeq: 9, version: 4, decidedAt: event.requestedAt } });
  });

  it.each([
    ['an equal', 5],
    ['a lower', 2],
  ])('supersedes an event with %s sequence than the last applied', (_label, sequence) => {
    const result = transition(sampleState({ blocked: true, lastSeq: 5 }), sampleEvent({ action: 'unblock', sequence }), APPLIED_AT);

    expect(result).toEqual({ outcome: 'superseded' });
  });
});

type Step = { sequence: number; action: ConsentAction };

/** Events with distinct sequences, delivered in an arbitrary order. */
const shuffledEvents = fc
  .uniqueArray(
    fc.record({ sequence: fc.integer({ min: 1, max: 1_000_000 }), action: fc.constantFrom<ConsentAction>('block', 'unblock') }),
    { selector: (step) => step.sequence, minLength: 1, maxLength: 30 },
  )
  .chain((steps) => fc.shuffledSubarray(steps, { minLength: steps.length, maxLength: steps.length }));

function fold(steps: readonly Step[], deliveriesEach: number): { state: ConsentState | undefined; outcomes: Transition['outcome'][] } {
  let state: ConsentState | undefined;
  const outcomes: Transition['outcome'][] = [];
  steps.forEach((step, index) => {
    for (let delivery = 0; delivery < deliveriesEach; delivery++) {
      const appliedAt = new Date(Date.UTC(2025, 0, 1, 0, 0, index, delivery)).toISOString();
      const result = transition(state, sampleEvent({ ...step, eventId: `e${step.sequence}` }), appliedAt);
      outcomes.push(result.outcome);
      if (result.outcome !== 'superseded') state = result.next;
    }
  });
  return { state, outcomes };
}

describe('transition, folded over event streams', () => {
  it('ends with the action of the event with the highest sequence, whatever the delivery order', () => {
    fc.assert(
      fc.property(shuffledEvents, (steps) => {
        // act
        const { state, outcomes } = fold(steps, 1);

        // assess
        const newest = steps.reduce((a, b) => (b.sequence > a.sequence ? b : a));
        expect(state?.blocked ?? false).toBe(newest.action === 'block');
        expect(state?.lastSeq).toBe(newest.sequence);
        expect(state?.version ?? 0).toBe(outcomes.filter((outcome) => outcome !== 'superseded').length);
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same result when every event is delivered twice in a row', () => {
    fc.assert(
      fc.property(shuffledEvents, (steps) => {
        // act
        const once = fold(steps, 1);
        const twice = fold(steps, 2);

        // assess: the first delivery decides as before, the repeat is superseded, the state is the same
        expect(twice.outcomes.filter((_, index) => index % 2 === 0)).toEqual(once.outcomes);
        expect(twice.outcomes.filter((_, index) => index % 2 === 1).every((outcome) => outcome === 'superseded')).toBe(true);
        expect(twice.state).toEqual(once.state);
      }),
      { numRuns: 500 },
    );
  });
});
