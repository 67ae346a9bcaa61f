import * as z from 'zod';
import { DEFAULT_OPT_IN_KEYWORDS, DEFAULT_OPT_OUT_KEYWORDS, keywordListSchema } from './domain/whatsapp/keywords.js';
import { autoBlockCodesSchema } from './domain/whatsapp/provider-errors.js';

/**
 * Every setting a function reads from its environment, with its variable name. The CDK stack and the
 * local stack set these same names, so the three cannot disagree.
 */
const settings = {
  consentTableName: { env: 'CONSENT_TABLE_NAME', schema: z.string().min(1) },
  auditTableName: { env: 'AUDIT_TABLE_NAME', schema: z.string().min(1) },
  consentQueueUrl: { env: 'CONSENT_QUEUE_URL', schema: z.url() },
  /** The FIFO dead-letter queue of consent events, which the request sweeper inspects. */
  deadLetterQueueUrl: { env: 'DEAD_LETTER_QUEUE_URL', schema: z.url() },
  /** How long a request may stay `pending` before the sweeper enqueues its event again. */
  pendingResendAfterSeconds: { env: 'PENDING_RESEND_AFTER_SECONDS', schema: z.coerce.number().int().min(0).max(3600).default(120) },
  /** The queue's `maxReceiveCount`: on that delivery, a failing event is about to go to the DLQ. */
  maxReceiveCount: { env: 'MAX_RECEIVE_COUNT', schema: z.coerce.number().int().min(1) },
  /** In AWS: the Secrets Manager secret (name or ARN) holding the webhook's `appSecret` and `verifyToken`. */
  whatsappSecretId: { env: 'WHATSAPP_SECRET_ID', schema: z.string().min(1).optional() },
  /** Locally, where there is no Secrets Manager: Meta's app secret, which signs the callbacks. */
  whatsappAppSecret: { env: 'WHATSAPP_APP_SECRET', schema: z.string().min(1).optional() },
  /** Locally: the token Meta echoes in the subscription handshake. */
  whatsappVerifyToken: { env: 'WHATSAPP_VERIFY_TOKEN', schema: z.string().min(1).optional() },
  /** In AWS: the Secrets Manager secret (name or ARN) holding the key of the erasure log's hashes of numbers. */
  erasureLogSecretId: { env: 'ERASURE_LOG_SECRET_ID', schema: z.string().min(1).optional() },
  /** Locally, where there is no Secrets Manager: that key itself. */
  erasureLogKey: { env: 'ERASURE_LOG_KEY', schema: z.string().min(1).optional() },
  /** Error codes that block a number automatically, replacing the default table's (`provider-errors.ts`). */
  autoBlockCodes: { env: 'AUTO_BLOCK_CODES', schema: autoBlockCodesSchema },
  /** Words that, sent alone by a recipient, block their number (`keywords.ts`). */
  optOutKeywords: { env: 'OPT_OUT_KEYWORDS', schema: keywordListSchema(DEFAULT_OPT_OUT_KEYWORDS) },
  /** Words that lift a block the recipient made by keyword. */
  optInKeywords: { env: 'OPT_IN_KEYWORDS', schema: keywordListSchema(DEFAULT_OPT_IN_KEYWORDS) },
  /** In AWS: the EventBridge bus that applied changes are published on. */
  changeEventsBusName: { env: 'CHANGE_EVENTS_BUS_NAME', schema: z.string().min(1).optional() },
  /** Locally, where there is no EventBridge: the FIFO queue that applied changes are published on. */
  changeEventsQueueUrl: { env: 'CHANGE_EVENTS_QUEUE_URL', schema: z.url().optional() },
  /** Automatic blocks one sender may apply in a window before the rest are held; `0` turns the guard off. */
  autoBlockGuardLimit: { env: 'AUTO_BLOCK_GUARD_LIMIT', schema: z.coerce.number().int().min(0).max(1_000_000).default(500) },
  /** The auto-block guard's sliding window. */
  autoBlockGuardWindowSeconds: { env: 'AUTO_BLOCK_GUARD_WINDOW_SECONDS', schema: z.coerce.number().int().min(10).max(86_400).default(600) },
} as const;

type Settings = typeof settings;
export type SettingName = keyof Settings;
export type Config<K extends SettingName> = { [P in K]: z.output<Settings[P]['schema']> };

/** Environment variable names, for the stacks that set them. */
export const ENV = Object.fromEntries(
  Object.entries(settings).map(([name, setting]) => [name, setting.env]),
) as { [P in SettingName]: Settings[P]['env'] };

/**
 * Reads and validates the named settings once, when a function starts: a missing or malformed value
 * stops the cold start with a message naming the variable, instead of failing on first use.
 */
export function readConfig<K extends SettingName>(
  names: readonly K[],
  env: Record<string, string | undefined> = process.env,
): Config<K> {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const name of names) {
    const setting = settings[name];
    const parsed = setting.schema.safeParse(env[setting.env]);
    if (parsed.success) config[name] = parsed.data;
    else problems.push(`${setting.env}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  if (problems.length > 0) throw new Error(`Invalid configuration: ${problems.join(', ')}`);
  return config as Config<K>;
}
