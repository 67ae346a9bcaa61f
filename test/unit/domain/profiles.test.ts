import { NotFoundError } from '../../../shared/domain/errors.js';
import { replaceProfile, viewProfileConsent } from '../../../shared/domain/profiles.js';
import { fixedClock, InMemoryConsentStateStore, InMemoryProfileStore, InMemoryRequestStore } from '../support/fakes.js';
import { callerWith, e164, OTHER_PHONE, PHONE, SAMPLE_EDITORS_BLOCK, sampleState } from '../support/samples.js';

const NOW = '2025-01-02T03:04:05.000Z';

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

    const viewing = viewProfileConsent('nobody', { profiles, states, requests });

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
    const view = await viewProfileConsent('profile-1', { profiles, states, requests });

    // assess
    expect(view).toStrictEqual({
      profileId: 'profile-1',
      numbers: [
        {
          phone: PHONE, blocked: true, source: 'manual', reason: 'asked by phone', reasonCode: null, updatedAt: NOW, updatedBy: 'erin', marketingOptOut: null,
          pending: [
            { requestId: 'req-1', action: 'unblock', requestedAt: '2025-01-02T03:05:00.000Z' },
            { requestId: 'req-3', action: 'block', requestedAt: '2025-01-02T03:06:00.000Z' },
          ],
        },
        { phone: OTHER_PHONE, blocked: false, source: null, reason: null, reasonCode: null, updatedAt: null, updatedBy: null, marketingOptOut: null, pending: [] },
        { phone: third, blocked: false, source: null, reason: null, reasonCode: null, updatedAt: null, updatedBy: null, marketingOptOut: null, pending: [] },
      ],
    });
  });
});
