import type { AutomaticConsentEvent, PairingEvent, ProviderAction, QueuedEvent } from '../consent-event.js';
import { REASON_MAX_LENGTH } from '../text.js';
import { ServiceUnavailableError } from '../errors.js';
import type { Clock, EventPublisher } from '../ports.js';
import { resolvedEvent, type NumberlessEvent, type UserDirectory, type UserPairing } from './user-pairing.js';
import type { FailureClass, FailureClassifier } from './provider-errors.js';
import type { BusinessNumber, DeliveryError, DeliveryStatus, InboundMessage, MarketingPreference, NumberChange, ObservedPairing } from './callback.js';
import { keywordOf } from './keywords.js';
import { eventIdFrom } from '../event-id.js';
import { recipientCandidates } from './recipient.js';

/** What became of one delivery status; the webhook logs each, at a level that fits. */
export type Disposition =
  | { kind: 'not-a-failure'; status: DeliveryStatus }
  | { kind: 'ignored'; status: DeliveryStatus; failureClass: Exclude<FailureClass, 'recipient-unreachable' | 'recipient-opted-out'>; code: number | undefined }
  | ({ status: DeliveryStatus; code: number } & Placement);

/** A delivery status's class, as operators count them: delivered (or sent, or read), or its failure's class. */
export type StatusClass = 'ok' | FailureClass;

export function statusClassOf(disposition: Disposition, classify: FailureClassifier): StatusClass {
  switch (disposition.kind) {
    case 'not-a-failure':
      return 'ok';
    case 'ignored':
      return disposition.failureClass;
    default:
      // A failure that asks for a change, wherever it went, is of the class of its decisive code.
      return classify(disposition.code);
  }
}

/** What became of one marketing preference. */
export type PreferenceDisposition = { kind: 'ignored'; preference: MarketingPreference } | ({ preference: MarketingPreference } & Placement);

/** What became of one inbound message: only a keyword, alone, is acted on. */
export type MessageDisposition = { kind: 'ignored'; message: InboundMessage } | ({ message: InboundMessage } & Placement);

/**
 * Where a signal that asks for a change went: enqueued as an event for its number; kept as unresolved
 * (it named its user by an id not yet paired with a number, and waits for the pairing); or nowhere,
 * because it named no valid recipient at all.
 */
export type Placement =
  | { kind: 'enqueued'; event: AutomaticConsentEvent }
  | { kind: 'unresolved'; userId: string }
  | { kind: 'unknown-recipient' };

/** A signal that asks for a change, before its recipient is placed: by WhatsApp id, or by user id. */
interface Draft {
  event: NumberlessEvent;
  recipientId: string | undefined;
  userId: string | undefined;
}

/** The opt-out and opt-in keywords in force (`OPT_OUT_KEYWORDS`, `OPT_IN_KEYWORDS`), folded. */
export interface Keywords {
  optOut: ReadonlySet<string>;
  optIn: ReadonlySet<string>;
}

const actionOf: Partial<Record<FailureClass, ProviderAction>> = {
  'recipient-unreachable': 'wa_blocked',
  'recipient-opted-out': 'wa_opted_out',
};

/** When a failure lists several errors, the one that says the most about the recipient decides. */
const precedence: FailureClass[] = ['recipient-unreachable', 'recipient-opted-out', 'sender-account', 'temporary'];

/**
 * Turns the signals of one provider callback into consent events, and enqueues them.
 *
 * 1. Statuses other than `failed` (sent, delivered, read) say nothing about consent.
 * 2. A failure is classified by its error codes; temporary and sender-side failures block nothing.
 * 3. A failure about the recipient (`wa_blocked`, or a `wa_opted_out` to record) becomes an event for the
 *    numbers its WhatsApp id may stand for, with an id derived from the message id and status, so that a
 *    callback delivered again yields the same event.
 * 4. A marketing preference (`stop` or `resume` of `marketing_messages`) becomes a `wa_opted_out` or
 *    `wa_opted_in` event, with an id derived from what it says and when; other preferences are ignored.
 * 5. An inbound message that is, alone, an opt-out keyword (`STOP`) becomes a `wa_stop_keyword` event
 *    that blocks the sender's number; an opt-in keyword (`START`), a `wa_start_keyword` event that lifts
 *    such a block. Other messages are acknowledged and ignored.
 * 6. A signal that names its user by business-scoped id alone goes to the number the id was paired with
 *    (in this callback, or earlier); if there is none yet, it is kept, listed as unresolved, until a
 *    pairing arrives.
 * 7. Every pairing of a user id with a WhatsApp id that the callback shows, and that is not known yet,
 *    becomes a pairing event for the processor to remember.
 * 8. A user's change of number becomes a `wa_number_changed` event for the old number (the processor
 *    carries the recipient's own words to the new one), and pairs their user id, if named, with the new
 *    number; a change of user id pairs the new id with the number the old one was paired with.
 * 9. All events are enqueued together; if that fails (503), the provider retries the whole callback, and
 *    the events that did reach the queue are recognised as duplicates.
 */
