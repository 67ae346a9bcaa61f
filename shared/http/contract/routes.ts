import * as z from 'zod';
import { checkRequestSchema } from '../../domain/blocklist-check.js';
import type { Permission } from '../../domain/permissions.js';
import { whatsappCallbackBody } from '../../domain/whatsapp/callback.js';
import { erasureBody, heldDecisionBody, profileBody, reasonBody } from './bodies.js';
import { blocklistQuery, handshakeQuery, idempotencyKey, importIdempotencyKey, importPath, numberPath, pageQuery, phonePath, profilePath, requestPath } from './parameters.js';
import * as body from './responses.js';

/**
 * The HTTP API's contract: one entry per route, with the very schemas its handler validates with. The
 * OpenAPI document is generated from this list (`buildOpenApiDocument`), and the tests check that it
 * names exactly the routes the stack deploys (`infra/resources.ts`).
 */

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

/** The security schemes of signatures that functions check themselves (`./document.ts` describes each). */
export type SignatureScheme = 'metaSignature';

/** The problem+json statuses a route may answer with, besides the ones its entry implies. */
export type ProblemStatus = 400 | 401 | 403 | 404 | 413 | 415 | 422 | 503;

/** A success answer: JSON of a named response schema (`./responses.ts`), plain text, or no body. */
export interface SuccessResponse {
  description: string;
  json?: z.ZodType;
  text?: z.ZodType;
  /** The same answer as CSV, for a caller that sends `Accept: text/csv`. */
  csv?: z.ZodType;
  headers?: Record<string, { description: string; schema: z.ZodType }>;
}

export interface ApiRoute {
  method: HttpMethod;
  /** As API Gateway writes it: `/profiles/{profileId}/whatsapp`. */
  path: string;
  /** The handler's exported name where it has one. */
  operationId: string;
  tag: Tag;
  summary: string;
  description?: string;
  /**
   * `permission`: a bearer token that holds it (a valid token and no permission 403 unless every
   * caller holds it). `anyone`: no token; the words say who calls it and how the function knows them,
   * and `signature` names the security scheme of a signature the function checks (Meta's).
   */
  caller: { permission: Permission } | { anyone: string; signature?: SignatureScheme };
  /** Object schemas whose properties are the route's parameters, by where they are sent. */
  parameters?: { path?: z.core.$ZodObject; query?: z.core.$ZodObject; header?: z.core.$ZodObject };
  /**
   * The body: the schema, its component's name, the largest body the route accepts, and what the schema
   * cannot say. JSON unless `mediaType` says `text/csv` (whose schema is the text's).
   */
  body?: {
    name: string;
    schema: z.core.$ZodType;
    maxBytes: number;
    description?: string;
    mediaType?: 'text/csv';
    /** Whatever the body holds, and whatever its Content-Type says, it is read and never refused (no `400`, no `415`). */
    refusesNothing?: true;
  };
  responses: Partial<Record<200 | 202 | 204 | 304, SuccessResponse>>;
  /**
   * What the entry does not imply already, in words for this route. Implied: `400` (a route with
   * parameters or a body), `401` (a bearer token), `403` (a permission not every caller holds), `413`
   * and `415` (a body).
   */
  problems?: Partial<Record<ProblemStatus, string>>;
}

export const TAGS = {
  Profiles: 'Profiles and the WhatsApp consent of their numbers.',
  Requests: 'Block and unblock requests, applied by the processor.',
  History: 'The audit, per profile and per number, newest first.',
  Blocklist: 'The campaign check, and automatic blocks and signals awaiting an operator.',
  PersonalData: "A person's data: what is stored about a number, and its erasure.",
  Webhook: "Meta's WhatsApp Cloud API callbacks.",
  Service: 'The service itself.',
} as const;
export type Tag = keyof typeof TAGS;

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/** `POST /blocklist/check` and the webhook take up to 1 MiB. */
const LARGE_MAX_BODY_BYTES = 1024 * 1024;

const json = (json: z.ZodType, description: string): SuccessResponse => ({ description, json });
const meta = (proof: string) => `In practice Meta; the function checks ${proof}.`;

const historyPage = { responses: { 200: json(body.HistoryPage, 'A page of the history, newest first.') } } as const;

