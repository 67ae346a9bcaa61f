import type { E164 } from '../e164.js';
import type { ConsentState } from '../consent-state.js';
import type { AuditEntry, ConsentRequest, HeldBlock } from '../records.js';
import type { UnresolvedSignal } from '../whatsapp/user-pairing.js';

/**
 * The steps of an erasure, in the order it takes them. Imports before requests, because a number's
 * requests name the imports that hold its rows; requests first of the rest, because deleting a request
 * is what makes the processor drop its event; unresolved signals before pairings, which name them; the
 * state before the history, so that a signal applied meanwhile is seen and erased with it.
 */
export const ERASURE_STEPS = ['imports', 'requests', 'unresolved', 'pairings', 'profiles', 'state', 'history', 'numberItems'] as const;
export type ErasureStep = (typeof ERASURE_STEPS)[number];

/** A user id that a signed callback showed with the number. */
export interface NumberPairing {
  userId: string;
  seenAt: string;
  /** Whether the user id's pairing still names this number (a later callback may have paired it with another). */
  current: boolean;
}

/** The rows of one blocklist import that name the number, by their lines in the file. */
export interface ImportRows {
  importId: string;
  lines: number[];
}

/**
 * Everything stored about one number besides its history, as read for its export and its erasure: the
 * items of its own partition, and those elsewhere that name it (found through its own).
 */
export interface NumberRecords {
  phone: E164;
  state: ConsentState | undefined;
  /** The profiles that hold the number. */
  profiles: string[];
  /** Every request of the number, whatever its status. */
  requests: ConsentRequest[];
  held: HeldBlock[];
  pairings: NumberPairing[];
  /** The signals kept under a user id that is paired with the number now. */
  unresolved: UnresolvedSignal[];
  imports: ImportRows[];
  /** The ids of the events applied to the number (markers that let the processor drop repeats). */
  appliedEvents: string[];
}

/** Where the export and the erasure read what is stored about a number. */
export interface NumberRecordsReader {
  /** Strongly consistent. */
  records(phone: E164): Promise<NumberRecords>;
  /** Every audit entry of the number, newest first, however many. */
  history(phone: E164): Promise<AuditEntry[]>;
}

/**
 * The answer to "what do you hold about this number?" (`GET /numbers/{phone}/personal-data`). Every
 * key is present; a number the service never saw has an empty document.
 */
export interface PersonalData {
  phone: E164;
  exportedAt: string;
  /** The consent state as stored: what is shown, and the registers it is computed from. */
  state: ConsentState | null;
  marketingOptOut: { since: string; source: string } | null;
  profiles: string[];
  history: AuditEntry[];
  /** The requests not applied yet. */
  pending: ConsentRequest[];
  /** Every request kept, whatever its status (a failed one has no history entry). */
  requests: ConsentRequest[];
  pairings: { userId: string; seenAt: string; current: boolean }[];
  held: HeldBlock[];
  unresolved: UnresolvedSignal[];
  imports: ImportRows[];
}

/**
 * Everything stored about a number, in one document.
 *
 * 1. Read the number's records and its whole history (side by side).
 * 2. Put them in the document; the pending requests are also listed apart, as the profile page shows
 *    them.
 */
export async function exportPersonalData(phone: E164, deps: { reader: NumberRecordsReader; clock: { now(): Date } }): Promise<PersonalData> {
  const [records, history] = await Promise.all([deps.reader.records(phone), deps.reader.history(phone)]);
  const optOut = records.state?.marketingOptOut;
  return {
    phone,
    exportedAt: deps.clock.now().toISOString(),
    state: records.state ?? null,
    marketingOptOut: optOut ? { since: optOut.since, source: optOut.source } : null,
    profiles: records.profiles,
    history,
    pending: records.requests.filter((request) => request.status === 'pending'),
    requests: records.requests,
    pairings: records.pairings,
    held: records.held,
    unresolved: records.unresolved,
    imports: records.imports,
  };
}

/** How many items of each kind an erasure deleted. */
export interface Deleted {
  historyEntries: number;
  profiles: number;
  pairings: number;
  requests: number;
  held: number;
  unresolved: number;
  /** Rows of blocklist imports that named the number. */
  importRows: number;
}

/** What an erasure answers, and what its log entry keeps besides who, when and why. */
export interface Erasure {
  phone: E164;
  deleted: Deleted;
  /** Whether a suppression record stayed (the number was blocked or opted out of marketing). */
  suppressionKept: boolean;
}