export async function receiveConsentSignals(
  signals: {
    statuses: readonly DeliveryStatus[];
    preferences: readonly MarketingPreference[];
    messages?: readonly InboundMessage[];
    pairings?: readonly ObservedPairing[];
    numberChanges?: readonly NumberChange[];
  },
  deps: { classify: FailureClassifier; publisher: Pick<EventPublisher, 'publishAll'>; keywords?: Keywords; directory?: UserDirectory; clock?: Clock },
): Promise<{ statuses: Disposition[]; preferences: PreferenceDisposition[]; messages: MessageDisposition[]; pairings: PairingEvent[]; numberChanges: AutomaticConsentEvent[] }> {
  const changes = signals.numberChanges ?? [];
  const observed = latestPairings([...(signals.pairings ?? []), ...changes.flatMap((change) => pairingShownBy(change))]);
  const userIds = [
    ...signals.statuses.map((status) => status.userId),
    ...(signals.messages ?? []).map((message) => message.userId),
    ...observed.keys(),
    ...changes.map((change) => (change.kind === 'user-id' ? change.previousUserId : undefined)),
  ];
  const wanted = userIds.filter((userId): userId is string => userId !== undefined);
  const known = deps.directory && wanted.length > 0 ? await deps.directory.pairingsOf(wanted) : new Map<string, UserPairing>();
  const receivedAt = (deps.clock?.now() ?? new Date()).toISOString();
  const place = (draft: Draft) => placementOf(draft, { observed, known, directory: deps.directory, receivedAt });

  const statuses = await Promise.all(
    signals.statuses.map(async (status): Promise<Disposition> => {
      const drafted = statusDraftOf(status, deps.classify);
      return 'draft' in drafted ? { status, code: drafted.code, ...(await place(drafted.draft)) } : drafted;
    }),
  );
  const preferences = await Promise.all(
    signals.preferences.map(async (preference): Promise<PreferenceDisposition> => {
      const draft = preferenceDraftOf(preference);
      return draft ? { preference, ...(await place(draft)) } : { kind: 'ignored', preference };
    }),
  );
  const messages = await Promise.all(
    (signals.messages ?? []).map(async (message): Promise<MessageDisposition> => {
      const draft = messageDraftOf(message, deps.keywords);
      return draft ? { message, ...(await place(draft)) } : { kind: 'ignored', message };
    }),
  );
  const renamed = changes.flatMap((change) => pairingAfterUserIdChange(change, known)).filter((pairing) => !observed.has(pairing.userId));
  const pairings = [...observed.values(), ...renamed].flatMap((pairing) => pairingEventOf(pairing, known.get(pairing.userId)));
  const numberChanges = changes.flatMap(numberChangeEventOf);
  // One callback may repeat a signal; the event id says when two are the same.
  const events: QueuedEvent[] = [
    ...pairings,
    ...numberChanges,
    ...new Map(
      [...statuses, ...preferences, ...messages].flatMap((disposition) =>
        disposition.kind === 'enqueued' ? [[disposition.event.eventId, disposition.event] as const] : [],
      ),
    ).values(),
  ];
  if (events.length > 0) {
    try {
      await deps.publisher.publishAll(events);
    } catch (error) {
      throw new ServiceUnavailableError('The callback could not be queued in full; retry it.', { cause: error });
    }
  }
  return { statuses, preferences, messages, pairings, numberChanges };
}

