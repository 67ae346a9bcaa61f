import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import { profileIdSchema } from '../profile-id.js';
import { userIdSchema } from '../consent-event.js';
import { onFirstUse } from '../on-first-use.js';
import { utf8Text } from '../text.js';
import { dispensable, isRecord, itemsOf, Notes, optional, text, unixSeconds, wholeNumber, type Unreadable } from './lenient-reading.js';
import { numberChangeOf, type NumberChange } from './number-changes.js';

export type { NumberChange } from './number-changes.js';
export type { Unreadable } from './lenient-reading.js';

/**
 * Meta's `X-Hub-Signature-256` header: `sha256=` and the hex HMAC-SHA256 of the raw body, keyed with the
 * app secret. Anything else (another prefix, a truncated or overlong digest) is no signature at all.
 */
const SIGNATURE_HEADER = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * Whether the body bytes, exactly as they arrived, were signed with the app secret. The digests are
 * compared in constant time; the header's shape is checked first, so both sides have the same length.
 */
export function isSignedBy(appSecret: string, rawBody: Uint8Array, signatureHeader: string | undefined): boolean {
  const hex = signatureHeader === undefined ? undefined : SIGNATURE_HEADER.exec(signatureHeader)?.[1];
  if (hex === undefined) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(hex, 'hex'));
}

