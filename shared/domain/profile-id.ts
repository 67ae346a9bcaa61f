import * as z from 'zod/mini';
import { onFirstUse } from './on-first-use.js';

/**
 * A profile's id, as clients choose it (the CDP's own ids): printable, URL-safe, bounded. The API's
 * paths, the events that name a profile and campaigns' callback data all take this one form. `.` and `..`
 * are no id: in a URL path they are dot segments, which every client and API Gateway resolve away, so
 * such a profile could never be addressed.
 */
export const PROFILE_ID = {
  pattern: /^(?!\.\.?$)[A-Za-z0-9._~:@-]{1,128}$/,
  message: 'must be 1 to 128 letters, digits or . _ ~ : @ -, other than . and ..',
} as const;

/** The schema of a profile id in events and callbacks, built on first use. */
export const profileIdSchema = onFirstUse(() => z.string().check(z.regex(PROFILE_ID.pattern, PROFILE_ID.message)));
