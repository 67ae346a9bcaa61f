import fc from 'fast-check';
import type { ConsentEvent } from '../../../shared/domain/consent-event.js';
import { transition, type ConsentState } from '../../../shared/domain/consent-state.js';
import { PHONE, sampleState, sampleAutomaticEvent, sampleEvent } from '../support/samples.js';

const APPLIED_AT = '2025-01-02T03:04:06.000Z';

describe('transition, automatic events', () => {
  it('blocks a number never seen on wa_blocked, as version 1 with no manual sequence', () => {
    // prepare
    const event = sampleAutomaticEvent({ reasonCode: '131026', reason: 'Message undeliverable' });

    // act
    const result = transition(undefined, event, APPLIED_AT);

    // assess
    expect(result).toEqual({
      outcome: 'applied',
      next: {
        phone: PHONE,
        blocked: true,
        source: 'automatic',
        reason: 'Message undeliverable',
        reasonCode: '131026',
        profileId: undefined,
        updatedAt: APPLIED_AT,
        updatedBy: 'whatsapp:967249473135513',
        version: 1,
        lastSeq: 0,
        decidedAt: undefined,
        automaticAt: event.occurredAt,
      },
    });
  });

  it.each([
    ['manually', sampleState({ blocked: true, source: 'manual' })],
    ['automatically', sampleState({ blocked: true, source: 'automatic', reasonCode: '1013', profileId: undefined, decidedAt: undefined, lastSeq: 0, automaticAt: '2025-01-15T00:00:00.000Z' })],
  ])('leaves a number already blocked %s blocked as it was, and records only when the failure happened', (_label, current) => {
    const event = sampleAutomaticEvent({ occurredAt: '2025-02-01T00:00:00.000Z' });

    expect(transition(current, event, APPLIED_AT)).toEqual({
      outcome: 'unchanged',
      next: { ...current, automaticAt: '2025-02-01T00:00:00.000Z', version: current.version + 1 },
    });
  });

  it('writes no state for a failure older than the one already recorded on a blocked number', () => {
    const current = sampleState({ blocked: true, source: 'automatic', automaticAt: '2025-03-01T00:00:00.000Z' });

    expect(transition(current, sampleAutomaticEvent({ occurredAt: '2025-02-01T00:00:00.000Z' }), APPLIED_AT)).toEqual({
      outcome: 'unchanged',
      next: undefined,
    });
  });

  it.each([
    ['after', '2025-02-01T00:00:00.001Z'],
    ['at the same time as', '2025-02-01T00:00:00.000Z'],
  ])('supersedes a failure when the number was manually unblocked %s it happened', (_label, decidedAt) => {
    // prepare
    const current = sampleState({ blocked: false, decidedAt });
    const event = sampleAutomaticEvent({ occurredAt: '2025-02-01T00:00:00.000Z' });

    // act, assess
    expect(transition(current, event, APPLIED_AT)).toEqual({ outcome: 'superseded' });
  });

  it('blocks a number manually unblocked before the failure, keeping lastSeq and decidedAt', () => {
    // prepare
    const current = sampleState({ blocked: false, version: 3, lastSeq: 5, decidedAt: '2025-01-01T00:00:00.000Z' });
    const event = sampleAutomaticEvent({ occurredAt: '2025-01-01T00:00:00.001Z', reasonCode: '1013', reason: 'Not a WhatsApp user' });

    // act
    const result = transition(current, event, APPLIED_AT);

    // assess
    expect(result).toEqual({
      outcome: 'applied',
      next: {
        ...current,
        blocked: true,
        source: 'automatic',
        reason: 'Not a WhatsApp user',
        reasonCode: '1013',
        profileId: undefined,
        updatedAt: APPLIED_AT,
        updatedBy: 'whatsapp:967249473135513',
        version: 4,
        lastSeq: 5,
        decidedAt: '2025-01-01T00:00:00.000Z',
        automaticAt: '2025-01-01T00:00:00.001Z',
      },
    });
  });

  it('compares instants, not strings, when ordering a failure against a decision', () => {
    // as strings, '…00Z' sorts after '…00.500Z'; as instants it is half a second before
    const current = sampleState({ blocked: false, decidedAt: '2025-02-01T00:00:00.500Z' });

    expect(transition(current, sampleAutomaticEvent({ occurredAt: '2025-02-01T00:00:00Z' }), APPLIED_AT).outcome).toBe('superseded');
    expect(transition(current, sampleAutomaticEvent({ occurredAt: '2025-02-01T00:00:01Z' }), APPLIED_AT).outcome).toBe('applied');
  });

  it('applies a manual unblock after an automatic block by its sequence', () => {
    // prepare: the number was unblocked manually (sequence 5), then blocked by the provider
    const blockedByProvider = transition(
      sampleState({ blocked: false, lastSeq: 5 }),
      sampleAutomaticEvent({ occurredAt: '2025-01-03T00:00:00.000Z' }),
      APPLIED_AT,
    );
    if (blockedByProvider.outcome !== 'applied') throw new Error('expected the automatic block to apply');
    const unblock = sampleEvent({ action: 'unblock', sequence: 6, requestedAt: '2025-01-04T00:00:00.000Z', reason: 'number is on WhatsApp again' });

    // act
    const result = transition(blockedByProvider.next, unblock, '2025-01-04T00:00:01.000Z');

    // assess
    expect(result).toEqual({
      outcome: 'applied',
      next: {
        phone: PHONE,
        blocked: false,
        source: 'manual',
        reason: 'number is on WhatsApp again',
        reasonCode: undefined,
        profileId: unblock.profileId,
        updatedAt: '2025-01-04T00:00:01.000Z',
        updatedBy: 'erin',
        version: blockedByProvider.next.version + 1,
        lastSeq: 6,
        decidedAt: unblock.requestedAt,
        automaticAt: '2025-01-03T00:00:00.000Z',
      },
    });
  });

  it('supersedes a manual request made before the failure that blocked the number, even when it comes later', () => {
    // prepare: an unblock requested at T1 waited (or was redriven) while the provider reported a failure at T2 > T1
    const blocked = transition(sampleState({ blocked: false, lastSeq: 5 }), sampleAutomaticEvent({ occurredAt: '2025-01-03T00:00:05.000Z' }), APPLIED_AT);
    if (blocked.outcome !== 'applied') throw new Error('expected the automatic block to apply');
    const stale = sampleEvent({ action: 'unblock', sequence: 6, requestedAt: '2025-01-03T00:00:04.999Z' });

    // act, assess
    expect(transition(blocked.next, stale, APPLIED_AT)).toEqual({ outcome: 'superseded' });
  });

  it("lets a request made in the same second as the failure stand (Meta's timestamps are whole seconds)", () => {
    const blocked = transition(sampleState({ blocked: false, lastSeq: 5 }), sampleAutomaticEvent({ occurredAt: '2025-01-03T00:00:05.000Z' }), APPLIED_AT);
    if (blocked.outcome !== 'applied') throw new Error('expected the automatic block to apply');
    const sameSecond = sampleEvent({ action: 'unblock', sequence: 6, requestedAt: '2025-01-03T00:00:05.300Z' });

    expect(transition(blocked.next, sameSecond, APPLIED_AT)).toMatchObject({ outcome: 'applied', next: { blocked: false } });
  });

  it('supersedes a manual request made before a failure that found the number already blocked', () => {
    // prepare: blocked by an editor; the provider then reports a failure at T2; an unblock requested at T1 < T2 comes late
    const failed = transition(sampleState({ blocked: true, lastSeq: 5 }), sampleAutomaticEvent({ occurredAt: '2025-01-03T00:00:00.000Z' }), APPLIED_AT);
    if (failed.outcome !== 'unchanged' || !failed.next) throw new Error('expected the failure to be recorded');
    const stale = sampleEvent({ action: 'unblock', sequence: 6, requestedAt: '2025-01-02T00:00:00.000Z' });

    expect(transition(failed.next, stale, APPLIED_AT)).toEqual({ outcome: 'superseded' });
  });

  it('applies the first manual event on a number the provider blocked when it was never seen', () => {
    // prepare
    const blocked = transition(undefined, sampleAutomaticEvent(), APPLIED_AT);
    if (blocked.outcome !== 'applied') throw new Error('expected the automatic block to apply');

    // act
    const result = transition(blocked.next, sampleEvent({ action: 'unblock', sequence: 1 }), APPLIED_AT);

    // assess
    expect(result).toMatchObject({ outcome: 'applied', next: { blocked: false, source: 'manual', lastSeq: 1, version: 2 } });
  });

  it('still supersedes a stale manual event after an automatic block', () => {
    const blocked = transition(sampleState({ blocked: false, lastSeq: 5 }), sampleAutomaticEvent({ occurredAt: '2025-01-03T00:00:00.000Z' }), APPLIED_AT);
    if (blocked.outcome !== 'applied') throw new Error('expected the automatic block to apply');

    expect(transition(blocked.next, sampleEvent({ action: 'unblock', sequence: 5 }), APPLIED_AT)).toEqual({ outcome: 'superseded' });
  });

  it('does not let a failure from before the manual unblock block the number again', () => {
    // prepare: blocked by the provider, unblocked by a person, then the same failure arrives again
    const failure = sampleAutomaticEvent({ occurredAt: '2025-01-03T00:00:00.000Z' });
    const blocked = transition(undefined, failure, APPLIED_AT);
    if (blocked.outcome !== 'applied') throw new Error('expected the automatic block to apply');
    const unblocked = transition(blocked.next, sampleEvent({ action: 'unblock', sequence: 1, requestedAt: '2025-01-04T00:00:00.000Z' }), APPLIED_AT);
    if (unblocked.outcome !== 'applied') throw new Error('expected the unblock to apply');

    // act, assess
    expect(transition(unblocked.next, failure, APPLIED_AT)).toEqual({ outcome: 'superseded' });
  });
});

