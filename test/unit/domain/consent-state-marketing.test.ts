import { transition } from '../../../shared/domain/consent-state.js';
import { applyInOrder } from '../../support/consent/apply-in-order.js';
import { PHONE, sampleAutomaticEvent, sampleEvent, sampleState } from '../support/samples.js';

/** Marketing opt-outs: the recipient's own choice, kept in a register of its own and never a block. */

const APPLIED_AT = '2025-03-01T00:00:00.000Z';
const SENDER = '967249473135513';
const stop = (occurredAt: string, overrides = {}) =>
  sampleAutomaticEvent({ eventId: `stop-${occurredAt}`, action: 'wa_opted_out', reasonCode: undefined, providerMessageId: undefined, reason: 'User requested to stop marketing messages', occurredAt, ...overrides });
const resume = (occurredAt: string) =>
  sampleAutomaticEvent({ eventId: `resume-${occurredAt}`, action: 'wa_opted_in', reasonCode: undefined, providerMessageId: undefined, reason: 'User resumed marketing messages', occurredAt });

describe('transition, marketing preferences', () => {
  it('records a stop on a number never seen as an opt-out alone: unblocked, no block fields', () => {
    const event = stop('2025-02-01T00:00:00.000Z');

    expect(transition(undefined, event, APPLIED_AT)).toEqual({
      outcome: 'applied',
      newlyBlocked: false,
      next: {
        phone: PHONE,
        blocked: false,
        source: undefined,
        reason: undefined,
        reasonCode: undefined,
        profileId: undefined,
        updatedBy: undefined,
        updatedAt: APPLIED_AT,
        marketingOptOut: { since: '2025-02-01T00:00:00.000Z', source: 'user_preferences', sender: SENDER },
        version: 1,
        registers: {
          marketing: { at: event.occurredAt, by: 'provider', blocking: true, eventId: event.eventId, preference: 'stop', source: 'user_preferences', sender: SENDER },
        },
      },
    });
  });

  it('names a 131050 failure as the source when the stop came with an error code', () => {
    const result = transition(undefined, stop('2025-02-01T00:00:00.000Z', { reasonCode: '131050', providerMessageId: 'wamid.x' }), APPLIED_AT);

    expect(result).toMatchObject({ outcome: 'applied', next: { marketingOptOut: { source: 'delivery_failure' } } });
  });

  it('leaves the block as it is, and blocks and unblocks leave the opt-out as it is', () => {
    const optedOut = transition(sampleState(), stop('2025-02-01T00:00:00.000Z'), APPLIED_AT).next;
    expect(optedOut).toMatchObject({ blocked: true, source: 'manual', reason: 'first reason', marketingOptOut: { since: '2025-02-01T00:00:00.000Z' } });

    const unblocked = transition(optedOut, sampleEvent({ action: 'unblock', sequence: 6, requestedAt: '2025-02-02T00:00:00.000Z' }), APPLIED_AT).next;
    expect(unblocked).toMatchObject({ blocked: false, marketingOptOut: { since: '2025-02-01T00:00:00.000Z' } });
  });

  it('ends the opt-out on a later resume', () => {
    const optedOut = applyInOrder([stop('2025-02-01T00:00:00.000Z')]).state;

    expect(transition(optedOut, resume('2025-02-02T00:00:00.000Z'), APPLIED_AT)).toMatchObject({ outcome: 'applied', next: { marketingOptOut: undefined } });
  });

  it('lets a stale stop or resume lose to the latest one, writing nothing', () => {
    const resumed = applyInOrder([resume('2025-02-02T00:00:00.000Z')]).state;
    expect(transition(resumed, stop('2025-02-01T00:00:00.000Z'), APPLIED_AT)).toEqual({ outcome: 'superseded', next: undefined, newlyBlocked: false });

    const optedOut = applyInOrder([stop('2025-02-03T00:00:00.000Z')]).state;
    expect(transition(optedOut, resume('2025-02-02T00:00:00.000Z'), APPLIED_AT)).toEqual({ outcome: 'superseded', next: undefined, newlyBlocked: false });
  });

  it('records a later repeated stop as unchanged, dating the opt-out from it', () => {
    const optedOut = applyInOrder([stop('2025-02-01T00:00:00.000Z')]).state;

    expect(transition(optedOut, stop('2025-02-05T00:00:00.000Z'), APPLIED_AT)).toMatchObject({ outcome: 'unchanged', next: { marketingOptOut: { since: '2025-02-05T00:00:00.000Z' } } });
  });

  it('keeps the opt-out when a stop and a resume come in the same second, in either order (fail safe)', () => {
    const [out, back] = [stop('2025-02-01T00:00:09.000Z'), resume('2025-02-01T00:00:09.000Z')];

    expect(applyInOrder([out, back]).state?.marketingOptOut).toBeDefined();
    expect(applyInOrder([back, out]).state?.marketingOptOut).toBeDefined();
  });
});
