import type { Erasure, ErasureCounts } from '../api/types.js';
import { phoneFromInput, readablePhone } from './format.js';

/**
 * Why the number typed to confirm an erasure does not confirm it, in words; `undefined` when it is the
 * number to erase (in any international form: `+420 777 123 456`, `00420777123456`).
 */
export function confirmationProblem(typed: string, phone: string): string | undefined {
  if (typed.trim() === '') return `Type the number again to confirm: ${readablePhone(phone)}.`;
  if (phoneFromInput(typed) !== phone) return `That is not the number to erase. Type ${readablePhone(phone)} again to confirm.`;
  return undefined;
}

const KINDS: [keyof ErasureCounts, string, string][] = [
  ['historyEntries', 'history entry', 'history entries'],
  ['requests', 'block or unblock request', 'block or unblock requests'],
  ['profiles', 'profile the number left', 'profiles the number left'],
  ['pairings', 'WhatsApp user id pairing', 'WhatsApp user id pairings'],
  ['held', 'held automatic block', 'held automatic blocks'],
  ['unresolved', 'unresolved report', 'unresolved reports'],
  ['importRows', 'row of a blocklist import', 'rows of blocklist imports'],
];

/** What an erasure deleted, one line per kind, in words: `3 history entries`; every kind, none too. */
export function deletedLines(deleted: ErasureCounts): string[] {
  return KINDS.map(([key, one, many]) => `${deleted[key]} ${deleted[key] === 1 ? one : many}`);
}

/** Whether the objection stayed, in words. */
export function suppressionWords(erasure: Pick<Erasure, 'suppressionKept'>): string {
  return erasure.suppressionKept
    ? 'A suppression record stayed: the number was blocked or opted out of marketing, and stays so, with no reason, person or profile. Campaigns keep skipping it.'
    : 'Nothing stayed: the number could receive messages, so no suppression record was kept.';
}
