import { changeOf } from '../../../shared/domain/change-events.js';

const applied = {
  eventId: 'e-1',
  phone: '+420777123456',
  outcome: 'applied',
  reason: 'Asked by phone',
  reasonCode: undefined,
  profileId: 'crm-1001',
  actor: { type: 'user', sub: 's', username: 'erin' },
  appliedAt: '2026-01-01T00:00:00.000Z',
  requestId: 'r-1',
  after: { blocked: true, source: 'manual', marketingOptOut: null, version: 7 },
};

describe('changeOf', () => {
  it('turns an applied entry into the documented detail, with null for what it lacks', () => {
    expect(changeOf(applied)).toEqual({
      eventId: 'e-1',
      phone: '+420777123456',
      blocked: true,
      source: 'manual',
      reason: 'Asked by phone',
      reasonCode: null,
      marketingOptOut: null,
      profileId: 'crm-1001',
      actor: { type: 'user', sub: 's', username: 'erin' },
      occurredAt: '2026-01-01T00:00:00.000Z',
      requestId: 'r-1',
      stateVersion: 7,
    });
  });

  it.each(['unchanged', 'superseded', 'held', 'discarded'])('publishes nothing for an entry whose outcome is %s', (outcome) => {
    expect(changeOf({ ...applied, outcome })).toBeUndefined();
  });

  it('publishes nothing for an applied entry written before entries carried their state', () => {
    const { after: _after, ...older } = applied;
    expect(changeOf(older)).toBeUndefined();
  });
});
