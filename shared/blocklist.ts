/**
 * The blocklist check as a library, for campaign Lambdas that read the consent table directly:
 *
 * ```ts
 * import { blocklistChecker } from '…/shared/blocklist.js';
 * const checker = blocklistChecker({ tableName: process.env.CONSENT_TABLE_NAME! }); // once, at module scope
 * const { blocked, optedOut, sendable, invalid } = await checker.check(recipients, { category: 'marketing' });
 * ```
 *
 * The function's role needs `dynamodb:BatchGetItem` on the consent table. The HTTP route and the check
 * Lambda run this same code.
 */
import { checkBlocklist, MAX_CHECK_NUMBERS, type CheckResult, type MessageCategory } from './domain/blocklist-check.js';
import { DynamoBlocklistReader, UnprocessedKeysError, type BlocklistReaderOptions } from './adapters/blocklist-reader.js';

export type { CheckResult, BlocklistReaderOptions, MessageCategory };
export { MAX_CHECK_NUMBERS, UnprocessedKeysError };

export interface BlocklistChecker {
  /**
   * Numbers in any international format, duplicates allowed, for messages of a category (`marketing`
   * by default). Resolves to the blocked numbers (with the block's source and reason code), the numbers
   * opted out of marketing (for `marketing` only), the sendable ones (E.164, each once) and the inputs
   * that are no valid number, as given (an entry that is not a string at all among them). Rejects with
   * `UnprocessedKeysError` rather than answer from a partial read.
   */
  check<Input = string>(phones: readonly Input[], options?: { category?: MessageCategory }): Promise<CheckResult<Input>>;
}

export function blocklistChecker(options: { tableName: string } & BlocklistReaderOptions): BlocklistChecker {
  const reader = new DynamoBlocklistReader(options.tableName, options);
  return { check: (phones, options = {}) => checkBlocklist(phones, reader, options.category) };
}
