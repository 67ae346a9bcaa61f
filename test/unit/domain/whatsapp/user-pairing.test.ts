import { applyConsentEvent, type ApplyDependencies } from '../../../../shared/domain/apply-consent-event.js';
import type { PairingEvent } from '../../../../shared/domain/consent-event.js';
import { learnPairing } from '../../../../shared/domain/whatsapp/learn-pairing.js';
import { failureClassifier } from '../../../../shared/domain/whatsapp/provider-errors.js';
import { receiveConsentSignals } from '../../../../shared/domain/whatsapp/receive-signals.js';
import type { UnresolvedSignal, UserDirectory, UserPairing } from '../../../../shared/domain/whatsapp/user-pairing.js';
import type { DeliveryStatus, NumberChange } from '../../../../shared/domain/whatsapp/callback.js';
import { fixedClock, InMemoryConsentStateStore, InMemoryEventLedger, InMemoryProfileStore, RecordingPublisher } from '../../support/fakes.js';
import { PHONE, OTHER_PHONE } from '../../support/samples.js';

const USER = 'US.13491208655302741918';
const SEEN = '2026-05-08T14:46:40.000Z';

/** The directory in memory, with the adapter's rules: a kept signal waits only while its user has no pairing. */
class InMemoryUserDirectory implements UserDirectory {
  readonly pairings = new Map<string, UserPairing>();
  readonly unresolved: UnresolvedSignal[] = [];
  async pairingsOf(userIds: readonly string[]) {
    return new Map(userIds.flatMap((userId) => (this.pairings.has(userId) ? [[userId, this.pairings.get(userId)!] as const] : [])));
  }
  async keepUnresolved(signal: UnresolvedSignal) {
    const pairing = this.pairings.get(signal.userId);
    if (!pairing) this.unresolved.push(signal);
    return pairing;
  }
  async remember(pairing: UserPairing) {
    const stored = this.pairings.get(pairing.userId);
    if (stored && stored.seenAt > pairing.seenAt) return false;
    this.pairings.set(pairing.userId, pairing);
    return true;
  }
  async unresolvedOf(userId: string) {
    return this.unresolved.filter((signal) => signal.userId === userId);
  }
  async settle(userId: string, eventId: string) {
    const index = this.unresolved.findIndex((signal) => signal.userId === userId && signal.event.eventId === eventId);
    if (index >= 0) this.unresolved.splice(index, 1);
  }
  async listUnresolved() {
    return { items: this.unresolved, nextCursor: null };
  }
  async countUnresolved() {
    return this.unresolved.length;
  }
}

function failed(overrides: Partial<DeliveryStatus> = {}): DeliveryStatus {
  return {
    messageId: `wamid.${Math.random()}`,
    status: 'failed',
    occurredAt: SEEN,
    recipientId: undefined,
    userId: USER,
    sender: { phoneNumberId: '967249473135513', displayPhoneNumber: undefined },
    errors: [{ code: 131026, text: 'Message undeliverable' }],
    profileId: undefined,
    ...overrides,
  };
}

function setUp() {
  const directory = new InMemoryUserDirectory();
  const publisher = new RecordingPublisher();
  const receive = (statuses: DeliveryStatus[], pairings: { userId: string; recipientId: string; seenAt: string }[] = []) =>
    receiveConsentSignals({ statuses, preferences: [], pairings }, { classify: failureClassifier(undefined), publisher, directory, clock: fixedClock(SEEN) });
  return { directory, publisher, receive };
}

describe('failures that name the recipient by user id alone', () => {
  it('go to the number the user id was paired with before, and teach nothing new', async () => {
    const { directory, publisher, receive } = setUp();
    directory.pairings.set(USER, { userId: USER, phone: PHONE, recipientId: PHONE.slice(1), seenAt: SEEN });

    const { statuses, pairings } = await receive([failed()]);

    expect(statuses[0]).toMatchObject({ kind: 'enqueued', event: { phone: PHONE, alternatives: [], recipientId: PHONE.slice(1), userId: USER } });
    expect(pairings).toEqual([]);
    expect(publisher.published).toHaveLength(1);
  });

  it('go to the number the same callback shows beside the user id, which becomes a pairing to remember', async () => {
    const { publisher, receive } = setUp();

    const { statuses, pairings } = await receive([failed()], [{ userId: USER, recipientId: PHONE.slice(1), seenAt: SEEN }]);

    expect(statuses[0]).toMatchObject({ kind: 'enqueued', event: { phone: PHONE } });
    expect(pairings).toEqual([expect.objectContaining({ source: 'pairing', userId: USER, phone: PHONE, recipientId: PHONE.slice(1), seenAt: SEEN })]);
    expect(publisher.published.map((event) => event.source)).toEqual(['pairing', 'automatic']);
  });

  it('are kept as unresolved when the user id was never paired, and nothing is enqueued', async () => {
    const { directory, publisher, receive } = setUp();

    const { statuses } = await receive([failed({ profileId: 'crm-1001' })]);

    expect(statuses[0]).toMatchObject({ kind: 'unresolved', userId: USER });
    expect(directory.unresolved).toEqual([{ userId: USER, receivedAt: SEEN, event: expect.objectContaining({ action: 'wa_blocked', reasonCode: '131026', profileId: 'crm-1001' }) }]);
    expect(publisher.published).toEqual([]);
  });

  it('are refused as naming nobody when the user id is malformed and there is no WhatsApp id', async () => {
    const { directory, receive } = setUp();

    const { statuses } = await receive([failed({ userId: undefined })]);

    expect(statuses[0]).toMatchObject({ kind: 'unknown-recipient' });
    expect(directory.unresolved).toEqual([]);
  });
});

