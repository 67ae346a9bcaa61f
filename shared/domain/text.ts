import * as z from 'zod';

/** The text that UTF-8 bytes spell, or `undefined` when they are not UTF-8: never a silent U+FFFD in their place. */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Free text that people type (reasons). Any Unicode is welcome, but a lone surrogate is not text: it cannot
 * be encoded as UTF-8, and DynamoDB would refuse it with a server error instead of a 400.
 */
export function humanText(maxCodePoints: number) {
  return z
    .string()
    .refine((value) => value.isWellFormed(), 'must be well-formed Unicode (no lone surrogates)')
    .transform((value) => value.normalize('NFC').trim())
    .refine((value) => value.length > 0, 'must not be empty or only white space')
    .refine(
      (value) => [...value].length <= maxCodePoints,
      `must be at most ${maxCodePoints} characters`,
    );
}
