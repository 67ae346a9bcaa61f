import { applyConsentEvent, type ApplyDependencies } from '../../../shared/domain/apply-consent-event.js';
import type { ConsentState } from '../../../shared/domain/consent-state.js';
import { fixedClock, InMemoryConsentStateStore, InMemoryEventLedger, InMemoryProfileStore } from '../support/fakes.js';
import { PHONE, SAMPLE_EDITORS_BLOCK, sampleEvent, sampleState } from '../support/samples.js';

const APPLIED_AT = '2025-01-02T03:04:06.000Z';

function setUp(initial: ConsentState[] = []) {
  const states = new InMemoryConsentStateStore(initial);
  const ledger = new InMemoryEventLedger(states);
  const profiles = new InMemoryProfileStore();
  const deps: ApplyDependencies = { states, ledger, profiles, clock: fixedClock(APPLIED_AT) };
  return { states, ledger, profiles, deps };
}

describe('applyConsentEvent', () => {
  it('applies a block: the state, and one audit entry that says who, what and when', async () => {
    // prepare
    const { states, ledger, deps } = setUp();
    const event = sampleEvent({ action: 'block', sequence: 1 });

    // act
    const result = await applyConsentEvent(event, deps);

    // assess
    expect(result).toEqual({ outcome: 'applied' });
    expect(states.states.get(PHONE)).toMatchObject({ blocked: true, version: 1, updatedAt: APPLIED_AT, registers: { editors: { sequence: 1 } } });
    expect(ledger.audit).toEqual([
      {
        eventId: event.eventId,
        requestId: event.requestId,
        action: 'block',
        phone: PHONE,
        profileId: event.profileId,
        source: 'manual',
        reason: event.reason,
        reasonCode: undefined,
        actor: event.actor,
        requestedAt: event.requestedAt,
        appliedAt: APPLIED_AT,
        outcome: 'applied',
      },
    ]);
  });

  it("audits an import's row with the importer as the actor and the import's id, on no profile", async () => {
    // prepare: a row of an import, as the import enqueues it
    const { states, ledger, deps } = setUp();
    const { profileId: _none, ...row } = sampleEvent({ actor: { type: 'user', sub: 'sub-ivan', username: 'ivan' } });
    const event = { ...row, importId: '01JIMPORTIMPORTIMPORTIMPOR' };

    // act
    const result = await applyConsentEvent(event, deps);

    // assess
    expect(result).toEqual({ outcome: 'applied' });
    expect(states.states.get(PHONE)).toMatchObject({ blocked: true, source: 'manual', profileId: undefined, updatedBy: 'ivan' });
    expect(ledger.audit).toHaveLength(1);
    expect(ledger.audit[0]).toMatchObject({
      importId: '01JIMPORTIMPORTIMPORTIMPOR',
      actor: { type: 'user', sub: 'sub-ivan', username: 'ivan' },
      requestId: event.requestId,
      source: 'manual',
      outcome: 'applied',
    });
    expect(ledger.audit[0]?.profileId).toBeUndefined();
  });

  it('answers a second delivery of the same event as a duplicate, with no second audit entry', async () => {
    const { states, ledger, deps } = setUp();
    const event = sampleEvent({ sequence: 1 });
    await applyConsentEvent(event, deps);
    const stateAfterFirst = states.states.get(PHONE);

    const again = await applyConsentEvent(event, deps);

    expect(again).toEqual({ outcome: 'duplicate' });
    expect(ledger.audit).toHaveLength(1);
    expect(states.states.get(PHONE)).toEqual(stateAfterFirst);
  });

  it('records a stale event as superseded and leaves the state alone', async () => {
    const { states, ledger, deps } = setUp();
    await applyConsentEvent(sampleEvent({ eventId: 'e2', action: 'unblock', sequence: 2 }), deps);
    const stateAfterNewer = states.states.get(PHONE);

    const result = await applyConsentEvent(sampleEvent({ eventId: 'e1', action: 'block', sequence: 1 }), deps);

    expect(result).toEqual({ outcome: 'superseded' });
    expect(states.states.get(PHONE)).toEqual(stateAfterNewer);
    expect(ledger.audit.map((entry) => [entry.eventId, entry.outcome])).toEqual([
      ['e2', 'unchanged'],
      ['e1', 'superseded'],
    ]);
  });

  it('reads again and decides again after a conflict, then commits', async () => {
    // prepare: between the first read and the first write, another writer blocks the number
    const { states, ledger, deps } = setUp();
    ledger.beforeRecord = (attempt) => {
      if (attempt === 1) {
        states.states.set(PHONE, sampleState({ editors: { ...SAMPLE_EDITORS_BLOCK, sequence: 1, reason: 'other writer', profileId: 'profile-2' } }, { version: 1 }));
      }
    };

    // act
    const result = await applyConsentEvent(sampleEvent({ action: 'block', sequence: 2 }), deps);

    // assess: the second decision saw the other writer's block, so this block changed nothing
    expect(result).toEqual({ outcome: 'unchanged' });
    expect(ledger.attempts).toBe(2);
    expect(states.states.get(PHONE)).toMatchObject({ blocked: true, version: 2, registers: { editors: { sequence: 2 } } });
    expect(ledger.audit.map((entry) => entry.outcome)).toEqual(['unchanged']);
  });

  it('gives up with an error after eight attempts when the state keeps changing, writing nothing', async () => {
    // prepare: another writer changes the state before every write
    const { states, ledger, deps } = setUp();
    ledger.beforeRecord = (attempt) => {
      const current = states.states.get(PHONE);
      states.states.set(PHONE, sampleState({ editors: { ...SAMPLE_EDITORS_BLOCK, action: 'unblock', blocking: false, sequence: attempt } }, { version: (current?.version ?? 0) + attempt }));
    };
    const event = sampleEvent({ eventId: 'e-busy', sequence: 1_000 });

    // act
    const applying = applyConsentEvent(event, deps);

    // assess
    await expect(applying).rejects.toThrow(`State of ${PHONE} kept changing while event e-busy was applied`);
    expect(ledger.attempts).toBe(8);
    expect(ledger.audit).toEqual([]);
  });
});