describe('learning a pairing', () => {
  function processor(directory: InMemoryUserDirectory) {
    const states = new InMemoryConsentStateStore([]);
    const ledger = new InMemoryEventLedger(states);
    const deps: ApplyDependencies & { directory: UserDirectory } = { states, ledger, profiles: new InMemoryProfileStore(), clock: fixedClock(SEEN), directory };
    return { states, ledger, deps };
  }
  const pairingEvent = (seenAt: string, phone = PHONE): PairingEvent => ({
    version: 1,
    eventId: `wa-pair-${seenAt}`,
    source: 'pairing',
    userId: USER,
    phone,
    alternatives: [],
    recipientId: phone.slice(1),
    seenAt,
  });

  it('applies what waited for it to the number, and takes it off the list', async () => {
    const { directory, receive } = setUp();
    await receive([failed()]);
    const { states, ledger, deps } = processor(directory);

    expect(await learnPairing(pairingEvent(SEEN), deps)).toEqual({ remembered: true, applied: [{ event: expect.objectContaining({ phone: PHONE, userId: USER }), result: { outcome: 'applied' } }] });
    expect(states.states.get(PHONE)).toMatchObject({ blocked: true, source: 'automatic', reasonCode: '131026' });
    expect(ledger.audit[0]).toMatchObject({ phone: PHONE, action: 'wa_blocked', outcome: 'applied' });
    expect(directory.unresolved).toEqual([]);
  });

  it('changes nothing when a later pairing is known: the user has moved to another number since', async () => {
    const { directory } = setUp();
    directory.pairings.set(USER, { userId: USER, phone: OTHER_PHONE, recipientId: OTHER_PHONE.slice(1), seenAt: '2026-06-01T00:00:00.000Z' });
    const { deps } = processor(directory);

    expect(await learnPairing(pairingEvent(SEEN), deps)).toEqual({ remembered: false, applied: [] });
    expect(directory.pairings.get(USER)?.phone).toBe(OTHER_PHONE);
  });

  it('is harmless when delivered again after a crash between applying and settling', async () => {
    const { directory, receive } = setUp();
    await receive([failed()]);
    const { ledger, deps } = processor(directory);
    const [waiting] = await directory.unresolvedOf(USER);
    await applyConsentEvent({ ...waiting!.event, phone: PHONE, alternatives: [], recipientId: PHONE.slice(1) }, deps);

    await learnPairing(pairingEvent(SEEN), deps);

    expect(ledger.audit).toHaveLength(1);
    expect(directory.unresolved).toEqual([]);
  });
});

describe('changes of number and of user id', () => {
  const business = { phoneNumberId: '967249473135513', displayPhoneNumber: undefined };
  const change = (overrides: Partial<NumberChange>): NumberChange => ({
    messageId: 'wamid.change',
    kind: 'number',
    previousRecipientId: PHONE.slice(1),
    recipientId: OTHER_PHONE.slice(1),
    previousUserId: undefined,
    userId: undefined,
    occurredAt: SEEN,
    business,
    ...overrides,
  });
  const receive = (directory: InMemoryUserDirectory, publisher: RecordingPublisher, numberChanges: NumberChange[]) =>
    receiveConsentSignals({ statuses: [], preferences: [], numberChanges }, { classify: failureClassifier(undefined), publisher, directory, clock: fixedClock(SEEN) });

  it('queue a change of number for the old number, naming the new one, and pair the user id it names with the new number', async () => {
    const [directory, publisher] = [new InMemoryUserDirectory(), new RecordingPublisher()];

    const result = await receive(directory, publisher, [change({ userId: USER })]);

    expect(result.numberChanges).toEqual([
      expect.objectContaining({ action: 'wa_number_changed', phone: PHONE, recipientId: PHONE.slice(1), occurredAt: SEEN, movedTo: { phone: OTHER_PHONE, alternatives: [], recipientId: OTHER_PHONE.slice(1) } }),
    ]);
    expect(result.pairings).toEqual([expect.objectContaining({ userId: USER, phone: OTHER_PHONE })]);
    expect(publisher.published.map((event) => event.source)).toEqual(['pairing', 'automatic']);
  });

  it('pair a new user id with the number the previous one was paired with', async () => {
    const [directory, publisher] = [new InMemoryUserDirectory(), new RecordingPublisher()];
    directory.pairings.set('US.1', { userId: 'US.1', phone: PHONE, recipientId: PHONE.slice(1), seenAt: SEEN });

    const result = await receive(directory, publisher, [change({ kind: 'user-id', previousRecipientId: undefined, recipientId: undefined, previousUserId: 'US.1', userId: USER })]);

    expect(result.numberChanges).toEqual([]);
    expect(result.pairings).toEqual([expect.objectContaining({ userId: USER, phone: PHONE, recipientId: PHONE.slice(1) })]);
  });

  it('queue nothing for a change of user id whose previous id is unknown, or a change of number without a valid new number', async () => {
    const [directory, publisher] = [new InMemoryUserDirectory(), new RecordingPublisher()];

    const result = await receive(directory, publisher, [
      change({ kind: 'user-id', previousRecipientId: undefined, recipientId: undefined, previousUserId: 'US.2', userId: USER }),
      change({ messageId: 'wamid.bad', recipientId: '12' }),
    ]);

    expect(result).toMatchObject({ numberChanges: [], pairings: [] });
    expect(publisher.published).toEqual([]);
  });
});
