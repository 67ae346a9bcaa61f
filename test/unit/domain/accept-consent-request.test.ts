import { acceptConsentRequest, type AcceptDependencies, type ConsentRequestInput } from '../../../shared/domain/accept-consent-request.js';
import { consentEventSchema } from '../../../shared/domain/consent-event.js';
import { ANSWER_RESERVE_MS } from '../../../shared/domain/deadline.js';
import { IdempotencyConflictError, NotFoundError } from '../../../shared/domain/errors.js';
import {
  fixedClock,
  idSequence,
  InMemoryProfileStore,
  InMemoryRequestStore,
  RecordingPublisher,
  untilAborted,
} from '../support/fakes.js';
import { callerWith, OTHER_PHONE, PHONE } from '../support/samples.js';

const NOW = '2025-01-02T03:04:05.000Z';

function setUp() {
  const profiles = new InMemoryProfileStore([
    { profileId: 'profile-1', whatsappNumbers: [PHONE], updatedAt: NOW, updatedBy: 'adam' },
  ]);
  const requests = new InMemoryRequestStore();
  const publisher = new RecordingPublisher();
  const deps: AcceptDependencies = { profiles, requests, publisher, clock: fixedClock(NOW), newId: idSequence('req') };
  return { profiles, requests, publisher, deps };
}

function blockInput(overrides: Partial<ConsentRequestInput> = {}): ConsentRequestInput {
  return { profileId: 'profile-1', phone: PHONE, action: 'block', reason: 'asked by phone', idempotencyKey: undefined, ...overrides };
}

const erin = callerWith({ sub: 'sub-erin', username: 'erin' });

