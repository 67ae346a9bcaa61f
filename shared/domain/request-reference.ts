import * as z from 'zod/mini';
import { onFirstUse } from './on-first-use.js';
import { e164Schema, type E164 } from './phone.js';

/** Just enough of a queued event to find its request, even when the rest of it is malformed. */
const requestReference = onFirstUse(() => z.looseObject({ requestId: z.string().check(z.minLength(1)), phone: e164Schema() }));

/** The request a queued event's body names, or `undefined` (a provider event, or a body too broken). */
export function requestReferenceOf(body: string): { requestId: string; phone: E164 } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const reference = requestReference().safeParse(parsed);
  return reference.success ? { requestId: reference.data.requestId, phone: reference.data.phone } : undefined;
}
