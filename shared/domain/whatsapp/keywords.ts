import * as z from 'zod/mini';

/** Meta's and carriers' customary opt-out words, and the words that undo them. */
export const DEFAULT_OPT_OUT_KEYWORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'] as const;
export const DEFAULT_OPT_IN_KEYWORDS = ['START', 'UNSTOP'] as const;

/**
 * A keyword list setting (`OPT_OUT_KEYWORDS`, `OPT_IN_KEYWORDS`): comma-separated words, compared after
 * trimming and case folding; unset or empty keeps the default.
 */
export function keywordListSchema(defaults: readonly string[]) {
  return z.pipe(
    z.optional(z.string()),
    z.transform((value: string | undefined, ctx): ReadonlySet<string> => {
      const words = (value ?? '').split(',').map(fold).filter((word) => word !== '');
      if (words.some((word) => word.length > 64)) {
        ctx.issues.push({ code: 'custom', message: 'must be comma-separated words of at most 64 characters', input: value });
        return z.NEVER;
      }
      return new Set(words.length > 0 ? words : defaults.map(fold));
    }),
  );
}

/** What a message says, as a keyword: trimmed, Unicode-normalised and case-folded. */
export function fold(text: string): string {
  return text.normalize('NFKC').trim().toLocaleUpperCase('en-US');
}

export type Keyword = 'opt-out' | 'opt-in';

/** Whether a whole message is one of the keywords (`" Stop "` is; `"please stop"` is not). */
export function keywordOf(text: string, keywords: { optOut: ReadonlySet<string>; optIn: ReadonlySet<string> }): Keyword | undefined {
  const word = fold(text);
  if (keywords.optOut.has(word)) return 'opt-out';
  if (keywords.optIn.has(word)) return 'opt-in';
  return undefined;
}
