import { sweepRequests, type DeadLetterReader } from '../../../shared/domain/sweep-requests.js';
import type { ConsentRequest } from '../../../shared/domain/records.js';
import { fixedClock, InMemoryRequestStore, RecordingPublisher } from '../support/fakes.js';
import { OTHER_PHONE, PHONE } from '../support/samples.js';

const NOW = '2025-01-02T03:04:05.000Z';
const options = { resendAfterSeconds: 120, limit: 100 };

function pending(requestId: string, requestedAt: string, phone = PHONE): ConsentRequest {
  return {
    requestId,
    status: 'pending',
    action: 'block',
    phone,
    profileId: 'profile-1',
    reason: 'asked by phone',
    requestedBy: { type: 'user', sub: 'sub-erin', username: 'erin' },
    requestedAt,
    appliedAt: undefined,
    sequence: 1,
  };
}

function setUp(deadLettered: { requestId: string; phone: typeof PHONE }[] = []) {
  const requests = new InMemoryRequestStore();
  const publisher = new RecordingPublisher();
  const deadLetters: DeadLetterReader = { requests: async () => deadLettered };
  const deps = { requests, publisher, deadLetters, clock: fixedClock(NOW) };
  return { requests, publisher, deps };
}

describe('sweepRequests', () => {
  it('enqueues a request pending past the bound once: once the queue has it, later sweeps leave it', async () => {
    const { requests, publisher, deps } = setUp();
    await requests.create(pending('req-stale', '2025-01-02T02:00:00.000Z'));
    await requests.create(pending('req-recent', '2025-01-02T03:04:00.000Z', OTHER_PHONE));

    const first = await sweepRequests(deps, options);
    const second = await sweepRequests(deps, options);

    expect([first, second]).toEqual([{ failed: 0, resent: 1 }, { failed: 0, resent: 0 }]);
    expect(publisher.published.map((event) => event.eventId)).toEqual(['req-stale']);
    expect((await requests.get('req-stale'))?.status).toBe('pending');
  });

  it('sends again at the next sweep a request whose send failed', async () => {
    const { requests, publisher, deps } = setUp();
    await requests.create(pending('req-stale', '2025-01-02T02:00:00.000Z'));
    publisher.failWith = new Error('queue unavailable');

    await expect(sweepRequests(deps, options)).rejects.toThrow('queue unavailable');
    publisher.failWith = undefined;
    const retried = await sweepRequests(deps, options);

    expect(retried).toEqual({ failed: 0, resent: 1 });
    expect(publisher.published.map((event) => event.eventId)).toEqual(['req-stale']);
  });

  it('fails a request whose event is in the dead-letter queue, and does not send it again', async () => {
    const { requests, publisher, deps } = setUp([{ requestId: 'req-dead', phone: PHONE }]);
    await requests.create(pending('req-dead', '2025-01-02T02:00:00.000Z'));

    expect(await sweepRequests(deps, options)).toEqual({ failed: 1, resent: 0 });
    expect((await requests.get('req-dead'))?.status).toBe('failed');
    expect(publisher.published).toEqual([]);
  });
});
