import { createHash } from 'node:crypto';
import { REASON_MAX_LENGTH, type AutomaticConsentEvent, type ProviderAction } from './consent-event.js';
import { ServiceUnavailableError } from './errors.js';
import type { EventPublisher } from './ports.js';
import type { FailureClass, FailureClassifier } from './provider-errors.js';
import type { BusinessNumber, DeliveryError, DeliveryStatus, InboundMessage, MarketingPreference } from './whatsapp-webhook.js';
import { keywordOf } from './keywords.js';
import { recipientCandidates } from './whatsapp-recipient.js';

/** What became of one delivery status; the webhook logs each, at a level that fits. */
export type Disposition =
  | { kind: 'not-a-failure'; status: DeliveryStatus }
  | { kind: 'enqueued'; status: DeliveryStatus; event: AutomaticConsentEvent }
  | { kind: 'ignored'; status: DeliveryStatus; failureClass: Exclude<FailureClass, 'recipient-unreachable' | 'recipient-opted-out'>; code: number | undefined }
  | { kind: 'unknown-recipient'; status: DeliveryStatus; code: number };

/** What became of one marketing preference. */
export type PreferenceDisposition =
  | { kind: 'enqueued'; preference: MarketingPreference; event: AutomaticConsentEvent }
  | { kind: 'ignored'; preference: MarketingPreference }
  | { kind: 'unknown-recipient'; preference: MarketingPreference };

/** What became of one inbound message: only a keyword, alone, is acted on. */
export type MessageDisposition =
  | { kind: 'enqueued'; message: InboundMessage; event: AutomaticConsentEvent }
  | { kind: 'ignored'; message: InboundMessage }
  | { kind: 'unknown-recipient'; message: InboundMessage };

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
 * 6. All events are enqueued together; if that fails (503), the provider retries the whole callback, and
 *    the events that did reach the queue are recognised as duplicates.
 */
