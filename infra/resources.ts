/**
 * The stateful resources, described once. The CDK stack (`infra/stack.ts`) and the local stack
 * (`infra/local/provision.ts`) both build their tables and queues from these descriptions, so the two
 * cannot drift apart.
 */
import { LIST_INDEX } from '../shared/adapters/keys.js';

export type KeyAttribute = { name: string; type: 'S' | 'N' };

export interface TableDefinition {
  /** Construct id in CDK, and the base of the local table name. */
  id: string;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  timeToLiveAttribute?: string;
  /** The table's stream, when something reads it (the change publisher reads the audit's new entries). */
  stream?: 'NEW_IMAGE';
  globalSecondaryIndexes: { indexName: string; partitionKey: KeyAttribute; sortKey: KeyAttribute }[];
}

/** The consent table's sparse index of pending requests (read by `shared/adapters/request-store.ts`). */
export const PENDING_INDEX = 'byPending';
/** The consent table's sparse index of lists: blocked numbers, held blocks, unresolved signals (`shared/adapters/keys.ts`). */
export { LIST_INDEX };

/** Consent state, requests, profiles and idempotency keys (single-table design; docs/design.md, "Data"). */
export const consentTable: TableDefinition = {
  id: 'ConsentTable',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
  globalSecondaryIndexes: [
    // Sparse: only requests still pending carry `pendingShard`.
    { indexName: PENDING_INDEX, partitionKey: { name: 'pendingShard', type: 'S' }, sortKey: { name: 'requestedAt', type: 'S' } },
    // Sparse: only items on a list carry `listName`: blocked states, held blocks and unresolved signals.
    { indexName: LIST_INDEX, partitionKey: { name: 'listName', type: 'S' }, sortKey: { name: 'listedAt', type: 'S' } },
  ],
};

/** The append-only audit: per number by time, and per profile through `byProfile`. */
export const auditTable: TableDefinition = {
  id: 'AuditTable',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  // Every new entry, for the change publisher: applied changes are published from what was written.
  stream: 'NEW_IMAGE',
  globalSecondaryIndexes: [
    { indexName: 'byProfile', partitionKey: { name: 'profileId', type: 'S' }, sortKey: { name: 'sk', type: 'S' } },
  ],
};

/**
 * How many batches the processor works on at once (the event source's maximum concurrency, and the local
 * queue poller's): it bounds the concurrent writers on the tables, and FIFO order per number holds at any.
 */
export const PROCESSOR_MAX_CONCURRENCY = 5;

/** The processor's timeout; the queue's visibility timeout is six times it, as AWS advises. */
export const PROCESSOR_TIMEOUT_SECONDS = 30;

export interface QueueDefinition {
  id: string;
  visibilityTimeoutSeconds: number;
  retentionSeconds: number;
  /** Deliveries before a message moves to the dead-letter queue. */
  maxReceiveCount: number;
  deadLetterRetentionSeconds: number;
}

/** The FIFO queue of consent events, and its FIFO dead-letter queue. */
export const consentQueue: QueueDefinition = {
  id: 'ConsentEvents',
  visibilityTimeoutSeconds: 6 * PROCESSOR_TIMEOUT_SECONDS,
  retentionSeconds: 4 * 24 * 60 * 60,
  maxReceiveCount: 5,
  deadLetterRetentionSeconds: 14 * 24 * 60 * 60,
};

/**
 * Locally, the queue the change publisher sends applied changes to, in the stand-in for the EventBridge
 * bus and its rule (FIFO, per number in order); in AWS, consumers read the rule's queue instead.
 */
export const CHANGE_EVENTS_QUEUE_ID = 'ChangeEvents';

/** Lambda entry points, one per route group or event source. */
export const functions = {
  profiles: { entry: 'functions/profiles/handler.ts' },
  consentRequests: { entry: 'functions/consent-requests/handler.ts' },
  history: { entry: 'functions/history/handler.ts' },
  health: { entry: 'functions/health/handler.ts' },
  /** The API's own OpenAPI document. */
  openapi: { entry: 'functions/openapi/handler.ts' },
  whatsappWebhook: { entry: 'functions/whatsapp-webhook/handler.ts' },
  blocklistCheck: { entry: 'functions/blocklist-check/handler.ts' },
  /** The blocked numbers, listed from the list index, as JSON or CSV. */
  blocklist: { entry: 'functions/blocklist/handler.ts' },
  /** Blocklist imports: CSV uploads of blocks and unblocks, each row a request, and their progress. */
  blocklistImports: { entry: 'functions/blocklist-imports/handler.ts' },
  /** Held automatic blocks (list, release, discard) and unresolved signals, for operators to review. */
  blocklistReview: { entry: 'functions/blocklist-review/handler.ts' },
  /** A person's data: everything stored about a number, for privacy officers. */
  personalData: { entry: 'functions/personal-data/handler.ts' },
  /** A person's data erased: the only function that may delete history entries. */
  personalDataEraser: { entry: 'functions/personal-data-erasure/handler.ts' },
  /** The same check for campaign Lambdas that invoke it directly, without HTTP. */
  blocklistCheckInvoke: { entry: 'functions/blocklist-check/invoke.ts' },
  processor: { entry: 'functions/processor/handler.ts' },
  /** Every minute: fails requests whose events are dead-lettered, enqueues again those stuck pending. */
  requestSweeper: { entry: 'functions/request-sweeper/handler.ts' },
  /** Publishes every applied change, from the audit table's stream. */
  changePublisher: { entry: 'functions/change-publisher/handler.ts' },
} as const;