/** Compares two secrets in constant time, whatever their lengths, by comparing their digests. */
export function secretsMatch(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The bounds that keep one callback's work small; an item beyond them is skipped and counted. */
const MAX_ENTRIES = 1_000;
const MAX_CHANGES = 1_000;
const MAX_ITEMS = 10_000;
const MAX_ERRORS = 100;

/** The schemas of what the service reads of a callback, built when the first callback arrives. */
const schemas = onFirstUse(() => ({
  metadata: z.object({ phone_number_id: optional(text(64)), display_phone_number: dispensable(text(32)) }),
  contact: z.object({ wa_id: optional(text(64)), user_id: optional(z.string().check(z.maxLength(160))) }),
  error: z.object({
    code: wholeNumber(),
    title: dispensable(z.string().check(z.maxLength(1_000))),
    message: dispensable(z.string().check(z.maxLength(1_000))),
    error_data: dispensable(z.object({ details: dispensable(z.string().check(z.maxLength(4_000))) })),
  }),
  status: z.object({
    id: text(256),
    status: z.string().check(z.minLength(1), z.maxLength(64)),
    timestamp: unixSeconds(),
    recipient_id: optional(text(64)),
    /** The recipient's business-scoped user id; since 2026 it may come without `recipient_id`. */
    recipient_user_id: optional(z.string().check(z.maxLength(160))),
    /** Read error by error, so that one malformed error does not cost the status. */
    errors: z.optional(z.unknown()),
    /** What the sender attached to the message when it sent it (Meta allows 512 characters). */
    biz_opaque_callback_data: dispensable(z.string().check(z.maxLength(512))),
  }),
  /** A recipient's preference (field `user_preferences`). */
  preference: z.object({
    wa_id: text(64),
    category: z.string().check(z.maxLength(64)),
    value: z.string().check(z.maxLength(64)),
    timestamp: unixSeconds(),
    detail: dispensable(z.string().check(z.maxLength(1_000))),
  }),
  /** An inbound message; only text and quick-reply buttons are read, for keywords, and system messages for number changes. */
  message: z.object({
    /** The sender's WhatsApp id; a user known by username alone is named by `from_user_id` instead. */
    from: optional(text(64)),
    from_user_id: optional(z.string().check(z.maxLength(160))),
    id: text(256),
    timestamp: unixSeconds(),
    type: dispensable(z.string().check(z.maxLength(64))),
    text: dispensable(z.object({ body: z.string().check(z.maxLength(4_096)) })),
    button: dispensable(z.object({ text: z.string().check(z.maxLength(1_024)) })),
    /** Read only for a system message. */
    system: z.optional(z.unknown()),
  }),
  /** An entry or a change: an object, whose fields are read one by one. */
  record: z.record(z.string(), z.unknown()),
}));

type Schemas = ReturnType<typeof schemas>;
type CallbackError = z.output<Schemas['error']>;
type Status = z.output<Schemas['status']> & { errors: CallbackError[] };
type Message = z.output<Schemas['message']>;

/** What one change carries that the service reads, with the business number it names. */
interface ReadChange {
  business: BusinessNumber;
  contacts: z.output<Schemas['contact']>[];
  statuses: Status[];
  preferences: z.output<Schemas['preference']>[];
  /** Messages from users; system messages are not among them. */
  messages: Message[];
  numberChanges: NumberChange[];
}

/**
 * A WhatsApp Business Account callback as far as the service can read it: the changes that name a
 * business number, with their statuses, messages, preferences and number changes.
 */
export interface WhatsappCallback {
  readonly changes: readonly ReadChange[];
}

/** A callback, and what in it could not be read (it is acknowledged all the same). */
export interface ReadCallback {
  callback: WhatsappCallback;
  unreadable: Unreadable[];
}

/**
 * Reads a callback's body as it arrived: UTF-8 JSON, whatever its Content-Type says. A body that is not
 * JSON is read as a callback of nothing, and noted (Meta never sends one, but it signed it, and refusing
 * it would only make Meta send it again, for days).
 */
export function readCallbackBody(bytes: Uint8Array): ReadCallback {
  const text = utf8Text(bytes);
  const nothing = (reason: string): ReadCallback => ({ callback: { changes: [] }, unreadable: [{ path: 'body', reason, items: 1 }] });
  if (bytes.length === 0) return nothing('is empty');
  if (text === undefined) return nothing('is not UTF-8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return nothing('is not JSON');
  }
  return readCallback(value);
}

/**
 * Reads a callback (Cloud API envelope: `object`, `entry[].changes[].value`) item by item, so that one
 * malformed status, message or preference costs only itself:
 *
 * 1. Only a WhatsApp Business Account callback (`object: whatsapp_business_account`) carries signals.
 * 2. Each change names its business number (`metadata.phone_number_id`); the statuses, messages and
 *    preferences of a change that names none cannot be attributed, and are noted.
 * 3. Each status, message, preference and contact is checked on its own; fields the service does not
 *    use are not checked, timestamps may be strings or numbers, and ids numbers or strings.
 * 4. A system message is no message from the user: a change of number or user id is read as a
 *    {@link NumberChange}, any other system message is ignored.
 * 5. Lists longer than their bound are read up to it; the rest is noted.
 *
 * Never throws, whatever the value.
 */
export function readCallback(body: unknown): ReadCallback {
  const notes = new Notes();
  return { callback: { changes: changesIn(body, notes) }, unreadable: notes.unreadable };
}

function changesIn(body: unknown, notes: Notes): ReadChange[] {
  if (!isRecord(body)) {
    notes.note('body', 'is not a JSON object');
    return [];
  }
  if (body['object'] !== 'whatsapp_business_account') {
    notes.note('object', 'is not whatsapp_business_account');
    return [];
  }
  return rawItemsOf(body['entry'], 'entry', MAX_ENTRIES, notes).flatMap(({ item: entry, path }) =>
    rawItemsOf(entry['changes'], `${path}.changes`, MAX_CHANGES, notes).flatMap(({ item: change, path: changePath }) => {
      const value = change['value'];
      if (!isRecord(value)) {
        notes.note(`${changePath}.value`, 'is not an object');
        return [];
      }
      const read = readChange(value, `${changePath}.value`, notes);
      return read ? [read] : [];
    }),
  );
}

/** The objects of a list (entries, changes), each noted and skipped when it is no object. */
function rawItemsOf(list: unknown, path: string, max: number, notes: Notes) {
  return itemsOf(list, schemas().record, path, max, notes);
}

/** The lists of a change's value that carry signals, and so need its business number. */
const SIGNAL_LISTS = ['statuses', 'messages', 'user_preferences'] as const;

/** One change's signals, or `undefined` when it names no business number (then it has nothing to read). */
function readChange(value: Record<string, unknown>, path: string, notes: Notes): ReadChange | undefined {
  const read = schemas();
  const metadata = read.metadata.safeParse(value['metadata']);
  const phoneNumberId = metadata.success ? metadata.data.phone_number_id : undefined;
  if (!phoneNumberId) {
    // A list counts its items; anything else in its place, one item.
    const signals = SIGNAL_LISTS.reduce((sum, key) => sum + (Array.isArray(value[key]) ? value[key].length : value[key] == null ? 0 : 1), 0);
    if (signals > 0) notes.note(`${path}.metadata.phone_number_id`, 'is missing or unreadable, so the statuses, messages and preferences beside it name no business number', undefined, signals);
    return undefined;
  }
  const business: BusinessNumber = { phoneNumberId, displayPhoneNumber: metadata.success ? metadata.data.display_phone_number : undefined };
  const statuses = itemsOf(value['statuses'], read.status, `${path}.statuses`, MAX_ITEMS, notes).map(
    ({ item, path: statusPath }): Status => ({ ...item, errors: itemsOf(item.errors, read.error, `${statusPath}.errors`, MAX_ERRORS, notes).map(({ item: error }) => error) }),
  );
  const messages: Message[] = [];
  const numberChanges: NumberChange[] = [];
  for (const { item: message, path: messagePath } of itemsOf(value['messages'], read.message, `${path}.messages`, MAX_ITEMS, notes)) {
    if (message.type !== 'system') {
      messages.push(message);
      continue;
    }
    const change = numberChangeOf(message, business);
    if (typeof change === 'string') notes.note(messagePath, change, message);
    else if (change) numberChanges.push(change);
  }
  return {
    business,
    contacts: itemsOf(value['contacts'], read.contact, `${path}.contacts`, MAX_ITEMS, notes).map(({ item }) => item),
    statuses,
    preferences: itemsOf(value['user_preferences'], read.preference, `${path}.user_preferences`, MAX_ITEMS, notes).map(({ item }) => item),
    messages,
    numberChanges,
  };
}

export interface DeliveryError {
  code: number;
  /** The error's title and details, for people reading the history. */
  text: string;
}

/** Our business number a callback is about (`metadata`): the sender of a message, or its recipient. */
export interface BusinessNumber {
  phoneNumberId: string;
  displayPhoneNumber: string | undefined;
}

/** Unix seconds as an ISO timestamp. */
const isoOf = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString();

/** One delivery status of one message, with the business number it was sent from. */
export interface DeliveryStatus {
  messageId: string;
  status: string;
  occurredAt: string;
  /** The recipient's WhatsApp id; absent when the callback names none, or names the user by id alone. */
  recipientId: string | undefined;
  /** The recipient's business-scoped user id, when the callback gives a well-formed one. */
  userId: string | undefined;
  sender: BusinessNumber;
  errors: DeliveryError[];
  /** The profile the sending campaign named in `biz_opaque_callback_data` (`{"profileId": "…"}`), if any. */
  profileId: string | undefined;
}

/**
 * Every delivery status of a callback, in the order it lists them. Only WhatsApp Business Account
 * callbacks carry statuses; a status without `recipient_id` falls back to the change's single contact.
 */
export function deliveryStatusesOf(callback: WhatsappCallback): DeliveryStatus[] {
  return callback.changes.flatMap(({ contacts, statuses, business }) => {
    const soleContact = contacts.length === 1 ? contacts[0] : undefined;
    return statuses.map((status): DeliveryStatus => {
      // The sole contact stands for a status that names nobody, or the same user id, and for no other.
      const contact = status.recipient_user_id === undefined || soleContact?.user_id === status.recipient_user_id ? soleContact : undefined;
      return {
        messageId: status.id,
        status: status.status,
        occurredAt: isoOf(status.timestamp),
        recipientId: status.recipient_id ?? contact?.wa_id,
        userId: userIdOf(status.recipient_user_id ?? contact?.user_id),
        sender: business,
        errors: status.errors.map((error) => ({ code: error.code, text: errorText(error) })),
        profileId: profileIdOf(status.biz_opaque_callback_data),
      };
    });
  });
}

/** One recipient's preference about a category of messages, told to one business number. */
export interface MarketingPreference {
  recipientId: string;
  /** Meta's category, e.g. `marketing_messages`. */
  category: string;
  /** `stop` or `resume` (others may come; they are not acted on). */
  value: string;
  detail: string | undefined;
  occurredAt: string;
  sender: BusinessNumber;
}

/** Every preference of a callback (field `user_preferences`), in the order it lists them. */
export function preferencesOf(callback: WhatsappCallback): MarketingPreference[] {
  return callback.changes.flatMap(({ preferences, business }) =>
    preferences.map(
      (preference): MarketingPreference => ({
        recipientId: preference.wa_id,
        category: preference.category,
        value: preference.value,
        detail: preference.detail,
        occurredAt: isoOf(preference.timestamp),
        sender: business,
      }),
    ),
  );
}

/**
 * The profile a campaign named when it sent the message: `biz_opaque_callback_data` that is JSON with a
 * `profileId` of the API's form. Anything else (free text, other JSON, a malformed id) names none.
 */
export function profileIdOf(callbackData: string | undefined): string | undefined {
  if (callbackData === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(callbackData);
    const profileId = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>)['profileId'] : undefined;
    const valid = profileIdSchema().safeParse(profileId);
    return valid.success ? valid.data : undefined;
  } catch {
    return undefined;
  }
}