const timestamp = fc
  .integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2027, 0, 1) })
  .map((ms) => new Date(ms).toISOString());

const anyState: fc.Arbitrary<ConsentState | undefined> = fc.option(
  fc.record({
    phone: fc.constant(PHONE),
    blocked: fc.boolean(),
    source: fc.constantFrom('manual' as const, 'automatic' as const),
    reason: fc.constantFrom('first reason', 'Message undeliverable'),
    reasonCode: fc.constantFrom(undefined, '131026'),
    profileId: fc.constantFrom(undefined, 'profile-0'),
    updatedAt: timestamp,
    updatedBy: fc.constantFrom('olga', 'whatsapp:967249473135513'),
    version: fc.integer({ min: 1, max: 1_000 }),
    lastSeq: fc.integer({ min: 0, max: 1_000 }),
    decidedAt: fc.option(timestamp, { nil: undefined }),
    automaticAt: fc.option(timestamp, { nil: undefined }),
    marketingOptOut: fc.constant(undefined),
    marketingChangedAt: fc.constant(undefined),
  }),
  { nil: undefined },
);

const anyAutomaticEvent = fc
  .record({
    action: fc.constant('wa_blocked' as const),
    occurredAt: timestamp,
    reasonCode: fc.constantFrom('131026', '1013', '131050'),
  })
  .map((overrides) => sampleAutomaticEvent(overrides));

