import * as z from 'zod/mini';
import type { ConsentSource } from './consent-state.js';
import { onFirstUse } from './on-first-use.js';
import { normalisePhone, type E164 } from './phone.js';

/** The most numbers one check may carry. */
export const MAX_CHECK_NUMBERS = 10_000;

/**
 * A check's input, over HTTP or by direct invocation: numbers in any format, duplicates allowed. Only the
 * list itself is checked here; an entry that is no number (too long, not even a string) does not refuse
 * the check, it comes back in `invalid`. Built on first use, as the API's schemas are.
 */
export const checkRequestSchema = onFirstUse(() =>
  z.strictObject({
    phones: z.array(z.unknown()).check(z.minLength(1), z.maxLength(MAX_CHECK_NUMBERS)),
    category: z._default(z.enum(['marketing', 'utility', 'authentication']), 'marketing'),
  }),
);

/** The kind of message a campaign is about to send (Meta's template categories). */
export type MessageCategory = z.infer<ReturnType<typeof checkRequestSchema>>['category'];

/** What the check needs to know of a number that is blocked, or opted out of marketing, or both. */
export interface RestrictedState {
  block: { source: ConsentSource; reasonCode: string | undefined } | undefined;
  /** When the recipient's marketing opt-out began. */
  optedOutSince: string | undefined;
}

/**
 * Reads which numbers are blocked or opted out. It pulls the numbers a chunk at a time, as it is ready
 * to read them, so that normalising the rest of a long list overlaps with the reads already in flight.
 */
export interface BlocklistReader {
  /** Reads every chunk `nextChunk` hands out, until it hands out an empty one; absent numbers are free. */
  restrictedAmong(nextChunk: (size: number) => E164[]): Promise<Map<E164, RestrictedState>>;
}

/** `Input` is what the caller passed: strings from typed callers, any JSON value over HTTP. */
export interface CheckResult<Input = string> {
  blocked: { phone: E164; source: ConsentSource; reasonCode: string | null }[];
  /** Numbers whose recipients stopped marketing messages; listed for the `marketing` category only. */
  optedOut: { phone: E164; since: string }[];
  sendable: E164[];
  /** The inputs that are no valid international number (or not even strings), as given. */
  invalid: Input[];
}

/**
 * The distinct numbers among the inputs, normalised to E.164 on demand, and the distinct inputs that
 * are not numbers at all. `+420 777 123 456` and `00420777123456` are one number, handed out once.
 */
export class DistinctNumbers<Input = string> {
  readonly phones: E164[] = [];
  readonly invalid: Input[] = [];
  private readonly seen = new Set<E164>();
  /** Invalid strings, numbers, booleans and null, as they are. */
  private readonly seenInvalid = new Set<unknown>();
  /** Invalid arrays and objects, by their JSON text: two equal ones are one input. */
  private readonly seenInvalidJson = new Set<unknown>();
  private position = 0;

  constructor(private readonly inputs: readonly Input[]) {}

  /** Up to `size` numbers not handed out before; empty once the inputs are used up. */
  next(size: number): E164[] {
    const chunk: E164[] = [];
    while (chunk.length < size && this.position < this.inputs.length) {
      const input = this.inputs[this.position++] as Input;
      const result = typeof input === 'string' ? normalisePhone(input) : undefined;
      if (!result?.ok) this.addInvalid(input);
      else if (!this.seen.has(result.phone)) {
        this.seen.add(result.phone);
        this.phones.push(result.phone);
        chunk.push(result.phone);
      }
    }
    return chunk;
  }

  private addInvalid(input: Input): void {
    const [seen, key] = typeof input === 'object' && input !== null ? [this.seenInvalidJson, JSON.stringify(input)] : [this.seenInvalid, input];
    if (seen.has(key)) return;
    seen.add(key);
    this.invalid.push(input);
  }
}

/**
 * Which numbers a campaign may send messages of a category to.
 *
 * 1. Normalise and de-duplicate the inputs, a chunk at a time as the reader asks for them; inputs that
 *    are no number (or no string: a number, `null`, an object) are reported back as `invalid`.
 * 2. The reader finds the blocked and opted-out ones among them.
 * 3. Every number is `blocked` (with where the block came from), else `optedOut` when the category is
 *    `marketing` and its recipient stopped marketing messages, else `sendable`; in input order. A block
 *    always wins: an opt-out is the recipient's own choice about marketing only.
 */
export async function checkBlocklist<Input>(
  inputs: readonly Input[],
  reader: BlocklistReader,
  category: MessageCategory = 'marketing',
): Promise<CheckResult<Input>> {
  const numbers = new DistinctNumbers(inputs);
  const restricted = await reader.restrictedAmong((size) => numbers.next(size));
  // A number the reader never asked for was never read: calling it sendable would be a guess.
  if (numbers.next(1).length > 0) throw new Error('The blocklist reader stopped before it had read every number');
  const result: CheckResult<Input> = { blocked: [], optedOut: [], sendable: [], invalid: numbers.invalid };
  for (const phone of numbers.phones) {
    const state = restricted.get(phone);
    if (state?.block) result.blocked.push({ phone, source: state.block.source, reasonCode: state.block.reasonCode ?? null });
    else if (category === 'marketing' && state?.optedOutSince) result.optedOut.push({ phone, since: state.optedOutSince });
    else result.sendable.push(phone);
  }
  return result;
}
