import * as z from 'zod';
import { normalisePhone, type E164 } from './phone.js';
import { humanText } from './text.js';
import { profileIdSchema } from './profile-id.js';

export const REASON_MAX_LENGTH = 500;

/** A phone number that is already E.164 (events and stored items); parsing it again keeps it as it is. */
export const e164Schema = z.string().transform((value, ctx): E164 => {
  const result = normalisePhone(value);
  if (!result.ok || result.phone !== value) {
    ctx.addIssue({ code: 'custom', message: 'must be an E.164 phone number' });
    return z.NEVER;
  }
  return result.phone;
});

export const actionSchema = z.enum(['block', 'unblock']);
export type ConsentAction = z.infer<typeof actionSchema>;

/** A person (user token) or machine client (client-credentials token) acting through the API. */
export const userActorSchema = z.strictObject({
  type: z.literal('user'),
  sub: z.string().min(1),
  username: z.string().min(1),
});
export type UserActor = z.infer<typeof userActorSchema>;

const isoTimestamp = z.iso.datetime({ offset: false });

/**
 * Version 1 of a manual consent event: what the API puts on the queue and the processor applies.
 * The version is part of the message so that a processor can refuse, rather than
 * misread, an event from a newer producer.
 */
export const manualConsentEventSchema = z.strictObject({
  version: z.literal(1),
  /** Unique per event; the audit entry's key, so a redelivery cannot be recorded twice. */
  eventId: z.string().min(1).max(64),
  requestId: z.string().min(1).max(64),
  source: z.literal('manual'),
  action: actionSchema,
  phone: e164Schema,
  /** The profile on whose page the change was asked for; an import's rows name none. */
  profileId: z.string().min(1).optional(),
  /** The blocklist import the request is a row of. */
  importId: z.string().min(1).max(64).optional(),
  reason: humanText(REASON_MAX_LENGTH),
  actor: userActorSchema,
  requestedAt: isoTimestamp,
  /** Per-number order in which the API accepted events; a lower one never overwrites a higher one. */
  sequence: z.number().int().positive(),
});

export type ManualConsentEvent = z.infer<typeof manualConsentEventSchema>;

/**
 * A WhatsApp business-scoped user id (BSUID): a country code, a dot and an opaque id
 * (`US.13491208655302741918`). Meta names a user by it alone once they adopt a username.
 */
export const userIdSchema = z.string().regex(/^[A-Z]{2}\.[0-9A-Za-z._-]{1,128}$/, 'must be a WhatsApp business-scoped user id');

/** The messaging provider, naming the sender (our business number) that the failed message came from. */
export const providerActorSchema = z.strictObject({
  type: z.literal('provider'),
  provider: z.literal('whatsapp'),
  /** Meta's id of the sending business number (`metadata.phone_number_id`). */
  phoneNumberId: z.string().min(1).max(64),
  /** The sending number as Meta displays it (`metadata.display_phone_number`). */
  displayPhoneNumber: z.string().max(32).optional(),
});
export type ProviderActor = z.infer<typeof providerActorSchema>;

/**
 * `wa_blocked` blocks the number. `wa_opted_out` and `wa_opted_in` set and end a marketing opt-out (the
 * recipient's own choice, from Meta's `user_preferences` or a `131050` failure), which is not a block.
 * `wa_stop_keyword` blocks the number at its recipient's word (an opt-out keyword), and
 * `wa_start_keyword` lifts such a block (an opt-in keyword), and no other. `wa_number_changed` says the
 * recipient moved to another number (`movedTo`): their own keyword and marketing preference go with them.
 */
export const providerActionSchema = z.enum(['wa_blocked', 'wa_opted_out', 'wa_opted_in', 'wa_stop_keyword', 'wa_start_keyword', 'wa_number_changed']);
export type ProviderAction = z.infer<typeof providerActionSchema>;