describe('acceptConsentRequest', () => {
  it('refuses an unknown profile with a 404 and records nothing', async () => {
    const { requests, publisher, deps } = setUp();

    const accepting = acceptConsentRequest(erin, blockInput({ profileId: 'nobody' }), deps);

    await expect(accepting).rejects.toThrow(NotFoundError);
    await expect(accepting).rejects.toMatchObject({ status: 404, message: 'Profile nobody does not exist.' });
    expect(requests.requests.size).toBe(0);
    expect(publisher.published).toEqual([]);
  });

  it('refuses a number the profile does not hold with a 404, recording and publishing nothing', async () => {
    const { requests, publisher, deps } = setUp();

    const accepting = acceptConsentRequest(erin, blockInput({ phone: OTHER_PHONE, idempotencyKey: 'k1' }), deps);

    await expect(accepting).rejects.toMatchObject({ status: 404, message: `Profile profile-1 does not hold the WhatsApp number ${OTHER_PHONE}.` });
    expect(requests.requests.size).toBe(0);
    expect(requests.keys.size).toBe(0);
    expect(publisher.published).toEqual([]);
  });

  it('leaves only a gap in the sequence after a 404: the next request of the number still gets a higher one', async () => {
    // prepare: a refused request took the number's sequence 1 (taken beside the profile read)
    const { profiles, requests, publisher, deps } = setUp();
    await expect(acceptConsentRequest(erin, blockInput({ phone: OTHER_PHONE }), deps)).rejects.toMatchObject({ status: 404 });
    expect(requests.sequences.get(OTHER_PHONE)).toBe(1);
    profiles.profiles.set('profile-2', { profileId: 'profile-2', whatsappNumbers: [OTHER_PHONE], updatedAt: NOW, updatedBy: 'adam' });

    // act
    await acceptConsentRequest(erin, blockInput({ profileId: 'profile-2', phone: OTHER_PHONE }), deps);

    // assess: the event carries 2; sequences are only compared, so the unused 1 changes nothing
    expect(publisher.published).toEqual([expect.objectContaining({ phone: OTHER_PHONE, sequence: 2 })]);
    expect([...requests.requests.values()].map((request) => request.sequence)).toEqual([2]);
  });

  it('looks up the key, reads the profile and takes the sequence side by side, before any of them answers', async () => {
    // prepare: each of the three waits until released
    const { profiles, requests, deps } = setUp();
    const started: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const held = <A extends unknown[], R>(name: string, call: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
      started.push(name);
      await gate;
      return call(...args);
    };
    requests.findIdempotencyRecord = held('key', requests.findIdempotencyRecord.bind(requests));
    profiles.get = held('profile', profiles.get.bind(profiles));
    requests.nextSequence = held('sequence', requests.nextSequence.bind(requests));

    // act
    const accepting = acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1' }), deps);
    await new Promise((resolve) => setImmediate(resolve));

    // assess: all three were asked while none had answered
    expect(started.sort()).toEqual(['key', 'profile', 'sequence']);
    release();
    expect(await accepting).toEqual({ requestId: 'req-1', status: 'pending' });
  });

  it('answers a replayed key with the first request even when the profile read or the sequence fails this time', async () => {
    // prepare
    const { profiles, requests, publisher, deps } = setUp();
    const first = await acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1' }), deps);
    profiles.get = async () => {
      throw new Error('profile read timed out');
    };
    requests.nextSequence = async () => {
      throw new Error('counter throttled');
    };

    // act
    const replay = await acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1' }), deps);

    // assess
    expect(replay).toEqual(first);
    expect(requests.requests.size).toBe(1);
    expect(new Set(publisher.published.map((event) => event.eventId))).toEqual(new Set([first.requestId]));
  });

  it('fails with the look-up error when the key cannot be looked up, recording and publishing nothing', async () => {
    const { requests, publisher, deps } = setUp();
    const lookUpFailed = new Error('key look-up timed out');
    requests.findIdempotencyRecord = async () => {
      throw lookUpFailed;
    };

    await expect(acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1' }), deps)).rejects.toBe(lookUpFailed);
    expect(requests.requests.size).toBe(0);
    expect(requests.keys.size).toBe(0);
    expect(publisher.published).toEqual([]);
  });

  it('answers 404 for a profile that does not hold the number even when the sequence could not be taken', async () => {
    const { requests, deps } = setUp();
    requests.nextSequence = async () => {
      throw new Error('counter throttled');
    };

    await expect(acceptConsentRequest(erin, blockInput({ phone: OTHER_PHONE }), deps)).rejects.toThrow(NotFoundError);
  });

  it('fails with the sequence error when the sequence cannot be taken, recording and publishing nothing', async () => {
    const { requests, publisher, deps } = setUp();
    const throttled = new Error('counter throttled');
    requests.nextSequence = async () => {
      throw throttled;
    };

    await expect(acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1' }), deps)).rejects.toBe(throttled);
    expect(requests.requests.size).toBe(0);
    expect(requests.keys.size).toBe(0);
    expect(publisher.published).toEqual([]);
  });

  it('takes the time after the sequence, so that a later sequence never carries an earlier time', async () => {
    // prepare: the clock and the sequence counter say when each was read
    const { requests, deps } = setUp();
    const order: string[] = [];
    const nextSequence = requests.nextSequence.bind(requests);
    requests.nextSequence = async (phone) => {
      const sequence = await nextSequence(phone);
      order.push('sequence');
      return sequence;
    };
    deps.clock = { now: () => (order.push('clock'), new Date(NOW)) };

    // act
    await acceptConsentRequest(erin, blockInput(), deps);

    // assess: the clock is read once the sequence has been handed out, not merely asked for
    expect(order).toEqual(['sequence', 'clock']);
  });

  it('answers a replayed key with the first request even after the number left the profile', async () => {
    // prepare
    const { profiles, publisher, deps } = setUp();
    const first = await acceptConsentRequest(erin, blockInput({ idempotencyKey: 'k-left' }), deps);
    const before = await profiles.get('profile-1');
    expect(await profiles.replace({ profileId: 'profile-1', whatsappNumbers: [OTHER_PHONE], updatedAt: NOW, updatedBy: 'adam' }, before)).toBe('replaced');

    // act
    const replay = await acceptConsentRequest(erin, blockInput({ idempotencyKey: 'k-left' }), deps);

    // assess
    expect(replay).toEqual(first);
    expect(new Set(publisher.published.map((event) => event.eventId))).toEqual(new Set([first.requestId]));
  });

  it('records a pending request and publishes one valid event with the next sequence of the number', async () => {
    // prepare
    const { requests, publisher, deps } = setUp();
    requests.sequences.set(PHONE, 6);

    // act
    const accepted = await acceptConsentRequest(erin, blockInput(), deps);

    // assess
    expect(accepted).toEqual({ requestId: 'req-1', status: 'pending' });
    expect(publisher.published).toEqual([
      {
        version: 1,
        eventId: 'req-1',
        requestId: 'req-1',
        source: 'manual',
        action: 'block',
        phone: PHONE,
        profileId: 'profile-1',
        reason: 'asked by phone',
        actor: { type: 'user', sub: 'sub-erin', username: 'erin' },
        requestedAt: NOW,
        sequence: 7,
      },
    ]);
    expect(consentEventSchema().safeParse(publisher.published[0]).success).toBe(true);
    expect(await requests.get('req-1')).toMatchObject({ status: 'pending', phone: PHONE, sequence: 7, appliedAt: undefined });
  });

  it('gives each request of a number a higher sequence than the one before', async () => {
    const { publisher, deps } = setUp();

    await acceptConsentRequest(erin, blockInput(), deps);
    await acceptConsentRequest(erin, blockInput({ action: 'unblock' }), deps);

    expect(publisher.published.map((event) => [event.source === 'manual' && event.action, event.source === 'manual' && event.sequence])).toEqual([
      ['block', 1],
      ['unblock', 2],
    ]);
  });

  it('answers a repeated Idempotency-Key with the same body with the first requestId, and sends only the same event again', async () => {
    // prepare
    const { requests, publisher, deps } = setUp();
    const first = await acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1' }), deps);

    // act
    const second = await acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1' }), deps);

    // assess: still pending, so its event is sent again, under the same id (the queue and the processor drop repeats)
    expect(second).toEqual(first);
    expect(publisher.published.map((event) => event.eventId)).toEqual([first.requestId, first.requestId]);
    expect(requests.requests.size).toBe(1);
  });

  it('answers a repeated Idempotency-Key with the status the first request has reached', async () => {
    const { requests, deps } = setUp();
    const first = await acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1' }), deps);
    requests.setStatus(first.requestId, 'applied', NOW);

    expect(await acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1' }), deps)).toEqual({
      requestId: first.requestId,
      status: 'applied',
    });
  });

  it.each<[string, Partial<ConsentRequestInput>]>([
    ['another reason', { reason: 'another reason' }],
    ['another action', { action: 'unblock' }],
  ])('refuses a repeated Idempotency-Key with %s with a 422 and publishes nothing new', async (_label, change) => {
    // prepare
    const { publisher, deps } = setUp();
    await acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1' }), deps);

    // act
    const reusing = acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1', ...change }), deps);

    // assess
    await expect(reusing).rejects.toThrow(IdempotencyConflictError);
    await expect(reusing).rejects.toMatchObject({ status: 422 });
    expect(publisher.published).toHaveLength(1);
  });

  it('keeps Idempotency-Keys apart per caller', async () => {
    const { publisher, deps } = setUp();

    const erins = await acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1' }), deps);
    const olgas = await acceptConsentRequest(callerWith({ sub: 'sub-olga', username: 'olga' }), blockInput({ idempotencyKey: 'key-1' }), deps);

    expect(olgas.requestId).not.toBe(erins.requestId);
    expect(publisher.published).toHaveLength(2);
  });

  it('answers as a replay when another call takes the key between the look-up and the write', async () => {
    // prepare: the look-up misses once, as if the other call had not written yet
    const { requests, publisher, deps } = setUp();
    const first = await acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1' }), deps);
    const lookUp = requests.findIdempotencyRecord.bind(requests);
    let misses = 1;
    requests.findIdempotencyRecord = async (sub, key) => (misses-- > 0 ? undefined : lookUp(sub, key));

    // act
    const second = await acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1' }), deps);

    // assess
    expect(second).toEqual(first);
    expect(new Set(publisher.published.map((event) => event.eventId))).toEqual(new Set([first.requestId]));
  });

  it('answers 202 once the request is recorded, even when its event cannot be enqueued: the request stays pending, the key kept', async () => {
    // prepare
    const { requests, publisher, deps } = setUp();
    const queueDown = new Error('queue unavailable');
    publisher.failWith = queueDown;
    const reported: [string, unknown][] = [];
    deps.onPublishFailed = (requestId, error) => reported.push([requestId, error]);

    // act
    const accepted = await acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1' }), deps);

    // assess
    expect(accepted).toEqual({ requestId: 'req-1', status: 'pending' });
    expect(await requests.get('req-1')).toMatchObject({ status: 'pending' });
    expect(await requests.findIdempotencyRecord('sub-erin', 'key-1')).toMatchObject({ requestId: 'req-1' });
    expect(reported).toEqual([['req-1', queueDown]]);
  });

  it('gives up on a send that hangs shortly before the call runs out of time, and still answers 202 for the recorded request', async () => {
    // prepare: a queue that never answers, until the call is given up on, and a call with little time left
    const { requests, deps } = setUp();
    const sends: (AbortSignal | undefined)[] = [];
    deps.publisher = {
      publish: (_event, options) => {
        sends.push(options?.signal);
        return untilAborted(options?.signal);
      },
      publishAll: async () => undefined,
    };
    const reported: string[] = [];
    deps.onPublishFailed = (requestId) => reported.push(requestId);
    deps.timeLeft = () => ANSWER_RESERVE_MS + 20;

    // act
    const accepted = await acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1' }), deps);
    const replayed = await acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1' }), deps);

    // assess: both answers came, the request is pending for the sweeper, and each send was given up on
    expect(accepted).toEqual({ requestId: 'req-1', status: 'pending' });
    expect(replayed).toEqual(accepted);
    expect(await requests.get('req-1')).toMatchObject({ status: 'pending' });
    expect(sends.map((signal) => signal?.aborted)).toEqual([true, true]);
    expect(reported).toEqual(['req-1', 'req-1']);
  });

  it('tells onAccepted of each new request once it is recorded, even when its event cannot be enqueued, and never of a replay or a refusal', async () => {
    // prepare
    const { requests, publisher, deps } = setUp();
    const accepted: { requestId: string; recorded: boolean }[] = [];
    deps.onAccepted = (request) => accepted.push({ requestId: request.requestId, recorded: requests.requests.has(request.requestId) });
    publisher.failWith = new Error('queue unavailable');

    // act: a new request whose send fails, its replay, a reused key, a refused number, and another new request
    await acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1' }), deps);
    await acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1' }), deps);
    await expect(acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1', reason: 'another' }), deps)).rejects.toMatchObject({ status: 422 });
    await expect(acceptConsentRequest(erin, blockInput({ phone: OTHER_PHONE }), deps)).rejects.toMatchObject({ status: 404 });
    publisher.failWith = undefined;
    await acceptConsentRequest(erin, blockInput({ action: 'unblock' }), deps);

    // assess
    expect(accepted).toEqual([
      { requestId: 'req-1', recorded: true },
      { requestId: 'req-2', recorded: true },
    ]);
  });

  it('does not tell onAccepted when another call took the key between the look-up and the write', async () => {
    const { requests, deps } = setUp();
    await acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1' }), deps);
    const lookUp = requests.findIdempotencyRecord.bind(requests);
    let misses = 1;
    requests.findIdempotencyRecord = async (sub, key) => (misses-- > 0 ? undefined : lookUp(sub, key));
    const accepted: string[] = [];
    deps.onAccepted = (request) => accepted.push(request.requestId);

    await acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1' }), deps);

    expect(accepted).toEqual([]);
  });

  it('re-sends a pending request when its key is replayed, and creates no second request', async () => {
    // prepare: the first send failed (or its answer was lost)
    const { requests, publisher, deps } = setUp();
    publisher.failWith = new Error('queue unavailable');
    await acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1' }), deps);
    publisher.failWith = undefined;

    // act
    const retried = await acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1' }), deps);

    // assess
    expect(retried).toEqual({ requestId: 'req-1', status: 'pending' });
    expect(publisher.published.map((event) => event.eventId)).toEqual(['req-1']);
    expect(requests.requests.size).toBe(1);
  });

  it('does not re-send a request that has settled when its key is replayed', async () => {
    const { requests, publisher, deps } = setUp();
    await acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1' }), deps);
    requests.setStatus('req-1', 'applied', NOW);

    expect(await acceptConsentRequest(erin, blockInput({ idempotencyKey: 'key-1' }), deps)).toEqual({ requestId: 'req-1', status: 'applied' });
    expect(publisher.published).toHaveLength(1);
  });
});
