import { NotFoundError, ServiceUnavailableError } from '../../../shared/domain/errors.js';
import type { ChangeActors } from '../../../shared/domain/ports.js';
import type { AuditActor } from '../../../shared/domain/records.js';
import { deleteProfile, replaceProfile, viewNumberConsent, viewProfileConsent } from '../../../shared/domain/profiles.js';
import { fixedClock, InMemoryConsentStateStore, InMemoryProfileStore, InMemoryRequestStore } from '../support/fakes.js';
import { callerWith, e164, OTHER_PHONE, PHONE, SAMPLE_EDITORS_BLOCK, sampleState } from '../support/samples.js';

const NOW = '2025-01-02T03:04:05.000Z';

/** The audit of a store that has no entry to say who made a change. */
const noChanges: ChangeActors = { actorAppliedAt: async () => undefined };

describe('replaceProfile', () => {
  it('stores the numbers once each, in first-seen order, with who and when', async () => {
    const profiles = new InMemoryProfileStore();

    const saved = await replaceProfile(
      callerWith({ username: 'adam' }),
      { profileId: 'profile-1', whatsappNumbers: [PHONE, OTHER_PHONE, PHONE] },
      { profiles, clock: fixedClock(NOW) },
    );

    const expected = { profileId: 'profile-1', whatsappNumbers: [PHONE, OTHER_PHONE], updatedAt: NOW, updatedBy: 'adam' };
    expect(saved).toEqual(expected);
    expect(await profiles.get('profile-1')).toEqual(expected);
  });

  it('replaces the list of an existing profile rather than adding to it', async () => {
    const profiles = new InMemoryProfileStore([{ profileId: 'profile-1', whatsappNumbers: [PHONE], updatedAt: NOW, updatedBy: 'adam' }]);

    await replaceProfile(callerWith(), { profileId: 'profile-1', whatsappNumbers: [OTHER_PHONE] }, { profiles, clock: fixedClock(NOW) });

    expect((await profiles.get('profile-1'))?.whatsappNumbers).toEqual([OTHER_PHONE]);
  });
});

describe('deleteProfile', () => {
  const profile = { profileId: 'profile-1', whatsappNumbers: [PHONE], updatedAt: NOW, updatedBy: 'adam' };

  it('deletes the profile as it was read', async () => {
    const profiles = new InMemoryProfileStore([profile]);

    await deleteProfile('profile-1', { profiles });

    expect(await profiles.get('profile-1')).toBeUndefined();
  });

  it('refuses an unknown profile with a 404', async () => {
    await expect(deleteProfile('nobody', { profiles: new InMemoryProfileStore() })).rejects.toMatchObject({ status: 404 });
  });

  it('reads the profile again when another admin changed its numbers in between, and deletes it then', async () => {
    const profiles = new InMemoryProfileStore([profile]);
    profiles.beforeRemove = (attempt) => {
      if (attempt === 1) profiles.profiles.set('profile-1', { ...profile, whatsappNumbers: [PHONE, OTHER_PHONE] });
    };

    await deleteProfile('profile-1', { profiles });

    expect(profiles.removeAttempts).toBe(2);
    expect(await profiles.get('profile-1')).toBeUndefined();
  });

  it('gives up with a 503 on a profile that keeps changing', async () => {
    const profiles = new InMemoryProfileStore([profile]);
    profiles.beforeRemove = (attempt) => profiles.profiles.set('profile-1', { ...profile, whatsappNumbers: attempt % 2 ? [OTHER_PHONE] : [PHONE] });

    await expect(deleteProfile('profile-1', { profiles })).rejects.toThrow(ServiceUnavailableError);
  });
});

