import * as z from 'zod/mini';
import type { E164 } from './e164.js';
import { humanText, REASON_MAX_LENGTH } from './text.js';
import { profileIdSchema } from './profile-id.js';
import { onFirstUse } from './on-first-use.js';

/*
 * The shapes of the events the queue carries, and their types. The events' schemas take the schema of a
 * phone number as a parameter: that one reads libphonenumber-js's metadata with Node's built-ins, which
 * the console, type-checking these types without Node's types, must not reach; `consent-event.ts` binds
 * the two. Schemas are built on first use, with `zod/mini`: a function pays for the schemas it parses
 * with, when it first parses, and for no others at its cold start.
 */

export const actionSchema = onFirstUse(() => z.enum(['block', 'unblock']));
export type ConsentAction = z.infer<ReturnType<typeof actionSchema>>;

/** A person (user token) or machine client (client-credentials token) acting through the API. */
export const userActorSchema = onFirstUse(() =>
  z.strictObject({
    type: z.literal('user'),
    sub: z.string().check(z.minLength(1)),
    username: z.string().check(z.minLength(1)),
  }),
);
export type UserActor = z.infer<ReturnType<typeof userActorSchema>>;

/**
 * A WhatsApp business-scoped user id (BSUID): a country code, a dot and an opaque id
 * (`US.13491208655302741918`). Meta names a user by it alone once they adopt a username.
 */
export const userIdSchema = onFirstUse(() => z.string().check(z.regex(/^[A-Z]{2}\.[0-9A-Za-z._-]{1,128}$/, 'must be a WhatsApp business-scoped user id')));

/** The messaging provider, naming the sender (our business number) that the failed message came from. */
export const providerActorSchema = onFirstUse(() =>
  z.strictObject({
    type: z.literal('provider'),
    provider: z.literal('whatsapp'),
    /** Meta's id of the sending business number (`metadata.phone_number_id`). */
    phoneNumberId: z.string().check(z.minLength(1), z.maxLength(64)),
    /** The sending number as Meta displays it (`metadata.display_phone_number`). */
    displayPhoneNumber: z.optional(z.string().check(z.maxLength(32))),
  }),
);
export type ProviderActor = z.infer<ReturnType<typeof providerActorSchema>>;

/**
 * `wa_blocked` blocks the number. `wa_opted_out` and `wa_opted_in` set and end a marketing opt-out (the
 * recipient's own choice, from Meta's `user_preferences` or a `131050` failure), which is not a block.
 * `wa_stop_keyword` blocks the number at its recipient's word (an opt-out keyword), and
 * `wa_start_keyword` lifts such a block (an opt-in keyword), and no other. `wa_number_changed` says the
 * recipient moved to another number (`movedTo`): their own keyword and marketing preference go with them.
 */
export const providerActionSchema = onFirstUse(() =>
  z.enum(['wa_blocked', 'wa_opted_out', 'wa_opted_in', 'wa_stop_keyword', 'wa_start_keyword', 'wa_number_changed']),
);
export type ProviderAction = z.infer<ReturnType<typeof providerActionSchema>>;

/** The schema of a number the events hold: E.164, as `normalisePhone` writes it (`e164Schema` in `phone.ts`). */
export type E164Schema = z.ZodMiniType<E164, string>;

const isoTimestamp = () => z.iso.datetime({ offset: false });
/** An event's or a held entry's id. */
const eventId = () => z.string().check(z.minLength(1), z.maxLength(64));
/** The provider's `recipient_id` (`wa_id`): digits without `+`. */
const recipientId = () => z.string().check(z.regex(/^\d{1,15}$/));
const reason = () => humanText(REASON_MAX_LENGTH);

