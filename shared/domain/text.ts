import * as z from 'zod/mini';

/** The longest reason (Unicode code points, after NFC normalisation and trimming) a decision may carry. */
export const REASON_MAX_LENGTH = 500;

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
 * be encoded as UTF-8, and DynamoDB would refuse it with a server error instead of a 400. Built with
 * `zod/mini`, as every schema a function runs is: classic zod costs a cold start several times as much.
 */
export function humanText(maxCodePoints: number) {
  return z
    .pipe(
      z.string().check(z.refine((value) => value.isWellFormed(), 'must be well-formed Unicode (no lone surrogates)')),
      z.transform((value: string) => value.normalize('NFC').trim()),
    )
    .check(
      z.refine((value) => value.length > 0, 'must not be empty or only white space'),
      z.refine((value) => [...value].length <= maxCodePoints, `must be at most ${maxCodePoints} characters`),
    );
}
