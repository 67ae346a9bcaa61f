import { normalisePhone, type E164 } from './phone.js';

/**
 * The stored numbers that a WhatsApp id (`recipient_id`, `wa_id`: digits without `+`) may stand for,
 * most likely first; empty when it is no valid number at all.
 *
 * Brazil added a ninth digit to mobile numbers (2012 to 2016), but WhatsApp kept the ids of accounts
 * registered before: `554192146473` is the account of `+55 41 99214-6473`. So for a Brazilian id of two
 * area digits and eight subscriber digits starting with 6 to 9 (the old mobile form), the number with a
 * `9` inserted after the area code comes first. The id as written comes next when it is itself valid:
 * a few old eight-digit numbers are still in service (`+55 11 7214-6473`), and then only the stored
 * profiles can tell the two apart (see {@link chooseRecipient}).
 */
export function recipientCandidates(waId: string): E164[] {
  if (!/^\d{6,15}$/.test(waId)) return [];
  const candidates: E164[] = [];
  const withNinthDigit = /^55(\d{2})([6-9]\d{7})$/.exec(waId);
  if (withNinthDigit) {
    const modern = normalisePhone(`+55${withNinthDigit[1]}9${withNinthDigit[2]}`);
    if (modern.ok) candidates.push(modern.phone);
  }
  const asWritten = normalisePhone(`+${waId}`);
  if (asWritten.ok && !candidates.includes(asWritten.phone)) candidates.push(asWritten.phone);
  return candidates;
}

/**
 * Picks the number a provider event is about: the first candidate that a stored profile holds, or,
 * when no profile holds any (a number the campaigns got elsewhere), the most likely one.
 */
export async function chooseRecipient(
  candidates: readonly E164[],
  isHeldByAProfile: (phone: E164) => Promise<boolean>,
): Promise<E164 | undefined> {
  if (candidates.length <= 1) return candidates[0];
  const held = await Promise.all(candidates.map(isHeldByAProfile));
  return candidates[held.indexOf(true)] ?? candidates[0];
}
