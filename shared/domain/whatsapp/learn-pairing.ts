import type { AutomaticConsentEvent, PairingEvent } from '../consent-event.js';
import { applyConsentEvent, type ApplyDependencies, type ApplyResult } from '../apply-consent-event.js';
import { pairingOf, resolvedEvent, type UserDirectory } from './user-pairing.js';
import { chooseRecipient } from './recipient.js';

/**
 * Remembers a pairing of a user id with a number, then applies the signals that waited for it.
 *
 * 1. The number is the one a profile holds among those the WhatsApp id may stand for.
 * 2. A pairing older than the stored one changes nothing: the user has moved on since, and the later
 *    pairing applied what waited.
 * 3. Every signal kept for the user id is applied to the number as the event it would have been, in
 *    this number's turn on the queue, and then leaves the list. Applying is idempotent by event id, so
 *    a crash between the two steps only repeats a no-op.
 * 4. What each applied signal came to is returned, for the processor to count and announce as it does
 *    any event's.
 */
export async function learnPairing(
  event: PairingEvent,
  deps: ApplyDependencies & { directory: UserDirectory },
): Promise<{ remembered: boolean; applied: { event: AutomaticConsentEvent; result: ApplyResult }[] }> {
  const candidates = [event.phone, ...event.alternatives];
  const phone = candidates.length > 1 ? ((await chooseRecipient(candidates, (candidate) => deps.profiles.isHeld(candidate))) ?? event.phone) : event.phone;
  const pairing = pairingOf(event, phone);
  if (!(await deps.directory.remember(pairing))) return { remembered: false, applied: [] };
  const waiting = await deps.directory.unresolvedOf(event.userId);
  const applied = [];
  for (const signal of waiting) {
    const resolved = resolvedEvent(signal.event, pairing);
    applied.push({ event: resolved, result: await applyConsentEvent(resolved, deps) });
    await deps.directory.settle(event.userId, signal.event.eventId);
  }
  return { remembered: true, applied };
}
