import { createHash } from 'node:crypto';
import { REASON_MAX_LENGTH, type AutomaticConsentEvent, type ProviderAction } from './consent-event.js';
import { ServiceUnavailableError } from './errors.js';
import type { EventPublisher } from './ports.js';
import type { FailureClass, FailureClassifier } from './provider-errors.js';
import type { DeliveryError, DeliveryStatus } from './whatsapp-webhook.js';
import { recipientCandidates } from './whatsapp-recipient.js';

/** What became of one delivery status; the webhook logs each, at a level that fits. */
export type Disposition =
  | { kind: 'not-a-failure'; status: DeliveryStatus }
  | { kind: 'enqueued'; status: DeliveryStatus; event: AutomaticConsentEvent }
  | { kind: 'ignored'; status: DeliveryStatus; failureClass: Exclude<FailureClass, 'recipient-unreachable' | 'recipient-opted-out'>; code: number | undefined }
  | { kind: 'unknown-recipient'; status: DeliveryStatus; code: number };

const actionOf: Partial<Record<FailureClass, ProviderAction>> = {
  'recipient-unreachable': 'wa_blocked',
  'recipient-opted-out': 'wa_opted_out',
};

/** When a failure lists several errors, the one that says the most about the recipient decides. */
const precedence: FailureClass[] = ['recipient-unreachable', 'recipient-opted-out', 'sender-account', 'temporary'];

/**
 * Turns the delivery statuses of one provider callback into consent events, and enqueues them.
 *
 * 1. Statuses other than `failed` (sent, delivered, read) say nothing about consent.
 * 2. A failure is classified by its error codes; temporary and sender-side failures block nothing.
 * 3. A failure about the recipient (`wa_blocked`, or a `wa_opted_out` to record) becomes an event for the
 *    numbers its WhatsApp id may stand for, with an id derived from the message id and status, so that a
 *    callback delivered again yields the same event.
 * 4. All events are enqueued together; if that fails (503), the provider retries the whole callback, and
 *    the events that did reach the queue are recognised as duplicates.
 */
export async function receiveDeliveryStatuses(
  statuses: readonly DeliveryStatus[],
  deps: { classify: FailureClassifier; publisher: Pick<EventPublisher, 'publishAll'> },
): Promise<Disposition[]> {
  const dispositions = statuses.map((status) => dispositionOf(status, deps.classify));
  // One callback may repeat a status; the event id says when two are the same failure.
  const events = [
    ...new Map(
      dispositions.flatMap((disposition) => (disposition.kind === 'enqueued' ? [[disposition.event.eventId, disposition.event] as const] : [])),
    ).values(),
  ];
  if (events.length > 0) {
    try {
      await deps.publisher.publishAll(events);
    } catch (error) {
      throw new ServiceUnavailableError('The callback could not be queued in full; retry it.', { cause: error });
    }
  }
  return dispositions;
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
    eventId: eventIdOf(status),
    source: 'automatic',
    action,
    phone,
    alternatives,
    recipientId: status.recipientId,
    reasonCode: String(decisive.error.code),
    reason: reasonText(decisive.error.text),
    actor: {
      type: 'provider',
      provider: 'whatsapp',
      phoneNumberId: status.sender.phoneNumberId,
      ...(status.sender.displayPhoneNumber ? { displayPhoneNumber: status.sender.displayPhoneNumber } : {}),
    },
    providerMessageId: status.messageId,
    occurredAt: status.occurredAt,
  };
  return { kind: 'enqueued', status, event };
}

function decisiveError(errors: readonly DeliveryError[], classify: FailureClassifier) {
  const classified = errors.map((error) => ({ error, failureClass: classify(error.code) }));
  classified.sort((a, b) => precedence.indexOf(a.failureClass) - precedence.indexOf(b.failureClass));
  return classified[0];
}

/** The same message id and status always give the same id: the audit records a repeated callback once. */
function eventIdOf(status: DeliveryStatus): string {
  return `wa-${createHash('sha256').update(`${status.messageId}\n${status.status}`).digest('base64url')}`;
}

/** The provider's text, made fit for the audit: well-formed, normalised, and not longer than a reason may be. */
function reasonText(text: string): string {
  const clean = text.toWellFormed().normalize('NFC').trim();
  return [...clean].slice(0, REASON_MAX_LENGTH).join('').trimEnd() || 'WhatsApp delivery failure';
}
