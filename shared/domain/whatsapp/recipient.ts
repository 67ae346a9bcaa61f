import { normalisePhone, type E164 } from '../phone.js';

/**
 * A country whose WhatsApp ids do not always spell the E.164 number: some ids stand for another
 * number than their digits say, or for either of two.
 */
export interface CountryRule {
  /** The country calling code, digits without `+`: `55`. */
  readonly callingCode: string;
  /**
   * The other national number that an id's national digits (those after the calling code) may stand
   * for, when they have the form this rule is about; `undefined` when they stand only for themselves.
   */
  readonly otherNumber: (nationalDigits: string) => string | undefined;
  /** Which comes first when both the other number and the id as written are valid numbers. */
  readonly mostLikely: 'other number' | 'as written';
}

/** The country quirks of WhatsApp ids, one rule per country; an id of any other country is its number. */
export const COUNTRY_RULES: readonly CountryRule[] = [
  {
    // Brazil added a ninth digit to mobile numbers (2012 to 2016), but WhatsApp kept the ids of accounts
    // registered before: `554192146473` is the account of `+55 41 99214-6473`. So two area digits and
    // eight subscriber digits starting with 6 to 9 (the old mobile form) stand for the number with a `9`
    // after the area code. A few old eight-digit numbers are still in service (`+55 11 7214-6473`), so
    // the id as written is a candidate too when it is valid; only the stored profiles can tell them apart.
    callingCode: '55',
    otherNumber: (national) => {
      const oldMobile = /^(\d{2})([6-9]\d{7})$/.exec(national);
      return oldMobile ? `${oldMobile[1]}9${oldMobile[2]}` : undefined;
    },
    mostLikely: 'other number',
  },
  {
    // Mexico dropped the `1` that mobile numbers took after the country code (2019), but WhatsApp ids
    // of Mexican mobiles often keep it: `5215512345678` is the account of `+52 55 1234 5678`. A `1` and
    // ten digits stand for the ten digits, and the id as written too where it is valid (`+52 1 …` is no
    // valid number today, so it drops out). An id without the `1` stands for itself.
    callingCode: '52',
    otherNumber: (national) => /^1(\d{10})$/.exec(national)?.[1],
    mostLikely: 'other number',
  },
];

/**
 * The stored numbers that a WhatsApp id (`recipient_id`, `wa_id`: digits without `+`) may stand for,
 * most likely first; empty when it is no valid number at all. The id's country rule, if it has one
 * ({@link COUNTRY_RULES}), says which other number it may stand for and which of the two comes first;
 * each is a candidate only if it is a valid number. Which one a failure is about is decided later, by
 * the stored profiles (see {@link chooseRecipient}).
 */
export function recipientCandidates(waId: string, rules: readonly CountryRule[] = COUNTRY_RULES): E164[] {
  if (!/^\d{6,15}$/.test(waId)) return [];
  // Calling codes are a prefix code: no code begins with another, so at most one rule matches.
  const rule = rules.find((candidate) => waId.startsWith(candidate.callingCode));
  const other = rule && rule.otherNumber(waId.slice(rule.callingCode.length));
  const forms = rule === undefined || other === undefined ? [waId] : [`${rule.callingCode}${other}`, waId];
  if (rule?.mostLikely === 'as written') forms.reverse();
  const candidates: E164[] = [];
  for (const form of forms) {
    const parsed = normalisePhone(`+${form}`);
    if (parsed.ok && !candidates.includes(parsed.phone)) candidates.push(parsed.phone);
  }
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
