import * as z from 'zod/mini';
import { normalisePhone, PHONE_INPUT_MAX_LENGTH, type E164 } from '../../domain/phone.js';
import { PROFILE_ID } from '../../domain/profile-id.js';
import { onFirstUse } from '../../domain/on-first-use.js';

/**
 * The schemas of the API's path, query and header parameters: the handlers validate with them, and the
 * OpenAPI document (`./document.ts`) is generated from them. Descriptions are zod metadata, which changes
 * nothing about what a schema accepts. So are the `minLength` and `maxLength` of a string whose pattern
 * or parser already bounds it: they state that bound in the document, where JSON Schema cannot read it
 * off the pattern, without a second error for the same value (the unit tests check each against the
 * schema). Each is built on first use (`profilePath()` is the schema), so a
 * function builds the schemas of its routes as they are first called, and no others at its cold start;
 * and with `zod/mini`, whose schemas cost a fraction of classic zod's to load and to build.
 */

/**
 * A phone number written by a client, in any international form, normalised to E.164. In paths the `+`
 * may be left out; API Gateway has already percent-decoded path parameters, so they are not decoded again.
 */
export const phoneInput = onFirstUse(() =>
  z
    .pipe(
      z.string(),
      z.transform((value: string, ctx): E164 => {
        const result = normalisePhone(value);
        if (!result.ok) {
          ctx.issues.push({ code: 'custom', message: result.reason, input: value });
          return z.NEVER;
        }
        return result.phone;
      }),
    )
    .check(
      z.meta({
        description:
          'A phone number in any international form (`+420 777 123 456`, `00420777123456`, `+420777123456`), valid for its country, without an extension; in paths the `+` may be `%2B` or left out.',
        minLength: 1,
        maxLength: PHONE_INPUT_MAX_LENGTH,
      }),
    ),
);

/** Identifiers chosen by clients (profile ids): printable, URL-safe, bounded. */
export const clientIdentifier = onFirstUse(() =>
  z.string().check(
    z.regex(PROFILE_ID.pattern, PROFILE_ID.message),
    z.meta({
      description: "A profile's id: 1 to 128 letters, digits or `. _ ~ : @ -`, other than `.` and `..`.",
      examples: ['crm-1001'],
      minLength: 1,
      maxLength: 128,
    }),
  ),
);

export const pageQuery = onFirstUse(() =>
  z.strictObject({
    limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 20).check(z.meta({ description: 'Items per page, 1 to 100.' })),
    cursor: z
      .optional(z.string().check(z.minLength(1), z.maxLength(2048)))
      .check(z.meta({ description: "The previous page's `nextCursor`; only the list that issued it accepts it." })),
  }),
);

/** `…/profiles/{profileId}…` */
export const profilePath = onFirstUse(() => z.object({ profileId: clientIdentifier() }));

/** `/numbers/{phone}…` */
export const phonePath = onFirstUse(() => z.object({ phone: phoneInput() }));

/** `/profiles/{profileId}/whatsapp/{phone}/…` */
export const numberPath = onFirstUse(() => z.object({ profileId: clientIdentifier(), phone: phoneInput() }));

/** An id the service handed out: a ULID, 26 characters of Crockford's base 32. */
const ulid = (what: string, description: string) =>
  z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, `must be ${what}`), z.meta({ description, minLength: 26, maxLength: 26 }));

/** `/requests/{requestId}`: the ULID that the `202` of a block or unblock named. */
export const requestPath = onFirstUse(() =>
  z.object({ requestId: ulid('a request id', 'The `requestId` of a block or unblock request (a ULID).') }),
);

/** An `Idempotency-Key` header, with what its key is remembered for. */
const idempotencyKeyHeader = (description: string) =>
  z
    .optional(z.string().check(z.regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 printable ASCII characters')))
    .check(z.meta({ description, minLength: 1, maxLength: 255 }));

/** The `Idempotency-Key` header of a block or unblock request. */
export const idempotencyKey = onFirstUse(() =>
  idempotencyKeyHeader(
    'Remembered per caller for 24 hours: the same key with the same request answers with the first request and creates nothing; with a different request it is `422`.',
  ),
);

/** The `Idempotency-Key` header of a blocklist import. */
export const importIdempotencyKey = onFirstUse(() =>
  idempotencyKeyHeader(
    'Remembered per caller for 24 hours: the same key with the same file answers with the first import (finishing it if it was interrupted) and creates nothing new; with another file it is `422`.',
  ),
);

/** `GET /blocklist/imports/{importId}`. */
export const importPath = onFirstUse(() => z.object({ importId: ulid('an import id', 'The `importId` of an import (a ULID).') }));

/** Meta's subscription handshake (`GET /webhooks/whatsapp`). */
export const handshakeQuery = onFirstUse(() =>
  z.object({
    'hub.mode': z.string().check(z.maxLength(64), z.meta({ description: '`subscribe`.' })),
    'hub.verify_token': z.string().check(z.maxLength(1024), z.meta({ description: "The webhook's verify token." })),
    'hub.challenge': z.string().check(
      z.regex(/^[\x21-\x7e]{1,256}$/, 'must be 1 to 256 printable ASCII characters'),
      z.meta({ description: 'Echoed back as the body of the `200`.', minLength: 1, maxLength: 256 }),
    ),
  }),
);

/** `GET /blocklist`'s query: filters, and pages of up to a thousand numbers (an export reads many). */
export const blocklistQuery = onFirstUse(() =>
  z.strictObject({
    source: z.optional(z.enum(['manual', 'automatic', 'recipient'])),
    reasonCode: z
      .optional(z.string().check(z.regex(/^\d{1,9}$/, 'must be a provider error code (digits)')))
      .check(z.meta({ minLength: 1, maxLength: 9 })),
    // Up to nanoseconds, with an offset: 35 characters.
    changedAfter: z.optional(z.pipe(z.iso.datetime({ offset: true }).check(z.maxLength(35)), z.transform((value: string) => new Date(value).toISOString()))),
    limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(1000)), 100),
    cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
  }),
);
