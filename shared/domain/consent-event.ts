import { z } from 'zod';
import { normalisePhone, type E164 } from './phone.js';
import { humanText } from './text.js';

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
 * Version 1 of a consent event: what the API (and later the provider webhook) puts on the queue and
 * the processor applies. The version is part of the message so that a processor can refuse, rather than
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
  profileId: z.string().min(1),
  reason: humanText(REASON_MAX_LENGTH),
  actor: userActorSchema,
  requestedAt: isoTimestamp,
  /** Per-number order in which the API accepted events; a lower one never overwrites a higher one. */
  sequence: z.number().int().positive(),
});

export const consentEventSchema = manualConsentEventSchema;
export type ConsentEvent = z.infer<typeof consentEventSchema>;