describe('viewProfileConsent', () => {
  function setUp() {
    const third = e164('+420777123458');
    const profiles = new InMemoryProfileStore([
      { profileId: 'profile-1', whatsappNumbers: [PHONE, OTHER_PHONE, third], updatedAt: NOW, updatedBy: 'adam' },
    ]);
    const states = new InMemoryConsentStateStore([
      sampleState({ editors: { ...SAMPLE_EDITORS_BLOCK, at: NOW, sequence: 1, reason: 'asked by phone', updatedBy: 'erin', profileId: 'profile-1' } }, { updatedAt: NOW, version: 1 }),
    ]);
    const requests = new InMemoryRequestStore();
    return { third, profiles, states, requests };
  }

  it('refuses an unknown profile with a 404', async () => {
    const { profiles, states, requests } = setUp();

    const viewing = viewProfileConsent('nobody', { profiles, states, requests, changes: noChanges });

    await expect(viewing).rejects.toThrow(NotFoundError);
    await expect(viewing).rejects.toMatchObject({ status: 404 });
  });

  it('shows each number with its state (never seen: unblocked, nulls) and its pending requests only', async () => {
    // prepare
    const { third, profiles, states, requests } = setUp();
    const actor = { type: 'user' as const, sub: 'sub-erin', username: 'erin' };
    const request = { action: 'unblock' as const, profileId: 'profile-1', reason: 'r', requestedBy: actor, appliedAt: undefined };
    await requests.create({ ...request, requestId: 'req-1', status: 'pending', phone: PHONE, requestedAt: '2025-01-02T03:05:00.000Z', sequence: 2 });
    await requests.create({ ...request, requestId: 'req-2', status: 'applied', phone: OTHER_PHONE, requestedAt: NOW, sequence: 1 });
    await requests.create({ ...request, requestId: 'req-3', status: 'pending', phone: PHONE, requestedAt: '2025-01-02T03:06:00.000Z', sequence: 3, action: 'block' });

    // act
    const view = await viewProfileConsent('profile-1', { profiles, states, requests, changes: noChanges });

    // assess
    expect(view).toStrictEqual({
      profileId: 'profile-1',
      numbers: [
        {
          phone: PHONE, blocked: true, source: 'manual', reason: 'asked by phone', reasonCode: null, updatedAt: NOW, updatedBy: 'erin', updatedBySender: null, marketingOptOut: null,
          pending: [
            { requestId: 'req-1', action: 'unblock', requestedAt: '2025-01-02T03:05:00.000Z' },
            { requestId: 'req-3', action: 'block', requestedAt: '2025-01-02T03:06:00.000Z' },
          ],
        },
        { phone: OTHER_PHONE, blocked: false, source: null, reason: null, reasonCode: null, updatedAt: null, updatedBy: null, updatedBySender: null, marketingOptOut: null, pending: [] },
        { phone: third, blocked: false, source: null, reason: null, reasonCode: null, updatedAt: null, updatedBy: null, updatedBySender: null, marketingOptOut: null, pending: [] },
      ],
    });
  });
});

describe('viewNumberConsent, on a change the provider made', () => {
  const SENDER = { type: 'provider', provider: 'whatsapp', phoneNumberId: '967249473135513' } as const;

  /** A number the provider blocked at NOW, and an audit whose entry applied then has `actor`; it records what it was asked. */
  function setUp(actor: AuditActor | undefined, updatedBy = 'whatsapp:967249473135513') {
    const states = new InMemoryConsentStateStore([sampleState(undefined, { source: 'automatic', updatedAt: NOW, updatedBy })]);
    const asked: [string, string][] = [];
    const changes: ChangeActors = {
      actorAppliedAt: async (phone, appliedAt) => {
        asked.push([phone, appliedAt]);
        return actor;
      },
    };
    return { deps: { states, requests: new InMemoryRequestStore(), changes }, asked };
  }

  it("names the sender with the number its change's audit entry says it displays as", async () => {
    const { deps, asked } = setUp({ ...SENDER, displayPhoneNumber: '5511962185237' });

    const view = await viewNumberConsent(PHONE, deps);

    expect(view.updatedBySender).toStrictEqual({ ...SENDER, displayPhoneNumber: '5511962185237' });
    expect(asked).toEqual([[PHONE, NOW]]);
  });

  it('names the sender with the number the state keeps, without reading the audit', async () => {
    const { deps, asked } = setUp(undefined);
    const state = sampleState(undefined, { source: 'automatic', updatedAt: NOW, updatedBy: 'whatsapp:967249473135513', senderDisplayPhoneNumber: '5511962185237' });
    deps.states.states.set(state.phone, state);

    const view = await viewNumberConsent(PHONE, deps);

    expect(view.updatedBySender).toStrictEqual({ ...SENDER, displayPhoneNumber: '5511962185237' });
    expect(asked).toEqual([]);
  });

  it('names the sender by its id alone when the entry is not found, has no display number, or names another sender', async () => {
    for (const actor of [undefined, SENDER, { ...SENDER, phoneNumberId: '1', displayPhoneNumber: '15550001111' }]) {
      const { deps } = setUp(actor);

      expect((await viewNumberConsent(PHONE, deps)).updatedBySender).toStrictEqual(SENDER);
    }
  });

  it('names no sender, and reads no audit, when a person or the recipient made the change', async () => {
    for (const updatedBy of ['erin', 'recipient:420777123456']) {
      const { deps, asked } = setUp({ ...SENDER, displayPhoneNumber: '5511962185237' }, updatedBy);

      expect((await viewNumberConsent(PHONE, deps)).updatedBySender).toBeNull();
      expect(asked).toEqual([]);
    }
  });
});