/** How often the request sweeper runs, in AWS and on the local stack. */
export const SWEEP_INTERVAL_SECONDS = 60;

/** The functions that serve no route. */
type EventFunctionName = 'processor' | 'blocklistCheckInvoke' | 'requestSweeper' | 'changePublisher';
export type ApiFunctionName = Exclude<keyof typeof functions, EventFunctionName>;

interface RouteBase {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  function: ApiFunctionName;
}

/**
 * `jwt`: the Cognito JWT authorizer checks the token before the function runs. `none`: a route without
 * a token, which must say why it is safe (the reason is also what the CDK stack tells cdk-nag).
 */
export type RouteDefinition =
  | (RouteBase & { authorization: 'jwt' })
  | (RouteBase & { authorization: 'none'; openBecause: string });

const WEBHOOK_IS_OPEN = "Meta calls it without a token; the function authenticates every callback by its X-Hub-Signature-256 HMAC";

/** The HTTP API's routes (docs/api.md; `openapi.json`). */
export const routes: RouteDefinition[] = [
  { method: 'GET', path: '/health', function: 'health', authorization: 'none', openBecause: 'A liveness probe: it answers {"status":"ok"} and reads nothing' },
  { method: 'GET', path: '/openapi.json', function: 'openapi', authorization: 'none', openBecause: "The API's contract is public; it reads nothing" },
  { method: 'PUT', path: '/profiles/{profileId}', function: 'profiles', authorization: 'jwt' },
  { method: 'DELETE', path: '/profiles/{profileId}', function: 'profiles', authorization: 'jwt' },
  { method: 'GET', path: '/profiles/{profileId}/whatsapp', function: 'profiles', authorization: 'jwt' },
  { method: 'POST', path: '/profiles/{profileId}/whatsapp/{phone}/block', function: 'consentRequests', authorization: 'jwt' },
  { method: 'POST', path: '/profiles/{profileId}/whatsapp/{phone}/unblock', function: 'consentRequests', authorization: 'jwt' },
  { method: 'GET', path: '/requests/{requestId}', function: 'consentRequests', authorization: 'jwt' },
  { method: 'GET', path: '/profiles/{profileId}/whatsapp/history', function: 'history', authorization: 'jwt' },
  { method: 'GET', path: '/numbers/{phone}', function: 'profiles', authorization: 'jwt' },
  { method: 'GET', path: '/numbers/{phone}/history', function: 'history', authorization: 'jwt' },
  { method: 'GET', path: '/numbers/{phone}/personal-data', function: 'personalData', authorization: 'jwt' },
  { method: 'POST', path: '/numbers/{phone}/erase', function: 'personalDataEraser', authorization: 'jwt' },
  { method: 'POST', path: '/blocklist/check', function: 'blocklistCheck', authorization: 'jwt' },
  { method: 'GET', path: '/blocklist', function: 'blocklist', authorization: 'jwt' },
  { method: 'POST', path: '/blocklist/imports', function: 'blocklistImports', authorization: 'jwt' },
  { method: 'GET', path: '/blocklist/imports/{importId}', function: 'blocklistImports', authorization: 'jwt' },
  { method: 'GET', path: '/blocklist/held', function: 'blocklistReview', authorization: 'jwt' },
  { method: 'POST', path: '/blocklist/held/release', function: 'blocklistReview', authorization: 'jwt' },
  { method: 'POST', path: '/blocklist/held/discard', function: 'blocklistReview', authorization: 'jwt' },
  { method: 'GET', path: '/blocklist/unresolved', function: 'blocklistReview', authorization: 'jwt' },
  { method: 'GET', path: '/webhooks/whatsapp', function: 'whatsappWebhook', authorization: 'none', openBecause: WEBHOOK_IS_OPEN },
  { method: 'POST', path: '/webhooks/whatsapp', function: 'whatsappWebhook', authorization: 'none', openBecause: WEBHOOK_IS_OPEN },
];
