import fc from 'fast-check';
import type { ConsentAction } from '../../../shared/domain/consent-event.js';
import { transition } from '../../../shared/domain/consent-state.js';
import { applyInOrder } from '../../support/consent/apply-in-order.js';
import { PHONE, SAMPLE_EDITORS_BLOCK, sampleAutomaticEvent, sampleEvent, sampleState } from '../support/samples.js';

/** Editors' decisions: the editors' register keeps the decision with the highest sequence. */

const APPLIED_AT = '2025-01-02T03:04:06.000Z';

describe('transition, editors’ decisions', () => {
  it('applies a block of a number never seen, as version 1, and keeps the decision in the editors’ register', () => {
    const event = sampleEvent({ action: 'block', sequence: 1 });

    expect(transition(undefined, event, APPLIED_AT)).toEqual({
      outcome: 'applied',
      newlyBlocked: true,
      next: {
        phone: PHONE,
        blocked: true,
        source: 'manual',
        reason: event.reason,
        reasonCode: undefined,
        profileId: event.profileId,
        updatedAt: APPLIED_AT,
        updatedBy: 'erin',
        marketingOptOut: undefined,
        version: 1,
        registers: {
          editors: {
            at: event.requestedAt,
            by: 'person',
            blocking: true,
            sequence: 1,
            eventId: event.eventId,
            action: 'block',
            reason: event.reason,
            updatedBy: 'erin',
            profileId: event.profileId,
          },
        },
      },
    });
  });

  it('leaves an unblock of a number never seen unchanged, but writes the decision so that an older block cannot win later', () => {
    const unblock = sampleEvent({ action: 'unblock', sequence: 4 });

    const result = transition(undefined, unblock, APPLIED_AT);

    expect(result).toMatchObject({ outcome: 'unchanged', next: { blocked: false, version: 1, registers: { editors: { sequence: 4, action: 'unblock' } } } });
    expect(transition(result.next, sampleEvent({ action: 'block', sequence: 3 }), APPLIED_AT)).toEqual({ outcome: 'superseded', next: undefined, newlyBlocked: false });
  });

  it('applies an unblock of a blocked number and counts the version up', () => {
    const event = sampleEvent({ action: 'unblock', sequence: 6, reason: 'customer asked again' });

    const result = transition(sampleState(), event, APPLIED_AT);

    expect(result).toMatchObject({
      outcome: 'applied',
      newlyBlocked: false,
      next: { blocked: false, source: 'manual', reason: 'customer asked again', updatedBy: 'erin', updatedAt: APPLIED_AT, version: 4 },
    });
  });

  it('leaves a block of a number blocked by hand unchanged, showing the latest decision’s reason', () => {
    const event = sampleEvent({ action: 'block', sequence: 9, reason: 'second letter', requestedAt: '2025-03-01T00:00:00.000Z' });

    const result = transition(sampleState(), event, APPLIED_AT);

    expect(result).toMatchObject({ outcome: 'unchanged', newlyBlocked: false, next: { blocked: true, reason: 'second letter', version: 4, registers: { editors: { sequence: 9 } } } });
  });

  it.each([
    ['an equal', 5],
    ['a lower', 2],
  ])('supersedes a decision with %s sequence than the editors’ last, and writes nothing', (_label, sequence) => {
    expect(transition(sampleState(), sampleEvent({ action: 'unblock', sequence }), APPLIED_AT)).toEqual({ outcome: 'superseded', next: undefined, newlyBlocked: false });
  });

  it('applies an editor’s block of a number the provider blocked: the source becomes manual, and START cannot lift it', () => {
    const failed = applyInOrder([sampleAutomaticEvent({ occurredAt: '2025-01-01T00:00:00.000Z' })]).state;

    const result = transition(failed, sampleEvent({ action: 'block', sequence: 1, requestedAt: '2025-01-02T00:00:00.000Z' }), APPLIED_AT);

    expect(result).toMatchObject({ outcome: 'applied', newlyBlocked: false, next: { blocked: true, source: 'manual' } });
  });

  it('supersedes an unblock requested before a failure that is in force, and keeps the decision', () => {
    const failed = applyInOrder([sampleAutomaticEvent({ occurredAt: '2025-01-05T00:00:00.000Z' })]).state;

    const result = transition(failed, sampleEvent({ action: 'unblock', sequence: 1, requestedAt: '2025-01-04T00:00:00.000Z' }), APPLIED_AT);

    expect(result).toMatchObject({ outcome: 'superseded', next: { blocked: true, source: 'automatic', registers: { editors: { action: 'unblock' } } } });
  });

  it('counts an editor’s decision in the same second as a failure as the later one (Meta’s times are whole seconds)', () => {
    const unblock = sampleEvent({ action: 'unblock', sequence: 1, requestedAt: '2025-01-05T00:00:00.300Z' });
    const failure = sampleAutomaticEvent({ occurredAt: '2025-01-05T00:00:00.000Z' });

    for (const order of [[unblock, failure], [failure, unblock]]) {
      expect(applyInOrder(order).state).toMatchObject({ blocked: false, source: 'manual' });
    }
    expect(SAMPLE_EDITORS_BLOCK.action).toBe('block');
  });
});

type Step = { sequence: number; action: ConsentAction };

/** Decisions with distinct sequences, delivered in an arbitrary order. */
const shuffledDecisions = fc
  .uniqueArray(
    fc.record({ sequence: fc.integer({ min: 1, max: 1_000_000 }), action: fc.constantFrom<ConsentAction>('block', 'unblock') }),
    { selector: (step) => step.sequence, minLength: 1, maxLength: 30 },
  )
  .chain((steps) => fc.shuffledSubarray(steps, { minLength: steps.length, maxLength: steps.length }));

const eventsOf = (steps: readonly Step[], deliveriesEach: number) =>
  steps.flatMap((step) => Array.from({ length: deliveriesEach }, () => sampleEvent({ ...step, eventId: `e${step.sequence}`, requestedAt: new Date(Date.UTC(2025, 0, 1) + step.sequence).toISOString() })));

describe('transition, folded over editors’ decisions', () => {
  it('ends with the action of the decision with the highest sequence, whatever the delivery order, and writes once per decision that moved the register', () => {
    fc.assert(
      fc.property(shuffledDecisions, (steps) => {
        let state = undefined as ReturnType<typeof applyInOrder>['state'];
        let written = 0;
        for (const event of eventsOf(steps, 1)) {
          const result = transition(state, event, APPLIED_AT);
          if (result.next) written++;
          state = result.next ?? state;
        }

        const newest = steps.reduce((a, b) => (b.sequence > a.sequence ? b : a));
        expect(state?.blocked).toBe(newest.action === 'block');
        expect(state?.registers.editors?.sequence).toBe(newest.sequence);
        expect(state?.version).toBe(written);
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same state when every decision is delivered twice in a row: the repeat is superseded', () => {
    fc.assert(
      fc.property(shuffledDecisions, (steps) => {
        const once = applyInOrder(eventsOf(steps, 1)).state;
        const twice = applyInOrder(eventsOf(steps, 2)).state;

        expect(twice).toEqual(once);
      }),
      { numRuns: 500 },
    );
  });
});
