import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { consentEventSchema, type AutomaticConsentEvent, type ConsentEvent } from '../../../../shared/domain/consent-event.js';
import { ServiceUnavailableError } from '../../../../shared/domain/errors.js';
import { failureClassifier } from '../../../../shared/domain/whatsapp/provider-errors.js';
import { receiveDeliveryStatuses, statusClassOf, type Disposition } from '../../../../shared/domain/whatsapp/receive-signals.js';
import { deliveryStatusesOf, readCallback, type DeliveryStatus } from '../../../../shared/domain/whatsapp/callback.js';
import { RecordingPublisher } from '../../support/fakes.js';

const FIXTURE = JSON.parse(readFileSync(new URL('../../../fixtures/meta-status-failed-131026.json', import.meta.url), 'utf8'));
const META_ERRORS = JSON.parse(readFileSync(new URL('../../../fixtures/meta-error-objects.json', import.meta.url), 'utf8')) as {
  code: number;
}[];

/** The fixture's one status, read the way the webhook reads it. */
function fixtureStatus(): DeliveryStatus {
  const [status] = deliveryStatusesOf(readCallback(FIXTURE).callback);
  if (!status) throw new Error('the fixture has a status');
  return status;
}

/** A status like the fixture's; `overrides` change it. */
function failedStatus(overrides: Partial<DeliveryStatus> = {}): DeliveryStatus {
  return { ...fixtureStatus(), ...overrides };
}

/** The fixture with its error replaced by one of meta-error-objects.json, read the way the webhook reads it. */
function fixtureStatusWithError(code: number): DeliveryStatus {
  const callback = structuredClone(FIXTURE);
  callback.entry[0].changes[0].value.statuses[0].errors = [META_ERRORS.find((error) => error.code === code)];
  const [status] = deliveryStatusesOf(readCallback(callback).callback);
  return status!;
}

function setUp() {
  const publisher = new RecordingPublisher();
  const calls: (readonly ConsentEvent[])[] = [];
  const deps = {
    classify: failureClassifier(),
    publisher: {
      publishAll: async (events: readonly ConsentEvent[]) => {
        calls.push(events);
        await publisher.publishAll(events);
      },
    },
  };
  return { publisher, calls, deps };
}

function eventOf(disposition: Disposition | undefined): AutomaticConsentEvent {
  if (disposition?.kind !== 'enqueued') throw new Error(`expected an enqueued disposition, got ${disposition?.kind}`);
  return disposition.event;
}