/** The schemas of the queued events, with `e164` the schema of their numbers. */
export function eventSchemas(e164: () => E164Schema) {
  /** Other numbers a WhatsApp id may stand for. */
  const alternatives = () => z.array(e164()).check(z.maxLength(2));

  /**
   * Version 1 of a manual consent event: what the API puts on the queue and the processor applies.
   * The version is part of the message so that a processor can refuse, rather than
   * misread, an event from a newer producer.
   */
  const manual = z.strictObject({
    version: z.literal(1),
    /** Unique per event; the audit entry's key, so a redelivery cannot be recorded twice. */
    eventId: eventId(),
    requestId: z.string().check(z.minLength(1), z.maxLength(64)),
    source: z.literal('manual'),
    action: actionSchema(),
    phone: e164(),
    /** The profile on whose page the change was asked for; an import's rows name none. */
    profileId: z.optional(z.string().check(z.minLength(1))),
    /** The blocklist import the request is a row of. */
    importId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
    reason: reason(),
    actor: userActorSchema(),
    requestedAt: isoTimestamp(),
    /** Per-number order in which the API accepted events; a lower one never overwrites a higher one. */
    sequence: z.number().check(z.int(), z.positive()),
  });

  /**
   * Version 1 of an event from the provider webhook: a permanent delivery failure reported by WhatsApp,
   * or a recipient's marketing preference.
   * It has no sequence (the API never saw it); its failure time orders it against manual decisions instead.
   */
  const automatic = z.strictObject({
    version: z.literal(1),
    /** Derived from the provider's message id and status, so a callback delivered twice is one event. */
    eventId: eventId(),
    source: z.literal('automatic'),
    action: providerActionSchema(),
    /** The most likely number for the recipient's WhatsApp id; the message group. */
    phone: e164(),
    /** Other numbers the WhatsApp id may stand for; the processor prefers the one a profile holds. */
    alternatives: alternatives(),
    /** The provider's `recipient_id` (`wa_id`): digits without `+`. */
    recipientId: recipientId(),
    /** The failure's error code; a `user_preferences` signal has none. */
    reasonCode: z.optional(z.string().check(z.regex(/^\d{1,9}$/))),
    reason: reason(),
    actor: providerActorSchema(),
    /** The failed message's id; a `user_preferences` signal has none. */
    providerMessageId: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
    /** When the delivery failed, by the provider's clock. */
    occurredAt: isoTimestamp(),
    /** The profile the sending campaign named (`biz_opaque_callback_data`); the event is in its history. */
    profileId: z.optional(profileIdSchema()),
    /** The recipient's business-scoped user id, when the signal named them by it. */
    userId: z.optional(userIdSchema()),
    /**
     * An editor released this block after the auto-block guard held it: it is applied past the guard, and
     * the held entry it came from (`heldEventId`) is settled with it. Its history entry is dated when the
     * editor released it (`releasedAt`).
     */
    release: z.optional(z.strictObject({ heldEventId: eventId(), actor: userActorSchema(), reason: reason(), releasedAt: isoTimestamp() })),
    /** `wa_number_changed`: the number the recipient moved to, as the webhook read it. */
    movedTo: z.optional(z.strictObject({ phone: e164(), alternatives: alternatives(), recipientId: recipientId() })),
    /**
     * A keyword or marketing preference the recipient gave on their previous number (`phone`, at
     * `signalAt`), carried to this number when they changed number; `occurredAt` is when they changed.
     */
    carriedFrom: z.optional(z.strictObject({ phone: e164(), signalAt: isoTimestamp(), eventId: eventId() })),
  });

  /**
   * A signed callback showed a user's business-scoped id beside their WhatsApp id: the processor remembers
   * the pair, and applies the signals that waited for it (statuses that named the user by the id alone).
   * Queued in the number's message group, like the consent events of that number.
   */
  const pairing = z.strictObject({
    version: z.literal(1),
    eventId: eventId(),
    source: z.literal('pairing'),
    userId: userIdSchema(),
    phone: e164(),
    alternatives: alternatives(),
    recipientId: recipientId(),
    /** When the callback showed the pair; a pair seen earlier does not replace one seen later. */
    seenAt: isoTimestamp(),
  });

  return {
    manual,
    automatic,
    pairing,
    consent: z.discriminatedUnion('source', [manual, automatic]),
    /** Everything the queue carries: consent events, and pairings of user ids with numbers. */
    queued: z.discriminatedUnion('source', [manual, automatic, pairing]),
  };
}

type EventSchemas = ReturnType<typeof eventSchemas>;
export type ManualConsentEvent = z.infer<EventSchemas['manual']>;
export type AutomaticConsentEvent = z.infer<EventSchemas['automatic']>;
export type ConsentEvent = z.infer<EventSchemas['consent']>;
export type PairingEvent = z.infer<EventSchemas['pairing']>;
export type QueuedEvent = z.infer<EventSchemas['queued']>;
