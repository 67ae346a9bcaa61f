import * as z from 'zod';
import { REASON_MAX_LENGTH } from '../../domain/consent-event.js';
import { humanText } from '../../domain/text.js';
import { phoneInput } from './parameters.js';

/**
 * The schemas of the JSON bodies the handlers read (besides the check's and the webhook's, which live
 * with their domain code: `shared/domain/blocklist-check.ts`, `shared/domain/whatsapp/callback.ts`).
 */

/**
 * A reason as people type it. The refinements count code points after NFC normalisation and trimming,
 * which JSON Schema cannot say; the bounds in its metadata are what the document states instead.
 */
const reason = humanText(REASON_MAX_LENGTH).meta({
  description: `Why, in 1 to ${REASON_MAX_LENGTH} characters (Unicode code points, after NFC normalisation and trimming); white space alone is refused.`,
  minLength: 1,
  maxLength: REASON_MAX_LENGTH,
  pattern: '\\S',
});

/** `PUT /profiles/{profileId}`: the profile's WhatsApp numbers, replacing the ones it had. */
export const profileBody = z.strictObject({ whatsappNumbers: z.array(phoneInput).min(1).max(20) });

/** `POST …/{phone}/block` and `…/unblock`. */
export const reasonBody = z.strictObject({ reason });

/** `POST /numbers/{phone}/erase`: why, for the erasure log (a schema of its own, so the contract names it apart). */
export const erasureBody = z.strictObject({ reason });

/** `POST /blocklist/held/release` and `…/discard`: up to a hundred numbers at once, with the editor's reason. */
export const heldDecisionBody = z.strictObject({
  phones: z.array(phoneInput).min(1).max(100),
  reason,
});
