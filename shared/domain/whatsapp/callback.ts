import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { profileIdSchema } from '../profile-id.js';
import { userIdSchema } from '../consent-event.js';

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

const errorSchema = z.object({
  code: z.number().int(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.object({ details: z.string().optional() }).optional(),
});

const statusSchema = z.object({
  id: z.string().min(1).max(256),
  status: z.string().min(1).max(64),
  /** Unix seconds, as a string. */
  timestamp: z.string().regex(/^\d{1,11}$/, 'must be a Unix time in seconds'),
  recipient_id: z.string().max(64).optional(),
  /** The recipient's business-scoped user id; since 2026 it may come without `recipient_id`. */
  recipient_user_id: z.string().max(160).optional(),
  errors: z.array(errorSchema).max(100).optional(),
  /** What the sender attached to the message when it sent it (Meta allows 512 characters). */
  biz_opaque_callback_data: z.string().max(512).optional(),
});

/** A recipient's preference (field `user_preferences`); `timestamp` is Unix seconds, as a number. */
const preferenceSchema = z.object({
  wa_id: z.string().max(64),
  category: z.string().max(64),
  value: z.string().max(64),
  timestamp: z.union([z.number().int().min(0).max(99_999_999_999), z.string().regex(/^\d{1,11}$/)]),
  detail: z.string().max(1_000).optional(),
});

/** An inbound message; only text and quick-reply buttons are read, for keywords. */
const messageSchema = z.object({
  /** The sender's WhatsApp id; a user known by username alone is named by `from_user_id` instead. */
  from: z.string().max(64).optional(),
  from_user_id: z.string().max(160).optional(),
  id: z.string().min(1).max(256),
  timestamp: z.string().regex(/^\d{1,11}$/, 'must be a Unix time in seconds'),
  type: z.string().max(64),
  text: z.object({ body: z.string().max(4_096) }).optional(),
  button: z.object({ text: z.string().max(1_024) }).optional(),
});

/**
 * The value of one change: delivery `statuses`, inbound `messages`, or a recipient's `user_preferences`. Changes of other
 * fields (template and account updates) and inbound messages fit this shape too; their other fields are
 * not read.
 */
const changeValueSchema = z
  .object({
    metadata: z
      .object({ display_phone_number: z.string().max(32).optional(), phone_number_id: z.string().min(1).max(64).optional() })
      .optional(),
    contacts: z.array(z.object({ wa_id: z.string().max(64).optional(), user_id: z.string().max(160).optional() })).max(10_000).optional(),
    statuses: z.array(statusSchema).max(10_000).optional(),
    user_preferences: z.array(preferenceSchema).max(10_000).optional(),
    messages: z.array(messageSchema).max(10_000).optional(),
  })
  .refine((value) => (!value.statuses?.length && !value.user_preferences?.length && !value.messages?.length) || value.metadata?.phone_number_id, {
    message: 'statuses, messages and preferences need the phone_number_id of the business number',
    path: ['metadata', 'phone_number_id'],
  });

/** The Cloud API webhook envelope (`object`, `entry[].changes[].value`), lenient about what it does not use. */
export const whatsappWebhookSchema = z.object({
  object: z.string(),
  entry: z
    .array(
      z.object({
        id: z.string().optional(),
        changes: z.array(z.object({ field: z.string().optional(), value: changeValueSchema })).default([]),
      }),
    )
    .max(1_000),
});
export type WhatsappWebhook = z.infer<typeof whatsappWebhookSchema>;

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

type ChangeValue = WhatsappWebhook['entry'][number]['changes'][number]['value'];

/**
 * Each change of a WhatsApp Business Account callback with the business number it names. Only such
 * callbacks carry consent signals, and the schema makes every change with signals name its number.
 */
function changesOf(callback: WhatsappWebhook): { value: ChangeValue; business: BusinessNumber }[] {
  if (callback.object !== 'whatsapp_business_account') return [];
  return callback.entry.flatMap((entry) =>
    entry.changes.flatMap(({ value }) => {
      const phoneNumberId = value.metadata?.phone_number_id;
      return phoneNumberId ? [{ value, business: { phoneNumberId, displayPhoneNumber: value.metadata?.display_phone_number } }] : [];
    }),
  );
}

/** Unix seconds, as a number or a string of digits, as an ISO timestamp. */
const isoOf = (unixSeconds: number | string) => new Date(Number(unixSeconds) * 1000).toISOString();

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
export function deliveryStatusesOf(callback: WhatsappWebhook): DeliveryStatus[] {
  return changesOf(callback).flatMap(({ value: { contacts = [], statuses = [] }, business }) => {
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
        errors: (status.errors ?? []).map((error) => ({ code: error.code, text: errorText(error) })),
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
export function preferencesOf(callback: WhatsappWebhook): MarketingPreference[] {
  return changesOf(callback).flatMap(({ value, business }) =>
    (value.user_preferences ?? []).map(
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
    const valid = profileIdSchema.safeParse(profileId);
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

/** Every inbound message of a callback (field `messages`), in the order it lists them. */
export function inboundMessagesOf(callback: WhatsappWebhook): InboundMessage[] {
  return changesOf(callback).flatMap(({ value, business }) =>
    (value.messages ?? []).map(
      (message): InboundMessage => ({
        messageId: message.id,
        senderId: message.from,
        userId: userIdOf(message.from_user_id ?? value.contacts?.find((contact) => contact.wa_id !== undefined && contact.wa_id === message.from)?.user_id),
        occurredAt: isoOf(message.timestamp),
        text: message.type === 'text' ? message.text?.body : message.type === 'button' ? message.button?.text : undefined,
        business,
      }),
    ),
  );
}

/** A user id Meta sent, if it has the form of one; anything else names nobody. */
function userIdOf(value: string | undefined): string | undefined {
  return value !== undefined && userIdSchema.safeParse(value).success ? value : undefined;
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
export function pairingsOf(callback: WhatsappWebhook): ObservedPairing[] {
  const fromSignals = [...deliveryStatusesOf(callback), ...inboundMessagesOf(callback)].flatMap((signal) => {
    const recipientId = 'senderId' in signal ? signal.senderId : signal.recipientId;
    return signal.userId && recipientId ? [{ userId: signal.userId, recipientId, seenAt: signal.occurredAt }] : [];
  });
  const fromContacts = changesOf(callback).flatMap(({ value }) => {
    const times = [...(value.messages ?? []), ...(value.statuses ?? [])].map((signal) => Number(signal.timestamp));
    if (times.length === 0) return [];
    const seenAt = isoOf(Math.max(...times));
    return (value.contacts ?? []).flatMap((contact) => {
      const userId = userIdOf(contact.user_id);
      return userId && contact.wa_id ? [{ userId, recipientId: contact.wa_id, seenAt }] : [];
    });
  });
  return [...fromSignals, ...fromContacts];
}

/** "Title: details", without a details text that only repeats the title; the code when there is neither. */
function errorText(error: z.infer<typeof errorSchema>): string {
  const withoutStop = (text: string) => text.trim().replace(/\.$/, '');
  const title = withoutStop(error.title ?? error.message ?? '');
  const details = error.error_data?.details?.trim() ?? '';
  const detailsAddSomething = details !== '' && withoutStop(details).toLowerCase() !== title.toLowerCase();
  const text = [title, detailsAddSomething ? details : ''].filter((part) => part !== '').join(': ');
  return text || `WhatsApp error ${error.code}`;
}