describe('receiveDeliveryStatuses', () => {
  it('turns the fixture failure 131026 into one published wa_blocked event', async () => {
    // prepare
    const { publisher, calls, deps } = setUp();
    const status = fixtureStatus();

    // act
    const dispositions = await receiveDeliveryStatuses([status], deps);

    // assess
    expect(dispositions).toHaveLength(1);
    expect(dispositions[0]?.kind).toBe('enqueued');
    const event = eventOf(dispositions[0]);
    expect(event).toEqual({
      version: 1,
      eventId: expect.stringMatching(/^wa-[A-Za-z0-9_-]+$/),
      source: 'automatic',
      action: 'wa_blocked',
      phone: '+5541992146473',
      alternatives: [],
      recipientId: '554192146473',
      reasonCode: '131026',
      reason: 'Message undeliverable',
      actor: { type: 'provider', provider: 'whatsapp', phoneNumberId: '967249473135513', displayPhoneNumber: '5511962185237' },
      providerMessageId: 'wamid.HBgMNTU0MTkyMTQ2NDczFQIAERgSOTU3MDkwOEFBNTNBRDE4MUFGAA==',
      occurredAt: '2026-05-08T14:41:23.000Z',
    });
    expect(calls).toHaveLength(1);
    expect(publisher.published).toEqual([event]);
  });

  it('publishes an event that the consent event schema accepts as it is', async () => {
    const { publisher, deps } = setUp();

    await receiveDeliveryStatuses([fixtureStatus()], deps);

    expect(publisher.published).toHaveLength(1);
    expect(consentEventSchema().parse(publisher.published[0])).toEqual(publisher.published[0]);
  });

  it('gives the same status the same event id, every time', async () => {
    const first = eventOf((await receiveDeliveryStatuses([fixtureStatus()], setUp().deps))[0]);
    const again = eventOf((await receiveDeliveryStatuses([fixtureStatus()], setUp().deps))[0]);
    const laterDelivery = eventOf((await receiveDeliveryStatuses([failedStatus({ occurredAt: '2026-05-09T00:00:00.000Z' })], setUp().deps))[0]);

    expect(again.eventId).toBe(first.eventId);
    expect(laterDelivery.eventId).toBe(first.eventId);
  });

  it('gives another message another event id, and a status of the same message delivered again the same one', async () => {
    const { deps } = setUp();
    const [fixture, otherMessage, redelivered] = await receiveDeliveryStatuses(
      [
        fixtureStatus(),
        failedStatus({ messageId: 'wamid.another' }),
        failedStatus({ occurredAt: '2026-05-08T14:41:24.000Z', errors: [{ code: 1013, text: 'Not a WhatsApp user' }] }),
      ],
      deps,
    );

    expect(eventOf(otherMessage).eventId).not.toBe(eventOf(fixture).eventId);
    expect(eventOf(redelivered).eventId).toBe(eventOf(fixture).eventId);
  });

  it('derives the event id from the message id and the status, and from nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 256 }), fc.string({ minLength: 1, maxLength: 256 }), async (a, b) => {
        const { deps } = setUp();
        const [first, second] = await receiveDeliveryStatuses([failedStatus({ messageId: a }), failedStatus({ messageId: b })], deps);
        expect(eventOf(first).eventId === eventOf(second).eventId).toBe(a === b);
        expect(eventOf(first).eventId.length).toBeLessThanOrEqual(64);
      }),
      { numRuns: 100 },
    );
  });

  it.each(['sent', 'delivered', 'read', 'deleted'])('treats a %p status as not a failure and publishes nothing', async (state) => {
    // prepare
    const { calls, deps } = setUp();
    const status = failedStatus({ status: state, errors: [] });

    // act
    const dispositions = await receiveDeliveryStatuses([status], deps);

    // assess
    expect(dispositions).toEqual([{ kind: 'not-a-failure', status }]);
    expect(calls).toEqual([]);
  });

  it('treats a non-failed status as not a failure even when it lists a blocking error', async () => {
    const { calls, deps } = setUp();

    const [disposition] = await receiveDeliveryStatuses([failedStatus({ status: 'delivered' })], deps);

    expect(disposition?.kind).toBe('not-a-failure');
    expect(calls).toEqual([]);
  });

  it.each([131049, 131047, 130472])('acknowledges the temporary failure %p of the provider sample and publishes nothing', async (code) => {
    // prepare
    const { calls, deps } = setUp();
    const status = fixtureStatusWithError(code);
    expect(status.errors.map((error) => error.code)).toEqual([code]);

    // act
    const dispositions = await receiveDeliveryStatuses([status], deps);

    // assess
    expect(dispositions).toEqual([{ kind: 'ignored', status, failureClass: 'temporary', code }]);
    expect(calls).toEqual([]);
  });

  it('acknowledges a failure without errors as temporary', async () => {
    const { calls, deps } = setUp();
    const status = failedStatus({ errors: [] });

    const dispositions = await receiveDeliveryStatuses([status], deps);

    expect(dispositions).toEqual([{ kind: 'ignored', status, failureClass: 'temporary', code: undefined }]);
    expect(calls).toEqual([]);
  });

  it('sets the sender error 133010 apart, and publishes nothing', async () => {
    const { calls, deps } = setUp();
    const status = failedStatus({ errors: [{ code: 133010, text: 'Account not registered' }] });

    const dispositions = await receiveDeliveryStatuses([status], deps);

    expect(dispositions).toEqual([{ kind: 'ignored', status, failureClass: 'sender-account', code: 133010 }]);
    expect(calls).toEqual([]);
  });

  it('records the marketing opt-out 131050 as a wa_opted_out event', async () => {
    const { publisher, deps } = setUp();
    const status = failedStatus({ errors: [{ code: 131050, text: 'Unable to deliver the message: user stopped marketing messages' }] });

    const [disposition] = await receiveDeliveryStatuses([status], deps);

    expect(eventOf(disposition)).toMatchObject({ action: 'wa_opted_out', reasonCode: '131050', source: 'automatic', phone: '+5541992146473' });
    expect(publisher.published).toEqual([eventOf(disposition)]);
    expect(() => consentEventSchema().parse(publisher.published[0])).not.toThrow();
  });

  it.each([
    ['a temporary error first', [{ code: 131049, text: 'ecosystem' }, { code: 131026, text: 'Message undeliverable' }]],
    ['a sender error first', [{ code: 133010, text: 'sender' }, { code: 131026, text: 'Message undeliverable' }]],
    ['an opt-out first', [{ code: 131050, text: 'opted out' }, { code: 131026, text: 'Message undeliverable' }]],
  ])('blocks a failure that lists %s and 131026 second, with the blocking code and text', async (_label, errors) => {
    const { deps } = setUp();

    const [disposition] = await receiveDeliveryStatuses([failedStatus({ errors })], deps);

    expect(eventOf(disposition)).toMatchObject({ action: 'wa_blocked', reasonCode: '131026', reason: 'Message undeliverable' });
  });

  it('sets a sender error apart from a temporary one listed before it', async () => {
    const { deps } = setUp();
    const status = failedStatus({ errors: [{ code: 131049, text: 't' }, { code: 133010, text: 's' }] });

    const dispositions = await receiveDeliveryStatuses([status], deps);

    expect(dispositions).toEqual([{ kind: 'ignored', status, failureClass: 'sender-account', code: 133010 }]);
  });

  it('follows the configured blocking codes', async () => {
    const { deps } = setUp();
    const classify = failureClassifier([131049]);

    const [temporary, blocking] = await receiveDeliveryStatuses([fixtureStatus(), fixtureStatusWithError(131049)], { ...deps, classify });

    expect(temporary).toMatchObject({ kind: 'ignored', failureClass: 'temporary', code: 131026 });
    expect(eventOf(blocking)).toMatchObject({ action: 'wa_blocked', reasonCode: '131049' });
  });

  it('gives both numbers of an ambiguous Brazilian id, the ninth-digit one as the phone', async () => {
    const { deps } = setUp();

    const [disposition] = await receiveDeliveryStatuses([failedStatus({ recipientId: '551172146473' })], deps);

    expect(eventOf(disposition)).toMatchObject({ phone: '+5511972146473', alternatives: ['+551172146473'], recipientId: '551172146473' });
    expect(() => consentEventSchema().parse(eventOf(disposition))).not.toThrow();
  });

  it.each([
    ['no valid number', '420000000000'],
    ['not digits', 'abc'],
    ['empty', ''],
    ['missing', undefined],
  ])('calls a recipient id that is %s an unknown recipient, and publishes nothing', async (_label, recipientId) => {
    // prepare
    const { calls, deps } = setUp();
    const status = failedStatus({ recipientId });

    // act
    const dispositions = await receiveDeliveryStatuses([status], deps);

    // assess
    expect(dispositions).toEqual([{ kind: 'unknown-recipient', status, code: 131026 }]);
    expect(calls).toEqual([]);
  });

  it('rejects when the publisher fails, so that the provider delivers the callback again', async () => {
    // prepare
    const publisher = new RecordingPublisher();
    publisher.failWith = new Error('queue unavailable');

    // act
    const received = receiveDeliveryStatuses([fixtureStatus()], { classify: failureClassifier(), publisher });

    // assess: a 503, with the publisher's error as its cause
    await expect(received).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(received).rejects.toMatchObject({ status: 503, cause: publisher.failWith });
  });

  it('publishes a failure that one callback lists twice once', async () => {
    // prepare
    const { calls, deps } = setUp();
    const status = fixtureStatus();

    // act
    const dispositions = await receiveDeliveryStatuses([status, { ...status }], deps);

    // assess: both statuses are accounted for, one event goes to the queue
    expect(dispositions.map((disposition) => disposition.kind)).toEqual(['enqueued', 'enqueued']);
    expect(calls.map((events) => events.length)).toEqual([1]);
  });

  it('does not call the publisher when nothing is to be published', async () => {
    const publisher = new RecordingPublisher();
    publisher.failWith = new Error('must not be called');

    const dispositions = await receiveDeliveryStatuses([failedStatus({ status: 'read', errors: [] }), fixtureStatusWithError(131049)], {
      classify: failureClassifier(),
      publisher,
    });

    expect(dispositions.map((disposition) => disposition.kind)).toEqual(['not-a-failure', 'ignored']);
  });

  it('gives nothing for no statuses', async () => {
    const { calls, deps } = setUp();

    await expect(receiveDeliveryStatuses([], deps)).resolves.toEqual([]);
    expect(calls).toEqual([]);
  });

  it('trims a reason longer than 500 code points so that the event is valid', async () => {
    // prepare: astral characters are two UTF-16 units each
    const { publisher, deps } = setUp();
    const status = failedStatus({ errors: [{ code: 131026, text: '😀'.repeat(600) }] });

    // act
    await receiveDeliveryStatuses([status], deps);

    // assess
    const event = publisher.published[0] as AutomaticConsentEvent;
    expect([...event.reason]).toHaveLength(500);
    expect(event.reason.isWellFormed()).toBe(true);
    expect(consentEventSchema().parse(event)).toEqual(event);
  });

  it('makes a reason with a lone surrogate well-formed so that the event is valid', async () => {
    const { publisher, deps } = setUp();
    const status = failedStatus({ errors: [{ code: 131026, text: 'broken \uD800 text \uDC00' }] });

    await receiveDeliveryStatuses([status], deps);

    const event = publisher.published[0] as AutomaticConsentEvent;
    expect(event.reason).toBe('broken \uFFFD text \uFFFD');
    expect(consentEventSchema().parse(event)).toEqual(event);
  });

  it('gives a reason of only white space a default text so that the event is valid', async () => {
    const { publisher, deps } = setUp();

    await receiveDeliveryStatuses([failedStatus({ errors: [{ code: 131026, text: ' \n\t ' }] })], deps);

    expect((publisher.published[0] as AutomaticConsentEvent).reason).toBe('WhatsApp delivery failure');
    expect(() => consentEventSchema().parse(publisher.published[0])).not.toThrow();
  });

  it('makes any provider text a reason that the consent event schema accepts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 1_200 }), async (text) => {
        const { publisher, deps } = setUp();

        await receiveDeliveryStatuses([failedStatus({ errors: [{ code: 131026, text }] })], deps);

        expect(consentEventSchema().safeParse(publisher.published[0]).success).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('publishes the 25 failures of one callback in one call, in order', async () => {
    // prepare
    const { publisher, calls, deps } = setUp();
    const statuses = Array.from({ length: 25 }, (_, index) => failedStatus({ messageId: `wamid.m${index}` }));

    // act
    const dispositions = await receiveDeliveryStatuses(statuses, deps);

    // assess
    expect(dispositions.every((disposition) => disposition.kind === 'enqueued')).toBe(true);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(25);
    expect(publisher.published.map((event) => (event as AutomaticConsentEvent).providerMessageId)).toEqual(
      statuses.map((status) => status.messageId),
    );
    expect(new Set(publisher.published.map((event) => event.eventId)).size).toBe(25);
  });

  it('gives one disposition per status, in order, for a mixed callback', async () => {
    const { calls, deps } = setUp();
    const statuses = [
      failedStatus({ messageId: 'm1', status: 'delivered', errors: [] }),
      failedStatus({ messageId: 'm2' }),
      failedStatus({ messageId: 'm3', errors: [{ code: 130429, text: 'rate limit' }] }),
      failedStatus({ messageId: 'm4', recipientId: 'nope' }),
      failedStatus({ messageId: 'm5', errors: [{ code: 131050, text: 'opted out' }] }),
    ];

    const dispositions = await receiveDeliveryStatuses(statuses, deps);

    expect(dispositions.map((disposition) => [disposition.status.messageId, disposition.kind])).toEqual([
      ['m1', 'not-a-failure'],
      ['m2', 'enqueued'],
      ['m3', 'ignored'],
      ['m4', 'unknown-recipient'],
      ['m5', 'enqueued'],
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.map((event) => (event as AutomaticConsentEvent).action)).toEqual(['wa_blocked', 'wa_opted_out']);
  });

  it('leaves out the display number when the callback has none', async () => {
    const { deps } = setUp();

    const [disposition] = await receiveDeliveryStatuses(
      [failedStatus({ sender: { phoneNumberId: '967249473135513', displayPhoneNumber: undefined } })],
      deps,
    );

    expect(eventOf(disposition).actor).toEqual({ type: 'provider', provider: 'whatsapp', phoneNumberId: '967249473135513' });
    expect(() => consentEventSchema().parse(eventOf(disposition))).not.toThrow();
  });
});

describe('statusClassOf', () => {
  it('counts a delivered status as ok, and a failure by its class, wherever the failure went', async () => {
    const { deps } = setUp();
    const statuses = [
      failedStatus({ messageId: 'm1', status: 'delivered', errors: [] }),
      fixtureStatusWithError(131026),
      failedStatus({ messageId: 'm3', errors: [{ code: 131050, text: 'Stopped marketing' }] }),
      fixtureStatusWithError(131049),
      failedStatus({ messageId: 'm5', errors: [{ code: 131042, text: 'Payment issue' }] }),
      // A blocking failure whose recipient is no valid number is still a blocking failure.
      failedStatus({ messageId: 'm6', recipientId: '1' }),
    ];

    const dispositions = await receiveDeliveryStatuses(statuses, deps);

    expect(dispositions.map((disposition) => disposition.kind)).toEqual(['not-a-failure', 'enqueued', 'enqueued', 'ignored', 'ignored', 'unknown-recipient']);
    expect(dispositions.map((disposition) => statusClassOf(disposition, deps.classify))).toEqual([
      'ok',
      'recipient-unreachable',
      'recipient-opted-out',
      'temporary',
      'sender-account',
      'recipient-unreachable',
    ]);
  });
});
