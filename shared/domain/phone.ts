import { parsePhoneNumberFromString, type MetadataJson } from 'libphonenumber-js/core';
import * as z from 'zod/mini';
import type { E164 } from './e164.js';
import { onFirstUse } from './on-first-use.js';

export type { E164 } from './e164.js';

export type PhoneParseResult =
  | { ok: true; phone: E164 }
  | { ok: false; reason: string };

/** The longest input {@link normalisePhone} reads, in UTF-16 code units, before it trims and parses. */
export const PHONE_INPUT_MAX_LENGTH = 64;

/**
 * Where a bundle finds the metadata: `cdk deploy` copies it beside the bundle (`FILES_BESIDE_BUNDLE` in
 * `infra/constructs/consent-function.ts`) and writes its name in here; unset when run from source.
 */
declare const PHONE_METADATA_FILE: string | undefined;

let metadata: MetadataJson | undefined;

/**
 * libphonenumber-js's full metadata (what `libphonenumber-js/max` binds), read when a number is first
 * read rather than held in the code: as code it is a quarter of a bundle, which a cold start parses and
 * evaluates whole; as a file, the first number costs one read and one `JSON.parse`. From source (tests,
 * the local stack), Node's `require` reads the package's JSON file.
 */
function fullMetadata(): MetadataJson {
  metadata ??= (
    typeof PHONE_METADATA_FILE === 'string'
      ? JSON.parse(process.getBuiltinModule('node:fs').readFileSync(new URL(PHONE_METADATA_FILE, import.meta.url), 'utf8'))
      : process.getBuiltinModule('node:module').createRequire(import.meta.url)('libphonenumber-js/metadata.max.json')
  ) as MetadataJson;
  return metadata;
}

/**
 * Parses a number written in any international form into E.164.
 *
 * Accepts `+420 777 123 456`, `00420777123456`, `+420777123456` and the bare digits `420777123456`
 * (the API's path form without `+`). A number without a country code, with an extension, or that the
 * full metadata of libphonenumber-js does not consider valid is refused: a consent record for a number
 * that cannot exist would never match a real recipient.
 */
export function normalisePhone(input: string): PhoneParseResult {
  if (input.length === 0 || input.length > PHONE_INPUT_MAX_LENGTH) {
    return { ok: false, reason: `must be an international phone number of at most ${PHONE_INPUT_MAX_LENGTH} characters` };
  }
  // `extract: false`: the whole input must be the number; `call me at +420…` or `+420…abc` is not one.
  const parsed = parsePhoneNumberFromString(withInternationalPrefix(input.trim()), { extract: false }, fullMetadata());
  if (!parsed || !parsed.isValid()) {
    return { ok: false, reason: 'is not a valid international phone number' };
  }
  if (parsed.ext) {
    return { ok: false, reason: 'must not carry an extension' };
  }
  return { ok: true, phone: parsed.number as E164 };
}

/**
 * A phone number that is already E.164 (events, stored items, queued messages); parsing it again keeps it
 * as it is. Built on first use, with `zod/mini`.
 */
export const e164Schema = onFirstUse(() =>
  z.pipe(
    z.string(),
    z.transform((value: string, ctx): E164 => {
      const result = normalisePhone(value);
      if (!result.ok || result.phone !== value) {
        ctx.issues.push({ code: 'custom', message: 'must be an E.164 phone number', input: value });
        return z.NEVER;
      }
      return result.phone;
    }),
  ),
);

/** `00` is the ITU international call prefix, and the API lets clients omit `+` in paths. */
function withInternationalPrefix(input: string): string {
  if (input.startsWith('00')) return `+${input.slice(2)}`;
  if (/^\d/.test(input)) return `+${input}`;
  return input;
}
