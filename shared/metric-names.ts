/**
 * The service's CloudWatch metrics: what the functions count, and what the stack's dashboard and alarms
 * read. A module of plain names, so that the stack can import it without loading Powertools.
 */
export const SERVICE_NAME = 'whatsapp-consent';

/** The namespace of every metric the functions write. */
export const METRICS_NAMESPACE = 'WhatsappConsent';

export const METRIC = {
  /** Manual block and unblock requests the API accepted (new ones; a replayed key is not counted again). */
  requestsAccepted: 'RequestsAccepted',
  /** Consent events the processor applied, found already in force, or found overtaken by a later one. */
  eventsApplied: 'EventsApplied',
  eventsUnchanged: 'EventsUnchanged',
  eventsSuperseded: 'EventsSuperseded',
  /** Deliveries of an event that was applied before (SQS delivers at least once). */
  eventsDuplicate: 'EventsDuplicate',
  /** Events the processor failed on (SQS delivers them again, and dead-letters them in the end). */
  eventsFailed: 'EventsFailed',
  /** Numbers the provider's failures blocked. */
  automaticBlocks: 'AutomaticBlocks',
  /** Automatic blocks the auto-block guard held for an editor; the guard alarm watches it. */
  heldBlocks: 'AutoBlocksHeld',
  /** Marketing opt-outs recorded (Meta's marketing preference, or a 131050 failure). */
  optOuts: 'MarketingOptOuts',
  /** Numbers blocked at their recipient's word (an opt-out keyword such as STOP). */
  stopKeywords: 'StopKeywordBlocks',
  /**
   * Items of signed callbacks that the webhook could not read (a malformed status or message, a body
   * that is not JSON): acknowledged all the same, and logged (WARN) with where and why.
   */
  callbackItemsUnreadable: 'CallbackItemsUnreadable',
  /** Signals that named a user id not yet paired with a number, kept until it is. */
  unresolvedRecipients: 'UnresolvedRecipients',
  /** Numbers a campaign check looked at, and how many of them it found blocked. */
  numbersChecked: 'NumbersChecked',
  numbersBlocked: 'NumbersFoundBlocked',
  /** The webhook's own 5xx answers (Meta retries them); with its function's errors, the webhook alarm. */
  webhookServerErrors: 'WebhookServerErrors',
} as const;

/**
 * Delivery statuses the webhook received, by class (delivered or read, or the failure's class): one
 * metric per class, so that one log line per callback carries them all.
 */
export const STATUS_METRIC = {
  ok: 'StatusesOk',
  'recipient-unreachable': 'StatusesRecipientUnreachable',
  'recipient-opted-out': 'StatusesRecipientOptedOut',
  'sender-account': 'StatusesSenderAccountFailure',
  temporary: 'StatusesTemporaryFailure',
} as const;
