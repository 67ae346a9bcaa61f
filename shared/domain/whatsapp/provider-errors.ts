import * as z from 'zod/mini';

/**
 * What a failed delivery's error code says, and so what the service does about it (the code table of docs/integrations.md, "Provider delivery failures"):
 *
 * - `recipient-unreachable`: the number is invalid or not on WhatsApp: block it automatically (`wa_blocked`).
 * - `recipient-opted-out`: the recipient stopped marketing messages: record it in the number's history.
 * - `sender-account`: about our own sender or business account, never the recipient: an operational error.
 * - `temporary`: rate limits, policy and service errors, and every code not listed: acknowledge and log.
 */
export type FailureClass = 'recipient-unreachable' | 'recipient-opted-out' | 'sender-account' | 'temporary';

/** The default code table, the one place it is written down (docs/integrations.md repeats it). */
export const DEFAULT_FAILURE_CODES = {
  'recipient-unreachable': [
    131026, // Message undeliverable: not on WhatsApp, or an invalid number
    1013, // Legacy On-Premises API: not a WhatsApp user
    130403, // This business has blocked the user on WhatsApp
  ],
  'recipient-opted-out': [
    131050, // The recipient stopped marketing messages from this business
  ],
  'sender-account': [
    0, // AuthException
    3, // API method not allowed for this app
    10, // Permission denied
    190, // Access token expired or revoked
    368, // Sender temporarily blocked for policy violations
    130497, // Business account restricted from messaging users in this country
    131031, // Business account locked
    131037, // Display name of the sender number not approved
    131042, // Business eligibility: payment issue
    131045, // Sender number not registered (certificate)
    131063, // A restriction on the sending phone number
    131064, // A restriction on the WhatsApp Business Account
    133000, // Incomplete deregistration of the sender number
    133005, // Two-step verification PIN mismatch
    133006, // Sender number needs verification
    133008, // Too many two-step verification PIN guesses
    133009, // Two-step verification PIN entered too fast
    133010, // Sender number not registered on the Cloud API
    133015, // Sender number was recently deleted
    133016, // Sender number registration rate limit
  ],
  // Listed for the record; any code not in the table is treated the same way.
  temporary: [
    131049, // Not delivered, to keep ecosystem engagement healthy
    131047, // Re-engagement: more than 24 hours since the customer last replied
    131048, // Spam rate limit hit
    131056, // Too many messages to the same recipient in a short time
    130429, // Cloud API throughput limit reached
    130472, // The recipient's number is part of a Meta experiment
    131000, // Something went wrong
    131016, // Service unavailable
    131057, // Business account in maintenance mode
    133004, // Server temporarily unavailable
  ],
} as const satisfies Record<FailureClass, readonly number[]>;

export type FailureClassifier = (code: number) => FailureClass;

/**
 * Builds the classifier from the default table, with the blocking codes replaced when `autoBlockCodes`
 * is given (the `AUTO_BLOCK_CODES` setting). A code moved into the blocking list leaves its former class,
 * and a default blocking code left out of the list falls back to `temporary`.
 */
export function failureClassifier(autoBlockCodes?: readonly number[]): FailureClassifier {
  const classes = new Map<number, FailureClass>();
  for (const [failureClass, codes] of Object.entries(DEFAULT_FAILURE_CODES) as [FailureClass, readonly number[]][]) {
    if (autoBlockCodes && failureClass === 'recipient-unreachable') continue;
    for (const code of codes) classes.set(code, failureClass);
  }
  for (const code of autoBlockCodes ?? []) classes.set(code, 'recipient-unreachable');
  return (code) => classes.get(code) ?? 'temporary';
}

/**
 * `AUTO_BLOCK_CODES`: comma-separated error codes that block a number, replacing the default
 * `131026,1013,130403`; `none` turns automatic blocking off. Unset or empty keeps the default table.
 */
export function autoBlockCodesSchema() {
  return z.pipe(
    z.optional(z.string()),
    z.transform((value: string | undefined, ctx): number[] | undefined => {
      const text = value?.trim() ?? '';
      if (text === '') return undefined;
      if (text.toLowerCase() === 'none') return [];
      const parts = text.split(',').map((part) => part.trim());
      if (!parts.every((part) => /^\d{1,9}$/.test(part))) {
        ctx.issues.push({ code: 'custom', message: 'must be comma-separated numeric error codes, or "none"', input: value });
        return z.NEVER;
      }
      return parts.map(Number);
    }),
  );
}
