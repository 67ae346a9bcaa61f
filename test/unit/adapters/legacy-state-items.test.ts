import { transition } from '../../../shared/domain/consent-state.js';
import { applyInOrder } from '../../support/consent/apply-in-order.js';
import { PHONE, sampleAutomaticEvent, sampleEvent } from '../support/samples.js';

// The adapters build their clients when imported, and the SDK needs a region for that.
process.env.AWS_REGION ??= 'us-east-1';
const { stateFromItem, itemFromState } = await import('../../../shared/adapters/consent-state-store.js');

/**
 * State items as the processor wrote them before it kept registers: they must read as they were shown,
 * and the next signal must treat them as the history they stand for, with no backfill.
 */
const T = (day: number) => `2025-01-${String(day).padStart(2, '0')}T00:00:00.000Z`;
const legacy = (fields: Record<string, unknown>): Record<string, unknown> => ({ pk: `PHONE#${PHONE}`, sk: 'STATE', phone: PHONE, version: 2, lastSeq: 0, ...fields });
const stop = (day: number) => sampleAutomaticEvent({ eventId: `stop-${day}`, action: 'wa_stop_keyword', reasonCode: undefined, reason: 'The recipient wrote "STOP"', occurredAt: T(day) });
const start = (day: number) => sampleAutomaticEvent({ eventId: `start-${day}`, action: 'wa_start_keyword', reasonCode: undefined, reason: 'The recipient wrote "START"', occurredAt: T(day) });
const unblock = (sequence: number, day: number) => sampleEvent({ eventId: `unblock-${sequence}`, action: 'unblock', sequence, requestedAt: T(day) });
const marketing = (action: 'wa_opted_out' | 'wa_opted_in', day: number) =>
  sampleAutomaticEvent({ eventId: `${action}-${day}`, action, reasonCode: undefined, reason: 'preference', occurredAt: T(day) });

const blockedByEditor = legacy({ blocked: true, source: 'manual', reason: 'asked', profileId: 'profile-1', updatedAt: T(1), updatedBy: 'olga', lastSeq: 3, decidedAt: T(1) });
const failedAfterUnblock = legacy({
  blocked: true, source: 'automatic', reason: 'Message undeliverable', reasonCode: '131026', updatedAt: T(3), updatedBy: 'whatsapp:106540352242922',
  lastSeq: 2, decidedAt: T(2), automaticAt: T(3),
});
// An editor's block of a number the provider had blocked was left unchanged: the source stayed automatic.
const blockedAgainAfterFailure = legacy({
  blocked: true, source: 'automatic', reason: 'Message undeliverable', reasonCode: '131026', updatedAt: T(3), updatedBy: 'whatsapp:106540352242922',
  lastSeq: 4, decidedAt: T(5), automaticAt: T(3),
});
const stoppedByRecipient = legacy({ blocked: true, source: 'recipient', reason: 'The recipient wrote "STOP"', updatedAt: T(4), updatedBy: 'recipient:420777123456', automaticAt: T(4) });
const startedByRecipient = legacy({ blocked: false, source: 'recipient', reason: 'The recipient wrote "START"', updatedAt: T(6), updatedBy: 'recipient:420777123456', automaticAt: T(6) });
const optedOutOnly = legacy({ blocked: false, marketingOptOut: { since: T(5), source: 'user_preferences', sender: '106540352242922' }, marketingChangedAt: T(5) });
const resumedOnly = legacy({ blocked: false, marketingChangedAt: T(7) });

describe('state items written before the registers', () => {
  it.each([
    ['blocked by an editor', blockedByEditor, { blocked: true, source: 'manual', reason: 'asked', updatedBy: 'olga', profileId: 'profile-1' }],
    ['blocked by a failure after an unblock', failedAfterUnblock, { blocked: true, source: 'automatic', reasonCode: '131026', updatedBy: 'whatsapp:106540352242922' }],
    ['blocked by a failure, then by an editor', blockedAgainAfterFailure, { blocked: true, source: 'automatic', reasonCode: '131026' }],
    ['blocked by the recipient', stoppedByRecipient, { blocked: true, source: 'recipient', reason: 'The recipient wrote "STOP"' }],
    ['unblocked by the recipient', startedByRecipient, { blocked: false, source: 'recipient' }],
    ['opted out of marketing alone', optedOutOnly, { blocked: false, source: undefined, marketingOptOut: { since: T(5), source: 'user_preferences', sender: '106540352242922' } }],
    ['resumed marketing', resumedOnly, { blocked: false, source: undefined, marketingOptOut: undefined }],
  ])('read as they were shown: %s', (_name, item, shown) => {
    const state = stateFromItem(item);

    expect(state).toMatchObject({ ...shown, updatedAt: item['updatedAt'], version: 2 });
  });

  it.each([
    ['an editor’s block is lifted by a later unblock, and a repeat of the last decision is superseded', blockedByEditor, [unblock(3, 2)], { blocked: true }, [unblock(4, 2)], { blocked: false }],
    ['a failure after an unblock is not lifted by START, and is lifted by the next unblock', failedAfterUnblock, [start(9)], { blocked: true, source: 'automatic' }, [unblock(3, 9)], { blocked: false }],
    ['a failure that an editor’s block followed stays in force until the next unblock', blockedAgainAfterFailure, [start(9)], { blocked: true }, [unblock(5, 6)], { blocked: false }],
    ['the recipient’s STOP is lifted by a later START, not by an older one', stoppedByRecipient, [start(3)], { blocked: true, source: 'recipient' }, [start(5)], { blocked: false }],
    ['the recipient’s START is not undone by an older STOP, and is by a later one', startedByRecipient, [stop(5)], { blocked: false }, [stop(7)], { blocked: true, source: 'recipient' }],
    ['an opt-out is kept against an older resume, and ended by a later one', optedOutOnly, [marketing('wa_opted_in', 4)], { marketingOptOut: expect.anything() }, [marketing('wa_opted_in', 6)], { marketingOptOut: undefined }],
  ])('go on as the history they stand for: %s', (_name, item, first, afterFirst, second, afterSecond) => {
    const { state: once } = applyInOrder(first, T(20), stateFromItem(item));
    expect(once).toMatchObject(afterFirst);

    const { state: twice } = applyInOrder(second, T(21), once);
    expect(twice).toMatchObject(afterSecond);
  });

  it('are written back with their registers on the next change, and read the same from them', () => {
    const next = transition(stateFromItem(failedAfterUnblock), stop(9), T(20)).next!;

    const item = itemFromState(next);

    expect(item['registers']).toEqual(next.registers);
    expect(stateFromItem(item)).toEqual(next);
  });
});
