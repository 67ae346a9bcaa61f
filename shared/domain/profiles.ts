import type { E164 } from './phone.js';
import type { Caller } from './caller.js';
import type { ConsentSource, ConsentState, MarketingOptOutSource } from './consent-state.js';
import type { ConsentAction, ProviderActor } from './consent-event.js';
import type { ConsentRequest, Profile } from './records.js';
import type { ChangeActors, Clock, ConsentStateStore, ProfileStore, RequestStore } from './ports.js';
import { NotFoundError, ServiceUnavailableError } from './errors.js';
import { providerActor, senderIdIn, senderOfChange } from './provider-sender.js';

/** Two admins changing one profile at the same moment is rare; a few tries settle it. */
const MAX_REPLACE_ATTEMPTS = 5;

/**
 * Replaces the WhatsApp numbers of a profile (creating the profile if it is new). Consent stays with the
 * numbers, so a number removed and added again keeps its state.
 *
 * 1. Read the profile as it is, to know which numbers leave it and which join it.
 * 2. Write the profile with the index of numbers to profiles (which the webhook's recipient matching
 *    reads), on condition that nobody changed the numbers since step 1; otherwise start again.
 */
export async function replaceProfile(
  caller: Caller,
  input: { profileId: string; whatsappNumbers: E164[] },
  deps: { profiles: ProfileStore; clock: Clock },
): Promise<Profile> {
  for (let attempt = 1; attempt <= MAX_REPLACE_ATTEMPTS; attempt++) {
    const previous = await deps.profiles.get(input.profileId);
    const profile: Profile = {
      profileId: input.profileId,
      whatsappNumbers: [...new Set(input.whatsappNumbers)],
      updatedAt: deps.clock.now().toISOString(),
      updatedBy: caller.username,
    };
    if ((await deps.profiles.replace(profile, previous)) === 'replaced') return profile;
  }
  throw new ServiceUnavailableError(`Profile ${input.profileId} kept changing while it was replaced; retry.`);
}

/**
 * Deletes a profile and its list of numbers. The numbers' consent stays (it belongs to them), requests
 * accepted on the profile's page still end (the processor needs no profile), and the audit keeps the
 * profile's history under its id.
 *
 * 1. Read the profile (404 when unknown).
 * 2. Delete it with its index items, on condition that nobody changed its numbers since step 1;
 *    otherwise start again.
 */
export async function deleteProfile(profileId: string, deps: { profiles: ProfileStore }): Promise<void> {
  for (let attempt = 1; attempt <= MAX_REPLACE_ATTEMPTS; attempt++) {
    const previous = await deps.profiles.get(profileId);
    if (!previous) throw new NotFoundError(`Profile ${profileId} does not exist.`);
    if ((await deps.profiles.remove(previous)) === 'removed') return;
  }
  throw new ServiceUnavailableError(`Profile ${profileId} kept changing while it was deleted; retry.`);
}

export interface NumberView {
  phone: E164;
  blocked: boolean;
  source: ConsentSource | null;
  reason: string | null;
  reasonCode: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
  /**
   * When the provider made the latest block or unblock (`updatedBy` `whatsapp:{phoneNumberId}`): that
   * sender, with the number it displays as when its audit entry names one; `null` otherwise.
   */
  updatedBySender: ProviderActor | null;
  /** The recipient's marketing opt-out: read-only here, only the recipient ends it. */
  marketingOptOut: { since: string; source: MarketingOptOutSource } | null;
  pending: { requestId: string; action: ConsentAction; requestedAt: string }[];
}

/**
 * The profile page: every WhatsApp number of the profile with its consent state and the requests on it
 * that are still pending.
 *
 * 1. Read the profile (404 when unknown).
 * 2. Read the states of all its numbers at once, and each number's pending requests.
 */
export async function viewProfileConsent(
  profileId: string,
  deps: { profiles: ProfileStore; states: ConsentStateStore; requests: RequestStore; changes: ChangeActors },
): Promise<{ profileId: string; numbers: NumberView[] }> {
  const profile = await deps.profiles.get(profileId);
  if (!profile) throw new NotFoundError(`Profile ${profileId} does not exist.`);
  const [states, pendingByNumber] = await Promise.all([
    deps.states.getMany(profile.whatsappNumbers),
    Promise.all(profile.whatsappNumbers.map((phone) => deps.requests.listPending(phone))),
  ]);
  const senders = await Promise.all(profile.whatsappNumbers.map((phone) => senderOf(phone, states.get(phone), deps.changes)));
  const numbers = profile.whatsappNumbers.map((phone, index) => numberView(phone, states.get(phone), pendingByNumber[index] ?? [], senders[index] ?? null));
  return { profileId, numbers };
}

/**
 * One number's consent wherever it is held: its state and the requests on it that are still pending.
 * A number never seen is unblocked, with nothing pending.
 */
export async function viewNumberConsent(
  phone: E164,
  deps: { states: ConsentStateStore; requests: RequestStore; changes: ChangeActors },
): Promise<NumberView> {
  const [states, pending] = await Promise.all([deps.states.getMany([phone]), deps.requests.listPending(phone)]);
  return numberView(phone, states.get(phone), pending, await senderOf(phone, states.get(phone), deps.changes));
}

/**
 * The provider's sender that made the state's latest change, if the provider made it. A state written
 * since it keeps the number the sender displays as has it; for an older one, the change's audit entry has it.
 */
async function senderOf(phone: E164, state: ConsentState | undefined, changes: ChangeActors): Promise<ProviderActor | null> {
  const phoneNumberId = senderIdIn(state?.updatedBy);
  if (phoneNumberId === undefined || state?.updatedAt === undefined) return null;
  if (state.senderDisplayPhoneNumber) return senderOfChange(state);
  const actor = await changes.actorAppliedAt(phone, state.updatedAt);
  return providerActor(phoneNumberId, actor?.type === 'provider' && actor.phoneNumberId === phoneNumberId ? actor.displayPhoneNumber : undefined);
}

function numberView(phone: E164, state: ConsentState | undefined, pending: readonly ConsentRequest[], sender: ProviderActor | null): NumberView {
  return {
    phone,
    blocked: state?.blocked ?? false,
    source: state?.source ?? null,
    reason: state?.reason ?? null,
    reasonCode: state?.reasonCode ?? null,
    updatedAt: state?.updatedAt ?? null,
    updatedBy: state?.updatedBy ?? null,
    updatedBySender: sender,
    marketingOptOut: state?.marketingOptOut ? { since: state.marketingOptOut.since, source: state.marketingOptOut.source } : null,
    pending: pending.map(({ requestId, action, requestedAt }) => ({ requestId, action, requestedAt })),
  };
}
