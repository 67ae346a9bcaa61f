import type { ConsentState } from '../domain/consent-state.js';
import type { PersonalData } from '../domain/personal-data/number-records.js';
import type { AuditEntry, ConsentRequest, HeldBlock } from '../domain/records.js';

/**
 * Records as the API answers with them: every key present, `null` where the record has nothing (no
 * profile, no code), as the contract's schemas (`contract/responses.ts`) describe them.
 */

/** An audit entry (`HistoryEntry`). */
export function historyEntryView(entry: AuditEntry) {
  return {
    ...entry,
    requestId: entry.requestId ?? null,
    profileId: entry.profileId ?? null,
    reasonCode: entry.reasonCode ?? null,
    providerMessageId: entry.providerMessageId ?? null,
    recipientId: entry.recipientId ?? null,
    importId: entry.importId ?? null,
  };
}

/** A request as stored (`StoredRequest`). */
function storedRequestView(request: ConsentRequest) {
  return { ...request, profileId: request.profileId ?? null, importId: request.importId ?? null, appliedAt: request.appliedAt ?? null };
}

function stateView(state: ConsentState) {
  return {
    ...state,
    source: state.source ?? null,
    reason: state.reason ?? null,
    reasonCode: state.reasonCode ?? null,
    profileId: state.profileId ?? null,
    updatedAt: state.updatedAt ?? null,
    updatedBy: state.updatedBy ?? null,
    senderDisplayPhoneNumber: state.senderDisplayPhoneNumber ?? null,
    marketingOptOut: state.marketingOptOut ?? null,
  };
}

function heldView(held: HeldBlock) {
  return { ...held, reasonCode: held.reasonCode ?? null };
}

/** Everything stored about a number (`PersonalData`). */
export function personalDataView(data: PersonalData) {
  return {
    ...data,
    state: data.state ? stateView(data.state) : null,
    history: data.history.map(historyEntryView),
    pending: data.pending.map(storedRequestView),
    requests: data.requests.map(storedRequestView),
    held: data.held.map(heldView),
  };
}