describe('transition, automatic events, for any state', () => {
  it('never changes lastSeq or decidedAt, never unblocks, and counts the version up only when it writes a wa_blocked', () => {
    fc.assert(
      fc.property(anyState, anyAutomaticEvent, timestamp, (current, event, appliedAt) => {
        // act
        const result = transition(current, event, appliedAt);

        // assess
        if (result.outcome === 'superseded' || result.next === undefined) return;
        expect(result.next.blocked).toBe(true);
        expect(result.next.lastSeq).toBe(current?.lastSeq ?? 0);
        expect(result.next.decidedAt).toBe(current?.decidedAt);
        expect(result.next.version).toBe((current?.version ?? 0) + 1);
        expect(Date.parse(result.next.automaticAt!)).toBe(Math.max(Date.parse(event.occurredAt), Date.parse(current?.automaticAt ?? event.occurredAt)));
        expect(result.outcome).toBe(current?.blocked ? 'unchanged' : 'applied');
        expect(event.action).toBe('wa_blocked');
      }),
      { numRuns: 1_000 },
    );
  });

  it('leaves a blocked number blocked, and an unblocked one blocked only by a failure after the last decision', () => {
    fc.assert(
      fc.property(anyState, anyAutomaticEvent, timestamp, (current, event, appliedAt) => {
        const result = transition(current, event, appliedAt);
        const after = result.outcome === 'superseded' || result.next === undefined ? current : result.next;

        const wasBlocked = current?.blocked ?? false;
        const blocks =
          event.action === 'wa_blocked' &&
          (current?.decidedAt === undefined || Date.parse(event.occurredAt) > Date.parse(current.decidedAt));
        expect(after?.blocked ?? false).toBe(wasBlocked || blocks);
      }),
      { numRuns: 1_000 },
    );
  });

  it('keeps manual events in sequence order whatever automatic events come between them, and lets none made before the latest failure win', () => {
    const stream = fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('manual' as const), action: fc.constantFrom('block' as const, 'unblock' as const), at: timestamp }),
        fc.record({ kind: fc.constant('automatic' as const), at: timestamp }),
      ),
      { minLength: 1, maxLength: 30 },
    );

    fc.assert(
      fc.property(stream, (steps) => {
        // prepare: manual events get increasing sequences, as the API hands them out
        let sequence = 0;
        const events: ConsentEvent[] = steps.map((step) =>
          step.kind === 'manual'
            ? sampleEvent({ action: step.action, sequence: ++sequence, requestedAt: step.at })
            : sampleAutomaticEvent({ occurredAt: step.at }),
        );

        // act
        let state: ConsentState | undefined;
        let lastDecision: ConsentEvent | undefined;
        for (const event of events) {
          const before = state;
          const result = transition(state, event, APPLIED_AT);
          if (result.outcome !== 'superseded' && result.next) state = result.next;
          if (event.source !== 'manual') continue;
          // assess: a manual event is superseded exactly when it was made before the latest failure
          const madeBeforeFailure = before?.automaticAt !== undefined && Date.parse(event.requestedAt) < Date.parse(before.automaticAt);
          expect(result.outcome === 'superseded').toBe(madeBeforeFailure);
          if (!madeBeforeFailure) lastDecision = event;
        }

        // assess: the decisions applied in order, so lastSeq and decidedAt are the last one's
        expect(state?.lastSeq ?? 0).toBe(lastDecision?.source === 'manual' ? lastDecision.sequence : 0);
        expect(state?.decidedAt).toBe(lastDecision?.source === 'manual' ? lastDecision.requestedAt : undefined);
      }),
      { numRuns: 500 },
    );
  });
});