export async function receiveConsentSignals(
  signals: { statuses: readonly DeliveryStatus[]; preferences: readonly MarketingPreference[]; messages?: readonly InboundMessage[] },
  deps: { classify: FailureClassifier; publisher: Pick<EventPublisher, 'publishAll'>; keywords?: Keywords },
): Promise<{ statuses: Disposition[]; preferences: PreferenceDisposition[]; messages: MessageDisposition[] }> {
  const statuses = signals.statuses.map((status) => dispositionOf(status, deps.classify));
  const preferences = signals.preferences.map(preferenceDispositionOf);
  const keywords = deps.keywords;
  const messages = (signals.messages ?? []).map((message) => messageDispositionOf(message, keywords));
  // One callback may repeat a signal; the event id says when two are the same.
  const events = [
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
  return { statuses, preferences, messages };
}

/** The delivery statuses of a callback alone (see {@link receiveConsentSignals}). */
export async function receiveDeliveryStatuses(
  statuses: readonly DeliveryStatus[],
  deps: { classify: FailureClassifier; publisher: Pick<EventPublisher, 'publishAll'> },
): Promise<Disposition[]> {
  return (await receiveConsentSignals({ statuses, preferences: [] }, deps)).statuses;
}

const PREFERENCE_ACTIONS: Record<string, ProviderAction> = { stop: 'wa_opted_out', resume: 'wa_opted_in' };

function preferenceDispositionOf(preference: MarketingPreference): PreferenceDisposition {
  const action = preference.category === 'marketing_messages' ? PREFERENCE_ACTIONS[preference.value] : undefined;
  if (!action) return { kind: 'ignored', preference };
  const [phone, ...alternatives] = recipientCandidates(preference.recipientId);
  if (!phone) return { kind: 'unknown-recipient', preference };
  const said = action === 'wa_opted_out' ? 'The recipient stopped marketing messages' : 'The recipient resumed marketing messages';
  const event: AutomaticConsentEvent = {
    version: 1,
    eventId: eventIdFrom('preference', preference.recipientId, preference.category, preference.value, preference.occurredAt, preference.sender.phoneNumberId),
    source: 'automatic',
    action,
    phone,
    alternatives,
    recipientId: preference.recipientId,
    reason: reasonText(preference.detail ?? said),
    actor: providerActor(preference.sender),
    occurredAt: preference.occurredAt,
  };
  return { kind: 'enqueued', preference, event };
}

function messageDispositionOf(message: InboundMessage, keywords: Keywords | undefined): MessageDisposition {
  const keyword = message.text === undefined || !keywords ? undefined : keywordOf(message.text, keywords);
  if (!keyword) return { kind: 'ignored', message };
  const [phone, ...alternatives] = recipientCandidates(message.senderId);
  if (!phone) return { kind: 'unknown-recipient', message };
  const event: AutomaticConsentEvent = {
    version: 1,
    eventId: eventIdFrom('message', message.messageId),
    source: 'automatic',
    action: keyword === 'opt-out' ? 'wa_stop_keyword' : 'wa_start_keyword',
    phone,
    alternatives,
    recipientId: message.senderId,
    reason: reasonText(`The recipient wrote "${message.text!.trim()}"`),
    actor: providerActor(message.business),
    providerMessageId: message.messageId,
    occurredAt: message.occurredAt,
  };
  return { kind: 'enqueued', message, event };
}

function providerActor(sender: BusinessNumber): AutomaticConsentEvent['actor'] {
  return {
    type: 'provider',
    provider: 'whatsapp',
    phoneNumberId: sender.phoneNumberId,
    ...(sender.displayPhoneNumber ? { displayPhoneNumber: sender.displayPhoneNumber } : {}),
  };
}

function dispositionOf(status: DeliveryStatus, classify: FailureClassifier): Disposition {
  if (status.status !== 'failed') return { kind: 'not-a-failure', status };
  const decisive = decisiveError(status.errors, classify);
  const action = decisive && actionOf[decisive.failureClass];
  if (!decisive || !action) {
    const failureClass = decisive?.failureClass === 'sender-account' ? 'sender-account' : 'temporary';
    return { kind: 'ignored', status, failureClass, code: decisive?.error.code };
  }
  const [phone, ...alternatives] = recipientCandidates(status.recipientId ?? '');
  if (!phone || status.recipientId === undefined) return { kind: 'unknown-recipient', status, code: decisive.error.code };
  const event: AutomaticConsentEvent = {
    version: 1,
    eventId: eventIdFrom(status.messageId, status.status),
    source: 'automatic',
    action,
    phone,
    alternatives,
    recipientId: status.recipientId,
    reasonCode: String(decisive.error.code),
    reason: reasonText(decisive.error.text),
    actor: providerActor(status.sender),
    providerMessageId: status.messageId,
    occurredAt: status.occurredAt,
    ...(status.profileId ? { profileId: status.profileId } : {}),
  };
  return { kind: 'enqueued', status, event };
}

function decisiveError(errors: readonly DeliveryError[], classify: FailureClassifier) {
  const classified = errors.map((error) => ({ error, failureClass: classify(error.code) }));
  classified.sort((a, b) => precedence.indexOf(a.failureClass) - precedence.indexOf(b.failureClass));
  return classified[0];
}

/**
 * An event's id, derived from what the signal says: the same signal, delivered again, gives the same id,
 * so the queue and the processor record it once. A status is named by its message id and status.
 */
function eventIdFrom(...parts: string[]): string {
  return `wa-${createHash('sha256').update(parts.join('\n')).digest('base64url')}`;
}

/** The provider's text, made fit for the audit: well-formed, normalised, and not longer than a reason may be. */
function reasonText(text: string): string {
  const clean = text.toWellFormed().normalize('NFC').trim();
  return [...clean].slice(0, REASON_MAX_LENGTH).join('').trimEnd() || 'WhatsApp delivery failure';
}
