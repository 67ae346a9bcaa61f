import { transition } from '../../../shared/domain/consent-state.js';
import { applyInOrder } from '../../support/consent/apply-in-order.js';
import { sampleAutomaticEvent, sampleEvent, sampleState } from '../support/samples.js';

/** Keyword opt-outs: the recipient blocks their own number with STOP, and START takes back that block and no other. */

const APPLIED_AT = '2025-03-01T00:00:00.000Z';
const keyword = (word: 'STOP' | 'START', occurredAt: string) =>
  sampleAutomaticEvent({
    eventId: `wa-${word}-${occurredAt}`,
    action: word === 'STOP' ? 'wa_stop_keyword' : 'wa_start_keyword',
    reasonCode: undefined,
    reason: `The recipient wrote "${word}"`,
    occurredAt,
  });

describe('transition, keywords', () => {
  it('blocks a number on STOP with the recipient as its source', () => {
    expect(transition(undefined, keyword('STOP', '2025-02-01T00:00:00.000Z'), APPLIED_AT)).toMatchObject({
      outcome: 'applied',
      newlyBlocked: true,
      next: { blocked: true, source: 'recipient', updatedBy: `recipient:${sampleAutomaticEvent().recipientId}` },
    });
  });

  it('lifts a block the recipient made on a later START', () => {
    const stopped = applyInOrder([keyword('STOP', '2025-02-01T00:00:00.000Z')]).state;

    expect(transition(stopped, keyword('START', '2025-02-02T00:00:00.000Z'), APPLIED_AT)).toMatchObject({ outcome: 'applied', next: { blocked: false, source: 'recipient' } });
  });

  it.each([
    ['an editor', sampleState()],
    ['the provider', applyInOrder([sampleAutomaticEvent({ occurredAt: '2025-01-15T00:00:00.000Z' })]).state],
  ])('lets START lift no block made by %s, and keeps it as the recipient’s latest word', (_label, current) => {
    const result = transition(current, keyword('START', '2025-02-02T00:00:00.000Z'), APPLIED_AT);

    expect(result).toMatchObject({ outcome: 'unchanged', next: { blocked: true, registers: { keyword: { keyword: 'start' } } } });
  });

  it('supersedes a START sent before the STOP it would lift, and a STOP sent before an editor unblocked', () => {
    const stopped = applyInOrder([keyword('STOP', '2025-02-05T00:00:00.000Z')]).state;
    expect(transition(stopped, keyword('START', '2025-02-04T00:00:00.000Z'), APPLIED_AT)).toEqual({ outcome: 'superseded', next: undefined, newlyBlocked: false });

    const unblocked = applyInOrder([sampleEvent({ action: 'unblock', sequence: 1, requestedAt: '2025-02-10T00:00:00.000Z' })]).state;
    expect(transition(unblocked, keyword('STOP', '2025-02-09T00:00:00.000Z'), APPLIED_AT)).toMatchObject({ outcome: 'superseded', next: { blocked: false } });
  });

  it('keeps the number blocked when STOP and START come in the same second, in either order (fail safe)', () => {
    const stop = keyword('STOP', '2025-02-05T00:00:07.000Z');
    const start = keyword('START', '2025-02-05T00:00:07.000Z');

    expect(applyInOrder([stop, start]).state).toMatchObject({ blocked: true, source: 'recipient' });
    expect(applyInOrder([start, stop]).state).toMatchObject({ blocked: true, source: 'recipient' });
  });

  it('lets an editor unblock a number the recipient blocked', () => {
    const stopped = applyInOrder([keyword('STOP', '2025-02-01T00:00:00.000Z')]).state;

    expect(transition(stopped, sampleEvent({ action: 'unblock', sequence: 1, requestedAt: '2025-02-02T00:00:00.000Z' }), APPLIED_AT)).toMatchObject({
      outcome: 'applied',
      next: { blocked: false, source: 'manual' },
    });
  });
});