/** A change of number that names the user id pairs it with the new number. */
function pairingShownBy(change: NumberChange): ObservedPairing[] {
  return change.kind === 'number' && change.userId && change.recipientId ? [{ userId: change.userId, recipientId: change.recipientId, seenAt: change.occurredAt }] : [];
}

/**
 * A change of user id: the new id stands for the number the message names, or else for the number the
 * previous id was paired with.
 */
function pairingAfterUserIdChange(change: NumberChange, known: ReadonlyMap<string, UserPairing>): ObservedPairing[] {
  if (change.kind !== 'user-id' || !change.userId) return [];
  const recipientId = change.recipientId ?? (change.previousUserId ? known.get(change.previousUserId)?.recipientId : undefined);
  return recipientId ? [{ userId: change.userId, recipientId, seenAt: change.occurredAt }] : [];
}

/** A change of number, as the event of the number the user left; none when either number is no valid one. */
function numberChangeEventOf(change: NumberChange): AutomaticConsentEvent[] {
  if (change.kind !== 'number' || !change.previousRecipientId || !change.recipientId) return [];
  const [phone, ...alternatives] = recipientCandidates(change.previousRecipientId);
  const [newPhone, ...newAlternatives] = recipientCandidates(change.recipientId);
  if (!phone || !newPhone) return [];
  return [
    {
      version: 1,
      eventId: eventIdFrom('number-change', change.messageId),
      source: 'automatic',
      action: 'wa_number_changed',
      phone,
      alternatives,
      recipientId: change.previousRecipientId,
      reason: `The recipient changed number to ${newPhone}`,
      actor: providerActor(change.business),
      providerMessageId: change.messageId,
      occurredAt: change.occurredAt,
      ...(change.userId ? { userId: change.userId } : {}),
      movedTo: { phone: newPhone, alternatives: newAlternatives, recipientId: change.recipientId },
    },
  ];
}

/** The delivery statuses of a callback alone (see {@link receiveConsentSignals}). */
export async function receiveDeliveryStatuses(
  statuses: readonly DeliveryStatus[],
  deps: { classify: FailureClassifier; publisher: Pick<EventPublisher, 'publishAll'> },
): Promise<Disposition[]> {
  return (await receiveConsentSignals({ statuses, preferences: [] }, deps)).statuses;
}

/** The latest pairing the callback shows for each user id. */
function latestPairings(pairings: readonly ObservedPairing[]): Map<string, ObservedPairing> {
  const latest = new Map<string, ObservedPairing>();
  for (const pairing of pairings) {
    const seen = latest.get(pairing.userId);
    if (!seen || Date.parse(pairing.seenAt) >= Date.parse(seen.seenAt)) latest.set(pairing.userId, pairing);
  }
  return latest;
}

/** A pairing not known yet (or known with another WhatsApp id) is for the processor to remember. */
function pairingEventOf(pairing: ObservedPairing, known: UserPairing | undefined): PairingEvent[] {
  if (known?.recipientId === pairing.recipientId) return [];
  const [phone, ...alternatives] = recipientCandidates(pairing.recipientId);
  if (!phone) return [];
  return [
    {
      version: 1,
      eventId: eventIdFrom('pairing', pairing.userId, pairing.recipientId, pairing.seenAt),
      source: 'pairing',
      userId: pairing.userId,
      phone,
      alternatives,
      recipientId: pairing.recipientId,
      seenAt: pairing.seenAt,
    },
  ];
}

/**
 * Places a signal: by its WhatsApp id when it has one; else by its user id, through a pairing this
 * callback shows or one known before; else it is kept until a pairing arrives.
 */
async function placementOf(
  draft: Draft,
  context: { observed: Map<string, ObservedPairing>; known: Map<string, UserPairing>; directory: UserDirectory | undefined; receivedAt: string },
): Promise<Placement> {
  const withUser = draft.userId ? { userId: draft.userId } : {};
  const byWaId = (recipientId: string): Placement => {
    const [phone, ...alternatives] = recipientCandidates(recipientId);
    return phone ? { kind: 'enqueued', event: { ...draft.event, ...withUser, phone, alternatives, recipientId } } : { kind: 'unknown-recipient' };
  };
  if (draft.recipientId !== undefined) return byWaId(draft.recipientId);
  if (draft.userId === undefined || !context.directory) return { kind: 'unknown-recipient' };
  const shown = context.observed.get(draft.userId);
  if (shown) return byWaId(shown.recipientId);
  const known = context.known.get(draft.userId) ?? (await context.directory.keepUnresolved({ userId: draft.userId, receivedAt: context.receivedAt, event: draft.event }));
  return known ? { kind: 'enqueued', event: resolvedEvent(draft.event, known) } : { kind: 'unresolved', userId: draft.userId };
}

