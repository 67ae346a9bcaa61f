import * as z from 'zod/mini';
import { fieldMessage } from './http/field-messages.js';

/**
 * A setting: the environment variable it is read from, and its schema. The schema is built when the
 * setting is read, so that a function builds the few it reads rather than every one at its cold start;
 * with `zod/mini`, as every schema a function runs is (a stack test checks that no bundle holds classic zod).
 */
export interface Setting {
  readonly env: string;
  readonly schema: () => z.core.$ZodType;
}

/**
 * Every setting a function reads from its environment, with its variable name. The CDK stack and the
 * local stack set these same names, so the three cannot disagree.
 */
const settings = {
  consentTableName: { env: 'CONSENT_TABLE_NAME', schema: () => z.string().check(z.minLength(1)) },
  auditTableName: { env: 'AUDIT_TABLE_NAME', schema: () => z.string().check(z.minLength(1)) },
  consentQueueUrl: { env: 'CONSENT_QUEUE_URL', schema: () => z.url() },
  /** The FIFO dead-letter queue of consent events, which the request sweeper inspects. */
  deadLetterQueueUrl: { env: 'DEAD_LETTER_QUEUE_URL', schema: () => z.url() },
  /** How long a request may stay `pending` before the sweeper enqueues its event again. */
  pendingResendAfterSeconds: { env: 'PENDING_RESEND_AFTER_SECONDS', schema: () => z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(3600)), 120) },
  /** The queue's `maxReceiveCount`: on that delivery, a failing event is about to go to the DLQ. */
  maxReceiveCount: { env: 'MAX_RECEIVE_COUNT', schema: () => z.coerce.number().check(z.int(), z.minimum(1)) },
  /** In AWS: the Secrets Manager secret (name or ARN) holding the webhook's `appSecret` and `verifyToken`. */
  whatsappSecretId: { env: 'WHATSAPP_SECRET_ID', schema: () => z.optional(z.string().check(z.minLength(1))) },
  /** Locally, where there is no Secrets Manager: Meta's app secret, which signs the callbacks. */
  whatsappAppSecret: { env: 'WHATSAPP_APP_SECRET', schema: () => z.optional(z.string().check(z.minLength(1))) },
  /** Locally: the token Meta echoes in the subscription handshake. */
  whatsappVerifyToken: { env: 'WHATSAPP_VERIFY_TOKEN', schema: () => z.optional(z.string().check(z.minLength(1))) },
  /** In AWS: the Secrets Manager secret (name or ARN) holding the key of the erasure log's hashes of numbers. */
  erasureLogSecretId: { env: 'ERASURE_LOG_SECRET_ID', schema: () => z.optional(z.string().check(z.minLength(1))) },
  /** Locally, where there is no Secrets Manager: that key itself. */
  erasureLogKey: { env: 'ERASURE_LOG_KEY', schema: () => z.optional(z.string().check(z.minLength(1))) },
  /** In AWS: the EventBridge bus that applied changes are published on. */
  changeEventsBusName: { env: 'CHANGE_EVENTS_BUS_NAME', schema: () => z.optional(z.string().check(z.minLength(1))) },
  /** Locally, where there is no EventBridge: the FIFO queue that applied changes are published on. */
  changeEventsQueueUrl: { env: 'CHANGE_EVENTS_QUEUE_URL', schema: () => z.optional(z.url()) },
  /** Automatic blocks one sender may apply in a window before the rest are held; `0` turns the guard off. */
  autoBlockGuardLimit: { env: 'AUTO_BLOCK_GUARD_LIMIT', schema: () => z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(1_000_000)), 500) },
  /** The auto-block guard's sliding window. */
  autoBlockGuardWindowSeconds: { env: 'AUTO_BLOCK_GUARD_WINDOW_SECONDS', schema: () => z._default(z.coerce.number().check(z.int(), z.minimum(10), z.maximum(86_400)), 600) },
} as const satisfies Record<string, Setting>;

/**
 * The webhook's own settings, read with the schemas of its domain code by `readWebhookSettings`
 * (`shared/webhook-settings.ts`). Named here, so that the stacks set them by these names too, but not
 * imported: every other function would bundle, and load at its cold start, code it never runs.
 */
const WEBHOOK_ENV = {
  /** Error codes that block a number automatically, replacing the default table's (`provider-errors.ts`). */
  autoBlockCodes: 'AUTO_BLOCK_CODES',
  /** Words that, sent alone by a recipient, block their number (`keywords.ts`). */
  optOutKeywords: 'OPT_OUT_KEYWORDS',
  /** Words that lift a block the recipient made by keyword. */
  optInKeywords: 'OPT_IN_KEYWORDS',
} as const;

type Settings = typeof settings;
/** A setting any function reads with {@link readConfig}. */
export type ConfigName = keyof Settings;
/** Every setting, the webhook's own included. */
export type SettingName = ConfigName | keyof typeof WEBHOOK_ENV;
/** The values of the named settings of a table, as their schemas output them. */
export type SettingValues<T extends Record<string, Setting>, K extends keyof T> = { [P in K]: z.output<ReturnType<T[P]['schema']>> };
export type Config<K extends ConfigName> = SettingValues<Settings, K>;

/** Environment variable names, for the stacks that set them. */
export const ENV = {
  ...(Object.fromEntries(Object.entries(settings).map(([name, setting]) => [name, setting.env])) as { [P in ConfigName]: Settings[P]['env'] }),
  ...WEBHOOK_ENV,
};

/**
 * Reads and validates the named settings once, when a function starts: a missing or malformed value
 * stops the cold start with a message naming the variable, instead of failing on first use.
 */
export function readConfig<K extends ConfigName>(names: readonly K[], env: Record<string, string | undefined> = process.env): Config<K> {
  return readSettings(settings, names, env);
}

/** {@link readConfig} over a table of settings of its own: every invalid one is named in one error. */
export function readSettings<T extends Record<string, Setting>, K extends keyof T & string>(
  table: T,
  names: readonly K[],
  env: Record<string, string | undefined>,
): SettingValues<T, K> {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const name of names) {
    const setting = table[name] as Setting;
    // The API's words for what is wrong (`is required`, `must be a URL`): zod/mini brings no messages of its own.
    const parsed = z.safeParse(setting.schema(), env[setting.env], { error: fieldMessage });
    if (parsed.success) values[name] = parsed.data;
    else problems.push(`${setting.env}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  if (problems.length > 0) throw new Error(`Invalid configuration: ${problems.join(', ')}`);
  return values as SettingValues<T, K>;
}
