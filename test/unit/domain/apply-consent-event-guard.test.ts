import { applyConsentEvent, type ApplyDependencies } from '../../../shared/domain/apply-consent-event.js';
import type { AutomaticConsentEvent } from '../../../shared/domain/consent-event.js';
import type { HeldBlock } from '../../../shared/domain/records.js';
import { fixedClock, InMemoryConsentStateStore, InMemoryEventLedger, InMemoryProfileStore } from '../support/fakes.js';
import { PHONE, sampleAutomaticEvent, sampleState } from '../support/samples.js';

const APPLIED_AT = '2025-01-02T03:04:06.000Z';
const BUCKET = Math.floor(Date.parse(APPLIED_AT) / 60_000);
const editor = { type: 'user' as const, sub: 'sub-erin', username: 'erin' };

/** A processor whose sender has `used` automatic blocks in the current bucket of its window, of `limit`. */
function setUp({ limit = 3, used = 0, held = [] as HeldBlock[] } = {}) {
  const states = new InMemoryConsentStateStore([]);
  const ledger = new InMemoryEventLedger(states);
  const reads: string[] = [];
  const deps: ApplyDependencies = {
    states,
    ledger,
    profiles: new InMemoryProfileStore(),
    clock: fixedClock(APPLIED_AT),
    guard: {
      settings: { limit, windowSeconds: 600 },
      counter: {
        read: async (sender) => {
          reads.push(sender);
          return new Map([[BUCKET, used]]);
        },
      },
    },
    held: { get: async (phone, eventId) => held.find((entry) => entry.phone === phone && entry.eventId === eventId) },
  };
  return { states, ledger, reads, deps };
}

const failure = (overrides: Partial<AutomaticConsentEvent> = {}) => sampleAutomaticEvent({ action: 'wa_blocked', ...overrides });

describe('applyConsentEvent with the auto-block guard', () => {
  it("applies an automatic block while its sender's window has room, taking a slot in the current bucket", async () => {
    const { states, ledger, deps } = setUp({ used: 2 });
    const event = failure();

    expect(await applyConsentEvent(event, deps)).toEqual({ outcome: 'applied' });
    expect(states.states.get(PHONE)).toMatchObject({ blocked: true, source: 'automatic' });
    expect(ledger.committed[0]?.guardSlot).toMatchObject({ sender: event.actor.phoneNumberId, limit: 3, bucketSeconds: 60, window: { current: BUCKET } });
    expect(ledger.committed[0]?.hold).toBeUndefined();
  });

  it('holds an automatic block once the window is full: recorded as held and listed, the number left sendable', async () => {
    const { states, ledger, deps } = setUp({ used: 3 });
    const event = failure({ reasonCode: '131026' });

    expect(await applyConsentEvent(event, deps)).toEqual({ outcome: 'held' });
    expect(states.states.get(PHONE)).toBeUndefined();
    expect(ledger.audit).toEqual([expect.objectContaining({ eventId: event.eventId, outcome: 'held', action: 'wa_blocked', source: 'automatic' })]);
    expect(ledger.committed[0]?.hold).toEqual({
      phone: PHONE,
      eventId: event.eventId,
      sender: event.actor.phoneNumberId,
      reasonCode: '131026',
      failedAt: event.occurredAt,
      heldAt: APPLIED_AT,
      event,
    });
    expect(ledger.committed[0]?.guardSlot).toBeUndefined();
  });

  it('counts nothing for a failure on a number already blocked: it blocks nothing new', async () => {
    const { ledger, reads, deps } = setUp({ used: 3 });
    await deps.states.get(PHONE);
    (deps.states as InMemoryConsentStateStore).states.set(PHONE, sampleState(undefined, { version: 1 }));

    expect(await applyConsentEvent(failure(), deps)).toEqual({ outcome: 'unchanged' });
    expect(reads).toEqual([]);
    expect(ledger.committed[0]?.hold).toBeUndefined();
  });

  it.each([
    ['a STOP keyword', { action: 'wa_stop_keyword' as const }],
    ['a marketing opt-out', { action: 'wa_opted_out' as const }],
  ])('leaves %s to the recipient: never counted, never held', async (_, overrides) => {
    const { ledger, reads, deps } = setUp({ used: 3 });

    expect(await applyConsentEvent(failure(overrides), deps)).toEqual({ outcome: 'applied' });
    expect(reads).toEqual([]);
    expect(ledger.committed[0]?.guardSlot).toBeUndefined();
  });

  it('counts nothing with a limit of 0: the guard is off', async () => {
    const { ledger, reads, deps } = setUp({ limit: 0 });

    expect(await applyConsentEvent(failure(), deps)).toEqual({ outcome: 'applied' });
    expect(reads).toEqual([]);
    expect(ledger.committed[0]?.guardSlot).toBeUndefined();
  });

  it("applies a released block past a full window, in the editor's name, and settles its held entry", async () => {
    const original = failure({ eventId: 'wa-original' });
    const held: HeldBlock = { phone: PHONE, eventId: 'wa-original', sender: '1', reasonCode: '131026', failedAt: original.occurredAt, heldAt: APPLIED_AT, event: original };
    const { states, ledger, reads, deps } = setUp({ used: 3, held: [held] });

    const result = await applyConsentEvent(failure({ eventId: 'wa-release', release: { heldEventId: 'wa-original', actor: editor, reason: 'Checked', releasedAt: APPLIED_AT } }), deps);

    expect(result).toEqual({ outcome: 'applied' });
    expect(reads).toEqual([]);
    expect(states.states.get(PHONE)).toMatchObject({ blocked: true, source: 'automatic', updatedBy: 'erin' });
    expect(ledger.audit[0]).toMatchObject({ outcome: 'applied', actor: editor, reason: 'Checked' });
    expect(ledger.committed[0]?.settles).toEqual({ phone: PHONE, eventId: 'wa-original' });
  });

  it('does nothing for a release whose held entry is gone (discarded meanwhile, or released before)', async () => {
    const { ledger, deps } = setUp();

    const result = await applyConsentEvent(failure({ release: { heldEventId: 'wa-gone', actor: editor, reason: 'Checked', releasedAt: APPLIED_AT } }), deps);

    expect(result).toEqual({ outcome: 'not-held' });
    expect(ledger.attempts).toBe(0);
  });
});
