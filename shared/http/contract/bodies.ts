import * as z from 'zod/mini';
import { humanText, REASON_MAX_LENGTH } from '../../domain/text.js';
import { onFirstUse } from '../../domain/on-first-use.js';
import { phoneInput } from './parameters.js';

/**
 * The schemas of the JSON bodies the handlers read (besides the check's and the webhook's, which live
 * with their domain code: `shared/domain/blocklist-check.ts`, `shared/domain/whatsapp/callback.ts`).
 * Each is built on first use, as the parameters' are (`./parameters.ts`).
 */

/**
 * A reason as people type it. The refinements count code points after NFC normalisation and trimming,
 * which JSON Schema cannot say; the bounds in its metadata are what the document states instead.
 */
const reason = onFirstUse(() =>
  humanText(REASON_MAX_LENGTH).check(
    z.meta({
      description: `Why, in 1 to ${REASON_MAX_LENGTH} characters (Unicode code points, after NFC normalisation and trimming); white space alone is refused.`,
      minLength: 1,
      maxLength: REASON_MAX_LENGTH,
      pattern: '\\S',
    }),
  ),
);

/** `PUT /profiles/{profileId}`: the profile's WhatsApp numbers, replacing the ones it had. */
export const profileBody = onFirstUse(() => z.strictObject({ whatsappNumbers: z.array(phoneInput()).check(z.minLength(1), z.maxLength(20)) }));

/** `POST …/{phone}/block` and `…/unblock`. */
export const reasonBody = onFirstUse(() => z.strictObject({ reason: reason() }));

/** `POST /numbers/{phone}/erase`: why, for the erasure log (a schema of its own, so the contract names it apart). */
export const erasureBody = onFirstUse(() => z.strictObject({ reason: reason() }));

/** `POST /blocklist/held/release` and `…/discard`: up to a hundred numbers at once, with the editor's reason. */
export const heldDecisionBody = onFirstUse(() =>
  z.strictObject({
    phones: z.array(phoneInput()).check(z.minLength(1), z.maxLength(100)),
    reason: reason(),
  }),
);