/** An inbound message's words: a text's body, or the label of a quick-reply button. */
export interface InboundMessage {
  messageId: string;
  /** The sender's WhatsApp id; absent when the callback names the user by id alone. */
  senderId: string | undefined;
  /** The sender's business-scoped user id, when the callback gives a well-formed one. */
  userId: string | undefined;
  occurredAt: string;
  /** Undefined for messages that carry no words (media, locations, reactions). */
  text: string | undefined;
  business: BusinessNumber;
}

/**
 * Every inbound message of a callback (field `messages`), in the order it lists them. System messages
 * (a change of number, say) are Meta's notices, not the user's words: they are not among them.
 */
export function inboundMessagesOf(callback: WhatsappCallback): InboundMessage[] {
  return callback.changes.flatMap(({ messages, contacts, business }) =>
    messages.map(
      (message): InboundMessage => ({
        messageId: message.id,
        senderId: message.from,
        userId: userIdOf(message.from_user_id ?? contacts.find((contact) => contact.wa_id !== undefined && contact.wa_id === message.from)?.user_id),
        occurredAt: isoOf(message.timestamp),
        text: message.type === 'text' ? message.text?.body : message.type === 'button' ? message.button?.text : undefined,
        business,
      }),
    ),
  );
}

/** A user id Meta sent, if it has the form of one; anything else names nobody. */
function userIdOf(value: string | undefined): string | undefined {
  return value !== undefined && userIdSchema().safeParse(value).success ? value : undefined;
}

