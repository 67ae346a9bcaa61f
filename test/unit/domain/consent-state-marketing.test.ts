import fc from 'fast-check';
import { transition, type ConsentState } from '../../../shared/domain/consent-state.js';
import { PHONE, sampleAutomaticEvent, sampleEvent, sampleState } from '../support/samples.js';

/** Marketing opt-outs: the recipient's own choice, kept beside the block state and never a block. */

const APPLIED_AT = '2025-03-01T00:00:00.000Z';
const SENDER = '967249473135513';
const stop = (occurredAt: string, overrides = {}) =>
  sampleAutomaticEvent({ action: 'wa_opted_out', reasonCode: undefined, providerMessageId: undefined, reason: 'User requested to stop marketing messages', occurredAt, ...overrides });
const resume = (occurredAt: string) =>
  sampleAutomaticEvent({ action: 'wa_opted_in', reasonCode: undefined, providerMessageId: undefined, reason: 'User resumed marketing messages', occurredAt });

describe('transition, marketing preferences', () => {
  it('records a stop on a number never seen as an opt-out alone: unblocked, no block fields', () => {
    expect(transition(undefined, stop('2025-02-01T00:00:00.000Z'), APPLIED_AT)).toEqual({
      outcome: 'applied',
      next: {
        phone: PHONE, blocked: false, source: undefined, reason: undefined, reasonCode: undefined, profileId: undefined,
        updatedAt: undefined, updatedBy: undefined, version: 1, lastSeq: 0, decidedAt: undefined, automaticAt: undefined,
        marketingOptOut: { since: '2025-02-01T00:00:00.000Z', source: 'user_preferences', sender: SENDER },
        marketingChangedAt: '2025-02-01T00:00:00.000Z',
      },
    });
  });

  it('names a 131050 failure as the source when the stop came with an error code', () => {
    const result = transition(undefined, stop('2025-02-01T00:00:00.000Z', { reasonCode: '131050', providerMessageId: 'wamid.x' }), APPLIED_AT);
    expect(result).toMatchObject({ outcome: 'applied', next: { marketingOptOut: { source: 'delivery_failure' } } });
  });

  it('leaves the block state as it is, whether blocked or not', () => {
    const blocked = sampleState({ blocked: true, source: 'manual', reason: 'asked', lastSeq: 5, version: 3 });
    const result = transition(blocked, stop('2025-02-01T00:00:00.000Z'), APPLIED_AT);
    if (result.outcome !== 'applied') throw new Error('expected the stop to apply');
    expect(result.next).toEqual({ ...blocked, version: 4, marketingOptOut: expect.any(Object), marketingChangedAt: '2025-02-01T00:00:00.000Z' });
  });

  it('ends the opt-out on a later resume, and keeps when it happened', () => {
    const optedOut = sampleState({ marketingOptOut: { since: '2025-02-01T00:00:00.000Z', source: 'user_preferences', sender: SENDER }, marketingChangedAt: '2025-02-01T00:00:00.000Z' });
    expect(transition(optedOut, resume('2025-02-02T00:00:00.000Z'), APPLIED_AT)).toEqual({
      outcome: 'applied',
      next: { ...optedOut, marketingOptOut: undefined, marketingChangedAt: '2025-02-02T00:00:00.000Z', version: optedOut.version + 1 },
    });
  });

  it('lets a stale stop or resume lose to the latest one applied', () => {
    const resumed = sampleState({ marketingOptOut: undefined, marketingChangedAt: '2025-02-02T00:00:00.000Z' });
    expect(transition(resumed, stop('2025-02-01T00:00:00.000Z'), APPLIED_AT)).toEqual({ outcome: 'superseded' });
    const optedOut = sampleState({ marketingOptOut: { since: '2025-02-03T00:00:00.000Z', source: 'user_preferences', sender: SENDER }, marketingChangedAt: '2025-02-03T00:00:00.000Z' });
    expect(transition(optedOut, resume('2025-02-02T00:00:00.000Z'), APPLIED_AT)).toEqual({ outcome: 'superseded' });
  });

  it('records a repeated stop as unchanged, writing only a later time', () => {
    const optedOut = sampleState({ marketingOptOut: { since: '2025-02-01T00:00:00.000Z', source: 'user_preferences', sender: SENDER }, marketingChangedAt: '2025-02-01T00:00:00.000Z' });
    expect(transition(optedOut, stop('2025-02-01T00:00:00.000Z'), APPLIED_AT)).toEqual({ outcome: 'unchanged', next: undefined });
    expect(transition(optedOut, stop('2025-02-05T00:00:00.000Z'), APPLIED_AT)).toEqual({
      outcome: 'unchanged',
      next: { ...optedOut, marketingChangedAt: '2025-02-05T00:00:00.000Z', version: optedOut.version + 1 },
    });
  });

  it('is left as it is by manual blocks and unblocks, and by automatic blocks', () => {
    const optOut = { since: '2025-02-01T00:00:00.000Z', source: 'user_preferences' as const, sender: SENDER };
    const optedOut = sampleState({ blocked: false, lastSeq: 5, marketingOptOut: optOut, marketingChangedAt: optOut.since });
    const blocked = transition(optedOut, sampleEvent({ action: 'block', sequence: 6, requestedAt: '2025-02-02T00:00:00.000Z' }), APPLIED_AT);
    if (blocked.outcome !== 'applied') throw new Error('expected the block to apply');
    expect(blocked.next.marketingOptOut).toEqual(optOut);
    const unblocked = transition(blocked.next, sampleEvent({ action: 'unblock', sequence: 7, requestedAt: '2025-02-03T00:00:00.000Z' }), APPLIED_AT);
    if (unblocked.outcome !== 'applied') throw new Error('expected the unblock to apply');
    expect(unblocked.next.marketingOptOut).toEqual(optOut);
    const failed = transition(unblocked.next, sampleAutomaticEvent({ occurredAt: '2025-02-04T00:00:00.000Z' }), APPLIED_AT);
    if (failed.outcome !== 'applied') throw new Error('expected the failure to apply');
    expect(failed.next.marketingOptOut).toEqual(optOut);
  });

  it('for any sequence of stops and resumes, ends with the choice of the latest one', () => {
    const signals = fc.array(fc.record({ stop: fc.boolean(), at: fc.integer({ min: 0, max: 1_000 }) }), { minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(signals, (steps) => {
        let state: ConsentState | undefined;
        for (const step of steps) {
          const at = new Date(Date.UTC(2025, 0, 1) + step.at * 1000).toISOString();
          const result = transition(state, step.stop ? stop(at) : resume(at), APPLIED_AT);
          if (result.outcome !== 'superseded' && result.next) state = result.next;
        }
        const latest = Math.max(...steps.map((step) => step.at));
        const choices = new Set(steps.filter((step) => step.at === latest).map((step) => step.stop));
        // Signals of the same instant are applied in arrival order; otherwise the latest one decides.
        if (choices.size === 1) expect(state?.marketingOptOut !== undefined).toBe([...choices][0]);
        expect(state?.blocked ?? false).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
