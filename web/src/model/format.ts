import { parsePhoneNumberFromString } from 'libphonenumber-js/min';

/** `+420777123456` as people read it, `+420 777 123 456`; the input itself when it is not a number. */
export function readablePhone(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}

/**
 * What someone typed into "Open a number", as E.164, or `undefined` when it is not an international
 * number. The API is the judge of validity; this only saves a round trip for obvious typos.
 */
export function phoneFromInput(input: string): string | undefined {
  const trimmed = input.trim();
  const international = trimmed.startsWith('00') ? `+${trimmed.slice(2)}` : /^\d/.test(trimmed) ? `+${trimmed}` : trimmed;
  const parsed = parsePhoneNumberFromString(international, { extract: false });
  return parsed?.isPossible() ? parsed.number : undefined;
}

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });

/** A timestamp for people, in their time zone: `27 Nov 2026, 07:12:03`. */
export function readableTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}
