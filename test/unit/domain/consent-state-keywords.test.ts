import { transition } from '../../../shared/domain/consent-state.js';
import { sampleAutomaticEvent, sampleEvent, sampleState } from '../support/samples.js';

/** Keyword opt-outs: the recipient blocks their own number with STOP, and only START (or an editor) lifts it. */

const APPLIED_AT = '2025-03-01T00:00:00.000Z';
const keyword = (action: 'wa_stop_keyword' | 'wa_start_keyword', occurredAt: string) =>
  sampleAutomaticEvent({ action, reasonCode: undefined, reason: `The recipient wrote "${action === 'wa_stop_keyword' ? 'STOP' : 'START'}"`, occurredAt });

describe('transition, keywords', () => {
  it('blocks a number on STOP with the recipient as its source', () => {
    const result = transition(undefined, keyword('wa_stop_keyword', '2025-02-01T00:00:00.000Z'), APPLIED_AT);
    expect(result).toMatchObject({ outcome: 'applied', next: { blocked: true, source: 'recipient', updatedBy: `recipient:${sampleAutomaticEvent().recipientId}` } });
  });

  it('lifts a block the recipient made on a later START', () => {
    const stopped = transition(undefined, keyword('wa_stop_keyword', '2025-02-01T00:00:00.000Z'), APPLIED_AT);
    if (stopped.outcome !== 'applied') throw new Error('expected STOP to apply');
    expect(transition(stopped.next, keyword('wa_start_keyword', '2025-02-02T00:00:00.000Z'), APPLIED_AT)).toMatchObject({
      outcome: 'applied',
      next: { blocked: false, source: 'recipient' },
    });
  });

  it.each([
    ['an editor', sampleState({ blocked: true, source: 'manual' })],
    ['the provider', sampleState({ blocked: true, source: 'automatic', automaticAt: '2025-01-15T00:00:00.000Z' })],
  ])('lets START lift no block made by %s', (_label, current) => {
    expect(transition(current, keyword('wa_start_keyword', '2025-02-02T00:00:00.000Z'), APPLIED_AT)).toEqual({ outcome: 'unchanged', next: undefined });
  });

  it('supersedes a START sent before the block it would lift, and a STOP sent before an editor unblocked', () => {
    const stopped = transition(undefined, keyword('wa_stop_keyword', '2025-02-05T00:00:00.000Z'), APPLIED_AT);
    if (stopped.outcome !== 'applied') throw new Error('expected STOP to apply');
    expect(transition(stopped.next, keyword('wa_start_keyword', '2025-02-04T00:00:00.000Z'), APPLIED_AT)).toEqual({ outcome: 'superseded' });
    const unblocked = sampleState({ blocked: false, decidedAt: '2025-02-10T00:00:00.000Z' });
    expect(transition(unblocked, keyword('wa_stop_keyword', '2025-02-09T00:00:00.000Z'), APPLIED_AT)).toEqual({ outcome: 'superseded' });
  });

  it('lets an editor unblock a number the recipient blocked', () => {
    const stopped = transition(undefined, keyword('wa_stop_keyword', '2025-02-01T00:00:00.000Z'), APPLIED_AT);
    if (stopped.outcome !== 'applied') throw new Error('expected STOP to apply');
    expect(transition(stopped.next, sampleEvent({ action: 'unblock', sequence: 1, requestedAt: '2025-02-02T00:00:00.000Z' }), APPLIED_AT)).toMatchObject({
      outcome: 'applied',
      next: { blocked: false, source: 'manual' },
    });
  });
});