const PREFERENCE_ACTIONS: Record<string, ProviderAction> = { stop: 'wa_opted_out', resume: 'wa_opted_in' };

function preferenceDraftOf(preference: MarketingPreference): Draft | undefined {
  const action = preference.category === 'marketing_messages' ? PREFERENCE_ACTIONS[preference.value] : undefined;
  if (!action) return undefined;
  const said = action === 'wa_opted_out' ? 'The recipient stopped marketing messages' : 'The recipient resumed marketing messages';
  const event: NumberlessEvent = {
    version: 1,
    eventId: eventIdFrom('preference', preference.recipientId, preference.category, preference.value, preference.occurredAt, preference.sender.phoneNumberId),
    source: 'automatic',
    action,
    reason: reasonText(preference.detail ?? said),
    actor: providerActor(preference.sender),
    occurredAt: preference.occurredAt,
  };
  return { event, recipientId: preference.recipientId, userId: undefined };
}

function messageDraftOf(message: InboundMessage, keywords: Keywords | undefined): Draft | undefined {
  const keyword = message.text === undefined || !keywords ? undefined : keywordOf(message.text, keywords);
  if (!keyword) return undefined;
  const event: NumberlessEvent = {
    version: 1,
    eventId: eventIdFrom('message', message.messageId),
    source: 'automatic',
    action: keyword === 'opt-out' ? 'wa_stop_keyword' : 'wa_start_keyword',
    reason: reasonText(`The recipient wrote "${message.text!.trim()}"`),
    actor: providerActor(message.business),
    providerMessageId: message.messageId,
    occurredAt: message.occurredAt,
  };
  return { event, recipientId: message.senderId, userId: message.userId };
}

function providerActor(sender: BusinessNumber): AutomaticConsentEvent['actor'] {
  return {
    type: 'provider',
    provider: 'whatsapp',
    phoneNumberId: sender.phoneNumberId,
    ...(sender.displayPhoneNumber ? { displayPhoneNumber: sender.displayPhoneNumber } : {}),
  };
}

function statusDraftOf(status: DeliveryStatus, classify: FailureClassifier): Disposition | { draft: Draft; code: number } {
  if (status.status !== 'failed') return { kind: 'not-a-failure', status };
  const decisive = decisiveError(status.errors, classify);
  const action = decisive && actionOf[decisive.failureClass];
  if (!decisive || !action) {
    const failureClass = decisive?.failureClass === 'sender-account' ? 'sender-account' : 'temporary';
    return { kind: 'ignored', status, failureClass, code: decisive?.error.code };
  }
  const event: NumberlessEvent = {
    version: 1,
    eventId: eventIdFrom(status.messageId, status.status),
    source: 'automatic',
    action,
    reasonCode: String(decisive.error.code),
    reason: reasonText(decisive.error.text),
    actor: providerActor(status.sender),
    providerMessageId: status.messageId,
    occurredAt: status.occurredAt,
    ...(status.profileId ? { profileId: status.profileId } : {}),
  };
  return { draft: { event, recipientId: status.recipientId, userId: status.userId }, code: decisive.error.code };
}

function decisiveError(errors: readonly DeliveryError[], classify: FailureClassifier) {
  const classified = errors.map((error) => ({ error, failureClass: classify(error.code) }));
  classified.sort((a, b) => precedence.indexOf(a.failureClass) - precedence.indexOf(b.failureClass));
  return classified[0];
}

/** The provider's text, made fit for the audit: well-formed, normalised, and not longer than a reason may be. */
function reasonText(text: string): string {
  const clean = text.toWellFormed().normalize('NFC').trim();
  return [...clean].slice(0, REASON_MAX_LENGTH).join('').trimEnd() || 'WhatsApp delivery failure';
}
