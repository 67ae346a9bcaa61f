import type { AutomaticConsentEvent } from './consent-event.js';
import type { Caller } from './caller.js';
import { eventIdFrom } from './event-id.js';
import type { E164 } from './phone.js';
import type { Clock, EventPublisher, HeldBlockStore } from './ports.js';
import type { AuditEntry, HeldBlock } from './records.js';

/** What an editor says when releasing or discarding held blocks. */
export interface HeldBlocksDecision {
  phones: readonly E164[];
  reason: string;
}

/**
 * Releases the blocks held for the given numbers: each becomes the automatic block it was, enqueued with
 * the editor and reason, and the processor applies it past the guard and takes it off the list.
 *
 * The released event's id is derived from the held one's, so releasing twice (a retry, two editors)
 * enqueues one event. The held entry stays listed until the processor has applied the release; if
 * enqueueing fails, the call fails and the entry is still there to release again. Numbers with nothing
 * held are left out of the answer.
 */
export async function releaseHeldBlocks(
  caller: Caller,
  decision: HeldBlocksDecision,
  deps: { held: Pick<HeldBlockStore, 'ofPhone'>; publisher: Pick<EventPublisher, 'publishAll'>; clock: Clock },
): Promise<{ released: E164[] }> {
  const heldByPhone = await heldOf(decision.phones, deps.held);
  const releasedAt = deps.clock.now().toISOString();
  const events = [...heldByPhone.values()].flat().map((held): AutomaticConsentEvent => ({
    ...held.event,
    eventId: eventIdFrom('release', held.eventId),
    phone: held.phone,
    alternatives: [],
    release: { heldEventId: held.eventId, actor: { type: 'user', sub: caller.sub, username: caller.username }, reason: decision.reason, releasedAt },
  }));
  if (events.length > 0) await deps.publisher.publishAll(events);
  return { released: [...heldByPhone.keys()] };
}

/**
 * Discards the blocks held for the given numbers: each leaves the list, and the number's history records
 * who discarded it and why. The number stays as it is (sendable, unless something else blocked it).
 */
export async function discardHeldBlocks(
  caller: Caller,
  decision: HeldBlocksDecision,
  deps: { held: Pick<HeldBlockStore, 'ofPhone' | 'discard'>; clock: Clock },
): Promise<{ discarded: E164[] }> {
  const heldByPhone = await heldOf(decision.phones, deps.held);
  const discarded: E164[] = [];
  for (const [phone, blocks] of heldByPhone) {
    const results = await Promise.all(blocks.map((held) => deps.held.discard(held, discardEntry(held, caller, decision.reason, deps.clock))));
    if (results.some(Boolean)) discarded.push(phone);
  }
  return { discarded };
}

/** The held blocks of each number that has any, in the order the numbers were given. */
async function heldOf(phones: readonly E164[], held: Pick<HeldBlockStore, 'ofPhone'>): Promise<Map<E164, HeldBlock[]>> {
  const unique = [...new Set(phones)];
  const found = await Promise.all(unique.map((phone) => held.ofPhone(phone)));
  return new Map(unique.flatMap((phone, index) => (found[index]!.length > 0 ? [[phone, found[index]!] as const] : [])));
}

/** The discard is dated when the editor made it, so that it shows at its place in the history. */
function discardEntry(held: HeldBlock, caller: Caller, reason: string, clock: Clock): AuditEntry {
  const event = held.event;
  const now = clock.now().toISOString();
  return {
    eventId: eventIdFrom('discard', held.eventId),
    requestId: undefined,
    action: event.action,
    phone: held.phone,
    profileId: event.profileId,
    source: 'automatic',
    reason,
    reasonCode: event.reasonCode,
    actor: { type: 'user', sub: caller.sub, username: caller.username },
    providerMessageId: event.providerMessageId,
    recipientId: event.recipientId,
    requestedAt: now,
    appliedAt: now,
    outcome: 'discarded',
  };
}
