import { transition } from '../../../shared/domain/consent-state.js';
import { applyInOrder } from '../../support/consent/apply-in-order.js';
import { PHONE, sampleAutomaticEvent, sampleEvent, sampleState } from '../support/samples.js';

/** The provider's failures: the latest blocking failure is kept, and blocks unless an editor unblocked later. */

const APPLIED_AT = '2025-01-02T03:04:06.000Z';
const failure = (occurredAt: string, overrides = {}) => sampleAutomaticEvent({ occurredAt, ...overrides });
const editor = { type: 'user', sub: 'sub-erin', username: 'erin' } as const;

describe('transition, provider failures', () => {
  it('blocks a number never seen, shown as the provider’s block with its code and sender (its id and the number it displays as)', () => {
    const event = failure('2025-01-02T03:04:05.000Z');

    expect(transition(undefined, event, APPLIED_AT)).toEqual({
      outcome: 'applied',
      newlyBlocked: true,
      next: {
        phone: PHONE,
        blocked: true,
        source: 'automatic',
        reason: 'Message undeliverable',
        reasonCode: '131026',
        profileId: undefined,
        updatedAt: APPLIED_AT,
        updatedBy: 'whatsapp:967249473135513',
        senderDisplayPhoneNumber: '5511962185237',
        marketingOptOut: undefined,
        version: 1,
        registers: {
          failure: {
            at: event.occurredAt,
            by: 'provider',
            blocking: true,
            eventId: event.eventId,
            reason: event.reason,
            reasonCode: '131026',
            updatedBy: 'whatsapp:967249473135513',
            senderDisplay: '5511962185237',
          },
        },
      },
    });
  });

  it('leaves a number blocked by hand shown as it was, blocks nothing new, but keeps the failure', () => {
    const result = transition(sampleState(), failure('2025-02-01T00:00:00.000Z'), APPLIED_AT);

    expect(result).toMatchObject({ outcome: 'unchanged', newlyBlocked: false, next: { blocked: true, source: 'manual', reason: 'first reason', version: 4 } });
    expect(result.next?.registers.failure?.at).toBe('2025-02-01T00:00:00.000Z');
  });

  it('shows the later of two failures, and writes nothing for an older one', () => {
    const first = applyInOrder([failure('2025-02-01T00:00:00.000Z', { eventId: 'wa-1', reasonCode: '1013', reason: 'User is not a WhatsApp user' })]).state;

    const later = transition(first, failure('2025-02-02T00:00:00.000Z', { eventId: 'wa-2' }), APPLIED_AT);
    const older = transition(later.next, failure('2025-01-31T00:00:00.000Z', { eventId: 'wa-0' }), APPLIED_AT);

    expect(later).toMatchObject({ outcome: 'unchanged', newlyBlocked: false, next: { reasonCode: '131026', reason: 'Message undeliverable' } });
    expect(older).toEqual({ outcome: 'superseded', next: undefined, newlyBlocked: false });
  });

  it('blocks a number an editor unblocked before the failure', () => {
    const unblocked = applyInOrder([sampleEvent({ action: 'unblock', sequence: 5, requestedAt: '2025-01-01T00:00:00.000Z' })]).state;

    expect(transition(unblocked, failure('2025-01-03T00:00:00.000Z'), APPLIED_AT)).toMatchObject({ outcome: 'applied', newlyBlocked: true, next: { blocked: true, source: 'automatic' } });
  });

  it.each([
    ['after', '2025-02-01T00:00:00.001Z'],
    ['in the same second as', '2025-02-01T00:00:00.999Z'],
  ])('supersedes a failure when an editor unblocked %s it happened, and keeps it for later comparisons', (_label, requestedAt) => {
    const unblocked = applyInOrder([sampleEvent({ action: 'unblock', sequence: 5, requestedAt })]).state;

    const result = transition(unblocked, failure('2025-02-01T00:00:00.000Z'), APPLIED_AT);

    expect(result).toMatchObject({ outcome: 'superseded', newlyBlocked: false, next: { blocked: false, source: 'manual' } });
    expect(result.next?.registers.failure).toBeDefined();
  });

  it('applies a released held block as the releasing editor’s decision at the time of the release, even after a later unblock', () => {
    const unblocked = applyInOrder([sampleEvent({ action: 'unblock', sequence: 5, requestedAt: '2025-02-02T00:00:00.000Z' })]).state;
    const release = failure('2025-02-01T00:00:00.000Z', { eventId: 'release-1', release: { heldEventId: 'wa-held', actor: editor, reason: 'checked', releasedAt: '2025-02-03T00:00:00.000Z' } });

    const result = transition(unblocked, release, APPLIED_AT);

    expect(result).toMatchObject({ outcome: 'applied', newlyBlocked: true, next: { blocked: true, source: 'automatic', reasonCode: '131026', updatedBy: 'erin' } });
    expect(result.next?.registers.failure).toMatchObject({ at: '2025-02-03T00:00:00.000Z', by: 'person' });
  });

  it('lets an editor’s unblock after the failure lift it', () => {
    const failed = applyInOrder([failure('2025-01-03T00:00:00.000Z')]).state;

    expect(transition(failed, sampleEvent({ action: 'unblock', sequence: 1, requestedAt: '2025-01-04T00:00:00.000Z' }), APPLIED_AT)).toMatchObject({
      outcome: 'applied',
      next: { blocked: false, source: 'manual', updatedBy: 'erin' },
    });
  });
});