export const apiRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/health',
    operationId: 'health',
    tag: 'Service',
    summary: 'Liveness probe',
    caller: { anyone: 'A liveness probe; it reads nothing.' },
    responses: { 200: json(body.Health, 'The API answers.') },
  },
  {
    method: 'GET',
    path: '/openapi.json',
    operationId: 'openApiDocument',
    tag: 'Service',
    summary: 'This OpenAPI document',
    caller: { anyone: 'The contract is public.' },
    responses: {
      200: {
        description: 'The OpenAPI 3.1 document of the API.',
        json: body.OpenApiDocument,
        headers: {
          'Cache-Control': { description: 'Cacheable by anyone, for five minutes.', schema: z.string() },
          ETag: { description: "The document's version; send it back as `If-None-Match`.", schema: z.string() },
        },
      },
      304: { description: 'The document has not changed since the `ETag` sent as `If-None-Match`.' },
    },
  },
  {
    method: 'PUT',
    path: '/profiles/{profileId}',
    operationId: 'putProfile',
    tag: 'Profiles',
    summary: "Replace a profile's WhatsApp numbers",
    description: 'Creates the profile if it is new. Consent stays with the numbers: a number removed and added again keeps its state.',
    caller: { permission: 'profiles:write' },
    parameters: { path: profilePath() },
    body: { name: 'ProfileNumbers', schema: profileBody(), maxBytes: DEFAULT_MAX_BODY_BYTES },
    responses: { 200: json(body.Profile, 'The profile as stored.') },
    problems: { 503: 'The profile kept changing while it was replaced; retry.' },
  },
  {
    method: 'DELETE',
    path: '/profiles/{profileId}',
    operationId: 'deleteProfile',
    tag: 'Profiles',
    summary: 'Delete a profile and its list of numbers',
    description:
      "The numbers' consent stays (it belongs to the numbers), requests already accepted still end, and the profile's history stays readable by its id. To merge two profiles, put the union of their numbers on the one kept, then delete the other.",
    caller: { permission: 'profiles:write' },
    parameters: { path: profilePath() },
    responses: { 204: { description: 'Deleted.' } },
    problems: { 404: 'The profile does not exist.', 503: 'The profile kept changing while it was deleted; retry.' },
  },
  {
    method: 'GET',
    path: '/profiles/{profileId}/whatsapp',
    operationId: 'getProfileConsent',
    tag: 'Profiles',
    summary: "A profile's numbers with their consent and pending requests",
    caller: { permission: 'consent:read' },
    parameters: { path: profilePath() },
    responses: { 200: json(body.ProfileConsent, "Every number of the profile, in the profile's order.") },
    problems: { 404: 'The profile does not exist.' },
  },
  ...(['block', 'unblock'] as const).map(
    (action): ApiRoute => ({
      method: 'POST',
      path: `/profiles/{profileId}/whatsapp/{phone}/${action}`,
      operationId: `${action}Number`,
      tag: 'Requests',
      summary: `Ask to ${action} a number of a profile`,
      description: 'The request is recorded and its event queued; the processor applies it shortly. Follow it at `GET /requests/{requestId}`.',
      caller: { permission: 'whatsapp-blocklist:edit' },
      parameters: { path: numberPath(), header: z.object({ 'Idempotency-Key': idempotencyKey() }) },
      body: { name: 'ConsentChange', schema: reasonBody(), maxBytes: DEFAULT_MAX_BODY_BYTES },
      responses: { 202: json(body.AcceptedRequest, 'Recorded; it will end `applied`, `unchanged`, `superseded` or `failed`.') },
      problems: {
        404: 'The profile does not exist, or does not hold the number.',
        422: 'The `Idempotency-Key` was used with a different request.',
        503: 'Another request with this `Idempotency-Key` is being recorded; nothing was recorded. Retry with the same key.',
      },
    }),
  ),
  {
    method: 'GET',
    path: '/requests/{requestId}',
    operationId: 'getRequest',
    tag: 'Requests',
    summary: 'Where a block or unblock request stands',
    caller: { permission: 'consent:read' },
    parameters: { path: requestPath() },
    responses: { 200: json(body.ConsentRequest, 'The request and its status.') },
    problems: { 404: 'No such request.' },
  },
  {
    method: 'GET',
    path: '/profiles/{profileId}/whatsapp/history',
    operationId: 'profileHistory',
    tag: 'History',
    summary: "Changes made on a profile's page",
    caller: { permission: 'consent:read' },
    parameters: { path: profilePath(), query: pageQuery() },
    description: 'A deleted profile keeps its history, readable by its id.',
    ...historyPage,
    problems: { 404: 'No profile has this id, and none ever had a history.' },
  },
  {
    method: 'GET',
    path: '/numbers/{phone}',
    operationId: 'getNumberConsent',
    tag: 'Profiles',
    summary: "One number's consent and pending requests, whichever profiles hold it",
    caller: { permission: 'consent:read' },
    parameters: { path: phonePath() },
    responses: { 200: json(body.NumberConsent, 'The number; one never seen is unblocked, with nothing pending.') },
  },
  {
    method: 'GET',
    path: '/numbers/{phone}/history',
    operationId: 'numberHistory',
    tag: 'History',
    summary: 'Everything that happened to one number, across profiles and the provider',
    caller: { permission: 'consent:read' },
    parameters: { path: phonePath(), query: pageQuery() },
    ...historyPage,
  },
  {
    method: 'GET',
    path: '/numbers/{phone}/personal-data',
    operationId: 'exportPersonalData',
    tag: 'PersonalData',
    summary: 'Everything stored about a number',
    description:
      'One JSON document: the state and marketing opt-out, the profiles that hold the number, every history entry, its requests, the user ids paired with it, and the held and unresolved signals that name it. A number never seen gives an empty document.',
    caller: { permission: 'privacy:manage' },
    parameters: { path: phonePath() },
    responses: { 200: json(body.PersonalData, 'Everything stored about the number.') },
  },
  {
    method: 'POST',
    path: '/numbers/{phone}/erase',
    operationId: 'erasePersonalData',
    tag: 'PersonalData',
    summary: 'Erase everything stored about a number, but its objection',
    description:
      "Deletes the number's history entries, requests, pairings, held and unresolved signals and import rows, and takes it off every profile. When the number is blocked or opted out of marketing, a suppression record stays (the number, blocked or the opt-out, the source and the date; nothing else), so that campaigns keep skipping it. Requests accepted before the erasure and still queued are dropped. The erasure is logged under a keyed hash of the number. Repeating an erasure is harmless: one that failed half-way finishes.",
    caller: { permission: 'privacy:manage' },
    parameters: { path: phonePath() },
    body: { name: 'Erasure', schema: erasureBody(), maxBytes: DEFAULT_MAX_BODY_BYTES, description: 'Why the data is erased (the data subject\'s request, say), for the erasure log.' },
    responses: { 200: json(body.ErasureDone, 'Erased; a number never seen erases nothing.') },
    problems: { 503: 'The number kept changing while it was erased; repeat the erasure.' },
  },
  {
    method: 'POST',
    path: '/blocklist/check',
    operationId: 'checkNumbers',
    tag: 'Blocklist',
    summary: 'Which numbers a campaign may send messages of a category to',
    description: 'Numbers in any international format; duplicates are checked once. An entry that is no valid number does not refuse the check: it comes back in `invalid`.',
    caller: { permission: 'whatsapp-blocklist:check' },
    body: { name: 'CheckRequest', schema: checkRequestSchema(), maxBytes: LARGE_MAX_BODY_BYTES },
    responses: { 200: json(body.CheckResult, '`blocked` and `sendable` list E.164 numbers in input order.') },
    problems: { 503: 'The blocklist is throttled; retry the check shortly.' },
  },
  {
    method: 'GET',
    path: '/blocklist',
    operationId: 'listBlocklist',
    tag: 'Blocklist',
    summary: 'The numbers blocked now, newest change first',
    description:
      'Filtered by source, provider code and the time of the change. One call reads at most about 1,000 numbers that `source` and `reasonCode` leave out: with a rare filter, a page may come back short, even empty, with a `nextCursor` that searches on from where the call stopped. Follow the cursors until `nextCursor` is `null`; only then is the list read to its end. With `Accept: text/csv`, the same page as CSV (RFC 4180, a header row; cells a spreadsheet would run as a formula get a leading `\'`), and the next page in a `Link` header (on a page with no rows too).',
    caller: { permission: 'consent:read' },
    parameters: { query: blocklistQuery() },
    responses: {
      200: {
        ...json(body.BlocklistPage, 'A page of blocked numbers, newest change first.'),
        csv: z.string().meta({ description: 'Header row `phone,source,reason,reasonCode,updatedAt,updatedBy`, then one row per number.' }),
        headers: { Link: { description: 'With CSV: `<next page URL>; rel="next"`, while the list is not read to its end (as `nextCursor`).', schema: z.string() } },
      },
    },
  },
  {
    method: 'POST',
    path: '/blocklist/imports',
    operationId: 'postImport',
    tag: 'Blocklist',
    summary: 'Import blocks and unblocks from CSV',
    description:
      'Every valid row becomes one request with no profile, applied by the same queue and processor, audited with the importer and the import id. Invalid rows are named by their line (the header is line 1).',
    caller: { permission: 'whatsapp-blocklist:edit' },
    parameters: { header: z.object({ 'Idempotency-Key': importIdempotencyKey() }) },
    body: {
      name: 'ImportCsv',
      schema: z.string().meta({ description: 'CSV with the header row `phone,action,reason` (`action` is `block` or `unblock`; further columns are ignored), at most 10,000 rows.' }),
      maxBytes: 1024 * 1024,
      mediaType: 'text/csv',
    },
    responses: { 202: json(body.ImportAccepted, 'Recorded: every accepted row is a pending request.') },
    problems: {
      422: 'The Idempotency-Key was used with another file.',
      503: 'The file could not be recorded in full in time; a retry with the same Idempotency-Key finishes it.',
    },
  },
  {
    method: 'GET',
    path: '/blocklist/imports/{importId}',
    operationId: 'getImport',
    tag: 'Blocklist',
    summary: "An import's progress",
    caller: { permission: 'consent:read' },
    parameters: { path: importPath() },
    responses: { 200: json(body.ImportProgress, 'The accepted rows counted by their requests\' statuses.') },
    problems: { 404: 'No import has this id.' },
  },
  {
    method: 'GET',
    path: '/blocklist/held',
    operationId: 'listHeld',
    tag: 'Blocklist',
    summary: 'Automatic blocks the auto-block guard held',
    caller: { permission: 'consent:read' },
    parameters: { query: pageQuery() },
    responses: { 200: json(body.HeldPage, 'A page of held blocks, newest first.') },
  },
  {
    method: 'POST',
    path: '/blocklist/held/release',
    operationId: 'releaseHeld',
    tag: 'Blocklist',
    summary: 'Release held automatic blocks',
    description: 'Each is enqueued and applied as the automatic block it was, past the guard, with the editor and reason in the history. Releasing twice enqueues one event.',
    caller: { permission: 'whatsapp-blocklist:edit' },
    body: { name: 'HeldDecision', schema: heldDecisionBody(), maxBytes: DEFAULT_MAX_BODY_BYTES },
    responses: { 202: json(body.Released, 'Enqueued; numbers with nothing held are left out.') },
  },
  {
    method: 'POST',
    path: '/blocklist/held/discard',
    operationId: 'discardHeld',
    tag: 'Blocklist',
    summary: 'Discard held automatic blocks',
    description: "They leave the list at once, the numbers stay as they are, and each number's history records who discarded it and why.",
    caller: { permission: 'whatsapp-blocklist:edit' },
    body: { name: 'HeldDecision', schema: heldDecisionBody(), maxBytes: DEFAULT_MAX_BODY_BYTES },
    responses: { 200: json(body.Discarded, 'Discarded; numbers with nothing held are left out.') },
  },
  {
    method: 'GET',
    path: '/blocklist/unresolved',
    operationId: 'listUnresolved',
    tag: 'Blocklist',
    summary: 'Signals that named their recipient by a user id not paired with a number yet',
    caller: { permission: 'consent:read' },
    parameters: { query: pageQuery() },
    responses: { 200: json(body.UnresolvedPage, 'How many there are, and a page of them, newest first.') },
  },
  {
    method: 'GET',
    path: '/webhooks/whatsapp',
    operationId: 'verifySubscription',
    tag: 'Webhook',
    summary: "Meta's subscription handshake",
    caller: { anyone: meta('the verify token') },
    parameters: { query: handshakeQuery() },
    responses: { 200: { description: 'The `hub.challenge`, as plain text.', text: z.string() } },
    problems: { 403: 'The verify token or mode is wrong.' },
  },
  {
    method: 'POST',
    path: '/webhooks/whatsapp',
    operationId: 'receiveCallback',
    tag: 'Webhook',
    summary: 'Delivery statuses, inbound messages and preferences from Meta',
    description:
      'The signature is checked on the body bytes as they arrived, before anything is parsed; only a missing or wrong signature is refused. Failures, keywords and marketing preferences are queued; the rest is acknowledged. Anything but a `200` makes Meta retry.',
    caller: { anyone: meta('the `X-Hub-Signature-256` HMAC of the body'), signature: 'metaSignature' },
    body: {
      name: 'WhatsappCallback',
      schema: whatsappCallbackBody(),
      maxBytes: LARGE_MAX_BODY_BYTES,
      refusesNothing: true,
      description:
        "Meta sends the Cloud API's envelope (`object`, `entry[].changes[].value` with `statuses`, `messages`, `user_preferences`, `contacts`, `metadata.phone_number_id`). A signed body is answered `200` whatever it holds: each status, message and preference is read on its own, and what cannot be read (a malformed item, a body that is not JSON) is logged and counted, never refused.",
    },
    responses: { 200: json(body.CallbackReceipt, 'Every resulting event is queued.') },
    problems: {
      401: 'The `X-Hub-Signature-256` header is missing or does not sign this body.',
      503: 'The webhook has no app secret configured yet, or the callback could not be queued in full; Meta retries.',
    },
  },
];
