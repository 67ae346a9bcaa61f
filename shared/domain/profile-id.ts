import * as z from 'zod';

/**
 * A profile's id, as clients choose it (the CDP's own ids): printable, URL-safe, bounded. The API's
 * paths, the events that name a profile and campaigns' callback data all take this one form. `.` and `..`
 * are no id: in a URL path they are dot segments, which every client and API Gateway resolve away, so
 * such a profile could never be addressed.
 */
export const profileIdSchema = z
  .string()
  .regex(/^(?!\.\.?$)[A-Za-z0-9._~:@-]{1,128}$/, 'must be 1 to 128 letters, digits or . _ ~ : @ -, other than . and ..');