/**
 * Version 1 of an event from the provider webhook: a permanent delivery failure reported by WhatsApp,
 * or a recipient's marketing preference.
 * It has no sequence (the API never saw it); its failure time orders it against manual decisions instead.
 */
export const automaticConsentEventSchema = z.strictObject({
  version: z.literal(1),
  /** Derived from the provider's message id and status, so a callback delivered twice is one event. */
  eventId: z.string().min(1).max(64),
  source: z.literal('automatic'),
  action: providerActionSchema,
  /** The most likely number for the recipient's WhatsApp id; the message group. */
  phone: e164Schema,
  /** Other numbers the WhatsApp id may stand for; the processor prefers the one a profile holds. */
  alternatives: z.array(e164Schema).max(2),
  /** The provider's `recipient_id` (`wa_id`): digits without `+`. */
  recipientId: z.string().regex(/^\d{1,15}$/),
  /** The failure's error code; a `user_preferences` signal has none. */
  reasonCode: z.string().regex(/^\d{1,9}$/).optional(),
  reason: humanText(REASON_MAX_LENGTH),
  actor: providerActorSchema,
  /** The failed message's id; a `user_preferences` signal has none. */
  providerMessageId: z.string().min(1).max(256).optional(),
  /** When the delivery failed, by the provider's clock. */
  occurredAt: isoTimestamp,
  /** The profile the sending campaign named (`biz_opaque_callback_data`); the event is in its history. */
  profileId: profileIdSchema.optional(),
  /** The recipient's business-scoped user id, when the signal named them by it. */
  userId: userIdSchema.optional(),
  /**
   * An editor released this block after the auto-block guard held it: it is applied past the guard, and
   * the held entry it came from (`heldEventId`) is settled with it. Its history entry is dated when the
   * editor released it (`releasedAt`).
   */
  release: z
    .strictObject({ heldEventId: z.string().min(1).max(64), actor: userActorSchema, reason: humanText(REASON_MAX_LENGTH), releasedAt: isoTimestamp })
    .optional(),
  /** `wa_number_changed`: the number the recipient moved to, as the webhook read it. */
  movedTo: z.strictObject({ phone: e164Schema, alternatives: z.array(e164Schema).max(2), recipientId: z.string().regex(/^\d{1,15}$/) }).optional(),
  /**
   * A keyword or marketing preference the recipient gave on their previous number (`phone`, at
   * `signalAt`), carried to this number when they changed number; `occurredAt` is when they changed.
   */
  carriedFrom: z.strictObject({ phone: e164Schema, signalAt: isoTimestamp, eventId: z.string().min(1).max(64) }).optional(),
});
export type AutomaticConsentEvent = z.infer<typeof automaticConsentEventSchema>;

export const consentEventSchema = z.discriminatedUnion('source', [manualConsentEventSchema, automaticConsentEventSchema]);
export type ConsentEvent = z.infer<typeof consentEventSchema>;

/**
 * A signed callback showed a user's business-scoped id beside their WhatsApp id: the processor remembers
 * the pair, and applies the signals that waited for it (statuses that named the user by the id alone).
 * Queued in the number's message group, like the consent events of that number.
 */
export const pairingEventSchema = z.strictObject({
  version: z.literal(1),
  eventId: z.string().min(1).max(64),
  source: z.literal('pairing'),
  userId: userIdSchema,
  phone: e164Schema,
  alternatives: z.array(e164Schema).max(2),
  recipientId: z.string().regex(/^\d{1,15}$/),
  /** When the callback showed the pair; a pair seen earlier does not replace one seen later. */
  seenAt: isoTimestamp,
});
export type PairingEvent = z.infer<typeof pairingEventSchema>;

/** Everything the queue carries: consent events, and pairings of user ids with numbers. */
export const queuedEventSchema = z.discriminatedUnion('source', [manualConsentEventSchema, automaticConsentEventSchema, pairingEventSchema]);
export type QueuedEvent = z.infer<typeof queuedEventSchema>;
