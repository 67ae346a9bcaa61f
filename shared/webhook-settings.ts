import { ENV, readSettings, type Setting } from './config.js';
import { DEFAULT_OPT_IN_KEYWORDS, DEFAULT_OPT_OUT_KEYWORDS, keywordListSchema } from './domain/whatsapp/keywords.js';
import { autoBlockCodesSchema } from './domain/whatsapp/provider-errors.js';

/** The settings only the webhook reads, with the schemas of its domain code. */
const webhookSettings = {
  autoBlockCodes: { env: ENV.autoBlockCodes, schema: autoBlockCodesSchema },
  optOutKeywords: { env: ENV.optOutKeywords, schema: () => keywordListSchema(DEFAULT_OPT_OUT_KEYWORDS) },
  optInKeywords: { env: ENV.optInKeywords, schema: () => keywordListSchema(DEFAULT_OPT_IN_KEYWORDS) },
} as const satisfies Record<string, Setting>;

/**
 * The webhook's settings (`AUTO_BLOCK_CODES`, `OPT_OUT_KEYWORDS`, `OPT_IN_KEYWORDS`), read and validated
 * like {@link readConfig}'s: a malformed value stops the cold start with a message naming the variable.
 */
export function readWebhookSettings(env: Record<string, string | undefined> = process.env) {
  return readSettings(webhookSettings, ['autoBlockCodes', 'optOutKeywords', 'optInKeywords'], env);
}