/** A business-scoped user id shown beside the WhatsApp id it stands for, and when. */
export interface ObservedPairing {
  userId: string;
  recipientId: string;
  seenAt: string;
}

/**
 * Every pairing of a user id with a WhatsApp id that the callback shows: a status naming both, an
 * inbound message naming both, or a contact beside the messages it sent (as of the latest of them).
 */
export function pairingsOf(callback: WhatsappCallback): ObservedPairing[] {
  const fromSignals = [...deliveryStatusesOf(callback), ...inboundMessagesOf(callback)].flatMap((signal) => {
    const recipientId = 'senderId' in signal ? signal.senderId : signal.recipientId;
    return signal.userId && recipientId ? [{ userId: signal.userId, recipientId, seenAt: signal.occurredAt }] : [];
  });
  const fromContacts = callback.changes.flatMap(({ messages, statuses, contacts }) => {
    const times = [...messages, ...statuses].map((signal) => signal.timestamp);
    if (times.length === 0) return [];
    const seenAt = isoOf(times.reduce((latest, time) => Math.max(latest, time)));
    return contacts.flatMap((contact) => {
      const userId = userIdOf(contact.user_id);
      return userId && contact.wa_id ? [{ userId, recipientId: contact.wa_id, seenAt }] : [];
    });
  });
  return [...fromSignals, ...fromContacts];
}

/** "Title: details", without a details text that only repeats the title; the code when there is neither. */
function errorText(error: CallbackError): string {
  const withoutStop = (text: string) => text.trim().replace(/\.$/, '');
  const title = withoutStop(error.title ?? error.message ?? '');
  const details = error.error_data?.details?.trim() ?? '';
  const detailsAddSomething = details !== '' && withoutStop(details).toLowerCase() !== title.toLowerCase();
  const text = [title, detailsAddSomething ? details : ''].filter((part) => part !== '').join(': ');
  return text || `WhatsApp error ${error.code}`;
}

/**
 * Every change of number or of user id that the callback's system messages tell, in the order it lists
 * them. A system message that names no id before or after the change is not among them (it is noted
 * as unreadable when the callback is read).
 */
export function numberChangesOf(callback: WhatsappCallback): NumberChange[] {
  return callback.changes.flatMap(({ numberChanges }) => numberChanges);
}

/** How many items the notes stand for, for the metric that counts them. */
export function unreadableItems(unreadable: readonly Unreadable[]): number {
  return unreadable.reduce((sum, { items }) => sum + items, 0);
}

/**
 * The webhook's body as the API's contract states it: any JSON, or none, is read (see
 * {@link readCallbackBody}); the envelope Meta sends is described in words, since nothing in it is required.
 */
export const whatsappCallbackBody = onFirstUse(() =>
  z.unknown().check(
    z.meta({ description: "Meta's Cloud API webhook envelope. Any body is accepted once signed; what cannot be read is logged and counted." }),
  ),
);
