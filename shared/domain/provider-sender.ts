import type { ProviderActor } from './consent-event-shapes.js';

/** How a state's `updatedBy` names the provider's sender that made the change. */
const PROVIDER_CHANGE = /^whatsapp:(.+)$/;

/** The `phone_number_id` of the provider's sender that `updatedBy` names, if the provider made the change. */
export function senderIdIn(updatedBy: string | undefined): string | undefined {
  return PROVIDER_CHANGE.exec(updatedBy ?? '')?.[1];
}

/** The provider's sender, named by its id and, when known, the number it displays as. */
export function providerActor(phoneNumberId: string, displayPhoneNumber: string | undefined): ProviderActor {
  return { type: 'provider', provider: 'whatsapp', phoneNumberId, ...(displayPhoneNumber ? { displayPhoneNumber } : {}) };
}

/** The provider's sender that a state's change names, or `null` when a person or the recipient made it. */
export function senderOfChange(state: { updatedBy?: string | undefined; senderDisplayPhoneNumber?: string | undefined }): ProviderActor | null {
  const phoneNumberId = senderIdIn(state.updatedBy);
  return phoneNumberId === undefined ? null : providerActor(phoneNumberId, state.senderDisplayPhoneNumber);
}
