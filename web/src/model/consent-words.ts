import type { AuditActor, AuditEntry, ConsentAction, ConsentSource, NumberConsent, RequestStatus } from '../api/types.js';
import { phoneFromInput, readablePhone } from './format.js';

/**
 * Everything the console says about consent, in words: a status never rests on colour alone, and the
 * same wording serves the profile page, the number page and the history.
 */

export type StatusTone = 'ok' | 'blocked' | 'warning';

export interface StatusWords {
  /** A short status: what a campaign may do with the number. */
  label: string;
  /** Why, when the status needs explaining (the provider's code and text). */
  detail: string | undefined;
  tone: StatusTone;
}

/** A blocked number's status by who or what blocked it: the profile row, the number page, the blocklist. */
export const BLOCKED_BY: Record<ConsentSource, string> = {
  manual: 'Blocked by an operator',
  automatic: 'Undeliverable: blocked automatically',
  recipient: 'Opted out by the recipient',
};

/** The number's status as the profile row and the number page state it. */
export function statusOf(number: Pick<NumberConsent, 'blocked' | 'source' | 'reason' | 'reasonCode' | 'marketingOptOut'>): StatusWords {
  if (!number.blocked && number.marketingOptOut) {
    return { label: 'Can receive WhatsApp messages, except marketing', detail: undefined, tone: 'warning' };
  }
  if (!number.blocked) return { label: 'Can receive WhatsApp messages', detail: undefined, tone: 'ok' };
  switch (number.source) {
    case 'automatic':
      return {
        label: BLOCKED_BY.automatic,
        detail: providerReason(number.reasonCode, number.reason),
        tone: 'warning',
      };
    case 'recipient':
      return { label: BLOCKED_BY.recipient, detail: number.reason ?? undefined, tone: 'blocked' };
    default:
      return { label: BLOCKED_BY.manual, detail: undefined, tone: 'blocked' };
  }
}

/** `131026: Message undeliverable`, or whichever half is known. */
export function providerReason(code: string | null, text: string | null): string | undefined {
  if (code && text) return `WhatsApp error ${code}: ${text}`;
  if (code) return `WhatsApp error ${code}`;
  return text ?? undefined;
}

/**
 * Who made a change, for people: a user's name, or the provider with the sender it named. A state's
 * `updatedBy` names the sender by id (`whatsapp:{id}`); the API's `updatedBySender`, passed instead when
 * it has one, also has the number the sender displays as, which the history's entries name it by.
 */
export function actorName(actor: AuditActor | string | null): string {
  if (actor === null) return 'nobody yet';
  // A suppression record, which is what an erasure of the number's personal data keeps, names nobody.
  if (actor === '') return 'not kept: personal data erased';
  if (typeof actor === 'string') {
    const phoneNumberId = /^whatsapp:(.+)$/.exec(actor)?.[1];
    if (phoneNumberId) return `WhatsApp (sender ${senderName({ phoneNumberId })})`;
    return actor.startsWith('recipient:') ? 'the recipient, by keyword' : actor;
  }
  if (actor.type === 'user') return actor.username;
  return `WhatsApp (sender ${senderName(actor)})`;
}

/**
 * A provider's sender: the number it displays as, readable (`+55 11 96218 5237`, however Meta wrote it),
 * or, when that is unknown, its id.
 */
function senderName(sender: { phoneNumberId: string; displayPhoneNumber?: string | undefined }): string {
  if (!sender.displayPhoneNumber) return sender.phoneNumberId;
  const phone = phoneFromInput(sender.displayPhoneNumber);
  return phone ? readablePhone(phone) : sender.displayPhoneNumber;
}

const ACTIONS: Record<string, string> = {
  block: 'Block',
  unblock: 'Unblock',
  wa_blocked: 'Automatic block: undeliverable',
  wa_opted_out: 'Marketing opt-out by the recipient',
  wa_opted_in: 'Marketing resumed by the recipient',
  wa_stop_keyword: 'Block by the recipient (opt-out keyword)',
  wa_start_keyword: 'Unblock by the recipient (opt-in keyword)',
  wa_number_changed: 'The recipient changed number',
};

export function actionName(action: string): string {
  return ACTIONS[action] ?? action;
}

const OUTCOMES: Record<string, string> = {
  applied: 'Applied',
  unchanged: 'No change: it was already so',
  superseded: 'Superseded by a newer change',
  held: 'Held by the automatic-block guard',
  discarded: 'Discarded: not blocked',
  failed: 'Failed',
};

export function outcomeName(outcome: string): string {
  return OUTCOMES[outcome] ?? outcome;
}

/**
 * The action column of the history: the change, or what an editor decided about an automatic block that
 * the guard held (such an entry is the provider's block, made by a person).
 */
export function entryAction(entry: Pick<AuditEntry, 'action' | 'source' | 'actor' | 'outcome'>): string {
  if (entry.source === 'automatic' && entry.actor.type === 'user') {
    return entry.outcome === 'discarded' ? 'Held automatic block discarded' : 'Held automatic block released';
  }
  return actionName(entry.action);
}

/**
 * The reason column of the history: the operator's words, or the provider's code and text; for an
 * editor's decision on a held automatic block, the editor's words and the code the block was for.
 */
export function entryReason(entry: Pick<AuditEntry, 'reason' | 'reasonCode' | 'actor'>): string {
  if (!entry.reasonCode) return entry.reason;
  if (entry.actor.type === 'user') return `${entry.reason} (WhatsApp error ${entry.reasonCode})`;
  return providerReason(entry.reasonCode, entry.reason) ?? '';
}

/** What became of a request once it settled, said to the person who asked for it. */
export function settledMessage(status: Exclude<RequestStatus, 'pending'>, action: ConsentAction, phone: string): string {
  const number = readablePhone(phone);
  switch (status) {
    case 'applied':
      return action === 'block' ? `${number} is now blocked.` : `${number} is unblocked and can receive WhatsApp messages.`;
    case 'unchanged':
      return `${number} was already ${action === 'block' ? 'blocked' : 'unblocked'}; nothing changed. Your request is recorded in the history.`;
    case 'superseded':
      return `Your request to ${action} ${number} was superseded: a newer change to this number was applied first, so it changed nothing.`;
    case 'failed':
      return `Your request to ${action} ${number} failed: the service could not apply it and nothing changed. Try again, or tell an administrator if it fails again.`;
  }
}

/** The permission a person needs to change a number (the service's permission name). */
export const EDIT_PERMISSION = 'Edit WhatsApp blocklist';
/** The permission that downloading and erasing a number's personal data need. */
export const PRIVACY_PERMISSION = 'Manage personal data';
