import { transition } from '../../../../shared/domain/consent-state.js';
import type { Registers } from '../../../../shared/domain/consent/registers.js';
import { isSuppression, suppressionOf } from '../../../../shared/domain/personal-data/suppression.js';
import { OTHER_PHONE, PHONE, SAMPLE_EDITORS_BLOCK, sampleAutomaticEvent, sampleEvent, sampleState } from '../../support/samples.js';

/*
 * What stays of a number's state when its personal data is erased: the objection (blocked or opted
 * out, its source and its date), no reasons, people, profiles, codes or senders; and later signals are
 * merged into it as into any state.
 */

const AT = '2025-01-01T00:00:00.000Z';
const LATER = '2025-03-01T00:00:00.000Z';
const failure = { at: AT, by: 'provider' as const, blocking: true as const, eventId: 'wa-1', reasonCode: '131026', reason: 'Message undeliverable', updatedBy: 'whatsapp:967249473135513' };
const stop = { at: AT, by: 'provider' as const, blocking: true, eventId: 'wa-stop', keyword: 'stop' as const, reason: 'STOP', updatedBy: 'recipient:420777123456' };
const optOut = { at: AT, by: 'provider' as const, blocking: true, eventId: 'wa-out', preference: 'stop' as const, source: 'user_preferences' as const, sender: '967249473135513' };
const unblocked = { ...SAMPLE_EDITORS_BLOCK, action: 'unblock' as const, blocking: false, sequence: 7, reason: 'cleared', at: '2025-02-01T00:00:00.000Z' };

/** Everything personal a state can hold, which no suppression record may show. */
const PERSONAL = ['first reason', 'olga', 'profile-0', 'Message undeliverable', '131026', '967249473135513', 'recipient:', 'STOP', 'cleared', 'wa-', 'sample-block', OTHER_PHONE];

function expectNothingPersonal(registers: Registers | undefined): void {
  const text = JSON.stringify(registers);
  for (const personal of PERSONAL) expect(text).not.toContain(personal);
}

describe('suppressionOf', () => {
  it("keeps an editor's block as a block by an operator, with its time and sequence, and nothing else", () => {
    const state = sampleState({ editors: SAMPLE_EDITORS_BLOCK }, { version: 3, updatedAt: AT });

    const kept = suppressionOf(state);

    expect(kept).toEqual({
      phone: PHONE,
      blocked: true,
      source: 'manual',
      reason: '',
      reasonCode: undefined,
      profileId: undefined,
      updatedBy: '',
      marketingOptOut: undefined,
      updatedAt: AT,
      version: 4,
      registers: {
        editors: { at: SAMPLE_EDITORS_BLOCK.at, by: 'person', blocking: true, sequence: 5, eventId: 'erased', action: 'block', reason: '', updatedBy: '', profileId: undefined },
      },
    });
    expectNothingPersonal(kept?.registers);
  });

  it('keeps an automatic block without its code, and a recipient\'s STOP (own or carried) without who said it', () => {
    const automatic = suppressionOf(sampleState({ failure, editors: { ...unblocked, at: '2024-12-01T00:00:00.000Z' } }));
    const recipient = suppressionOf(sampleState({ keyword: stop }));
    const carried = suppressionOf(sampleState({ carriedKeyword: { ...stop, at: LATER, origin: AT } }));

    expect(automatic).toMatchObject({ blocked: true, source: 'automatic', reasonCode: undefined, reason: '', updatedBy: '' });
    expect(Object.keys(automatic?.registers ?? {})).toEqual(['failure']);
    expect(recipient).toMatchObject({ blocked: true, source: 'recipient', reason: '', registers: { keyword: { keyword: 'stop', at: AT } } });
    expect(carried).toMatchObject({ blocked: true, source: 'recipient', registers: { carriedKeyword: { keyword: 'stop', at: LATER, origin: AT } } });
    for (const kept of [automatic, recipient, carried]) expectNothingPersonal(kept?.registers);
  });

  it('keeps every block in force, the strongest shown, and a marketing opt-out beside them', () => {
    const kept = suppressionOf(sampleState({ editors: SAMPLE_EDITORS_BLOCK, failure, keyword: stop, marketing: optOut }));

    expect(kept).toMatchObject({ blocked: true, source: 'manual', marketingOptOut: { since: AT, source: 'user_preferences', sender: '' } });
    expect(Object.keys(kept?.registers ?? {}).sort()).toEqual(['editors', 'failure', 'keyword', 'marketing']);
    expectNothingPersonal(kept?.registers);
  });

  it('keeps the marketing opt-out of a sendable number, and only that', () => {
    const kept = suppressionOf(sampleState({ editors: unblocked, marketing: optOut }));

    expect(kept).toMatchObject({ blocked: false, source: undefined, marketingOptOut: { since: AT, source: 'user_preferences', sender: '' } });
    expect(Object.keys(kept?.registers ?? {})).toEqual(['marketing']);
  });

  it('leaves nothing of a sendable number without an opt-out, or of one never changed', () => {
    expect(suppressionOf(sampleState({ editors: unblocked, failure: { ...failure, at: '2024-12-01T00:00:00.000Z' } }))).toBeUndefined();
    expect(suppressionOf(sampleState({ keyword: { ...stop, keyword: 'start', blocking: false }, marketing: { ...optOut, preference: 'resume', blocking: false } }))).toBeUndefined();
    expect(suppressionOf(undefined)).toBeUndefined();
  });

  it('forgets the number the recipient moved to', () => {
    const moved = { at: AT, by: 'provider' as const, blocking: false, eventId: 'wa-moved', to: { phone: OTHER_PHONE, alternatives: [], recipientId: OTHER_PHONE.slice(1) }, sender: '1' };

    const kept = suppressionOf(sampleState({ editors: SAMPLE_EDITORS_BLOCK, moved }));

    expect(kept?.registers.moved).toBeUndefined();
    expectNothingPersonal(kept?.registers);
  });

  it('is its own suppression record: an erasure repeated has nothing to write', () => {
    const state = sampleState({ editors: SAMPLE_EDITORS_BLOCK, failure, marketing: optOut });
    const kept = suppressionOf(state)!;

    expect(isSuppression(state)).toBe(false);
    expect(isSuppression(kept)).toBe(true);
    // As DynamoDB gives it back: undefined attributes absent, keys in another order.
    const stored = JSON.parse(JSON.stringify({ ...kept, registers: { marketing: kept.registers.marketing, failure: kept.registers.failure, editors: kept.registers.editors } }));
    expect(isSuppression(stored)).toBe(true);
    expect(isSuppression(undefined)).toBe(false);
  });
});

describe('signals after an erasure, merged into the suppression record as into any state', () => {
  const manual = suppressionOf(sampleState({ editors: SAMPLE_EDITORS_BLOCK }))!;
  const recipient = suppressionOf(sampleState({ keyword: stop }))!;
  const opted = suppressionOf(sampleState({ marketing: optOut }))!;

  it("an editor's later unblock makes the number sendable; a request older than the block kept is superseded", () => {
    const lifted = transition(manual, sampleEvent({ action: 'unblock', sequence: 6, requestedAt: LATER, reason: 'New consent' }), LATER);
    const older = transition(manual, sampleEvent({ action: 'unblock', sequence: 4, requestedAt: LATER }), LATER);

    expect(lifted).toMatchObject({ outcome: 'applied', next: { blocked: false, source: 'manual', reason: 'New consent', version: manual.version + 1 } });
    expect(older).toEqual({ outcome: 'superseded', next: undefined, newlyBlocked: false });
  });

  it("a later failure leaves an operator's block shown; a later START lifts the recipient's STOP kept", () => {
    const failed = transition(manual, sampleAutomaticEvent({ occurredAt: LATER }), LATER);
    const started = transition(recipient, sampleAutomaticEvent({ action: 'wa_start_keyword', reasonCode: undefined, reason: 'START', occurredAt: LATER }), LATER);

    expect(failed).toMatchObject({ outcome: 'unchanged', next: { blocked: true, source: 'manual' } });
    expect(started).toMatchObject({ outcome: 'applied', next: { blocked: false, source: 'recipient' } });
  });

  it('a START older than the STOP kept is superseded, and a later resume ends the opt-out', () => {
    const stale = transition(recipient, sampleAutomaticEvent({ action: 'wa_start_keyword', reasonCode: undefined, reason: 'START', occurredAt: '2024-06-01T00:00:00.000Z' }), LATER);
    const resumed = transition(opted, sampleAutomaticEvent({ action: 'wa_opted_in', reasonCode: undefined, occurredAt: LATER }), LATER);

    expect(stale).toEqual({ outcome: 'superseded', next: undefined, newlyBlocked: false });
    expect(resumed).toMatchObject({ outcome: 'applied', next: { marketingOptOut: undefined } });
  });
});
