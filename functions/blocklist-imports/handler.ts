import { readConfig } from '../../shared/config.js';
import { acceptBlocklistImport } from '../../shared/domain/imports/accept-import.js';
import { importProgress } from '../../shared/domain/imports/import-progress.js';
import { MAX_IMPORT_BYTES } from '../../shared/domain/imports/import-rows.js';
import { DynamoImportStore } from '../../shared/adapters/import-store.js';
import { DynamoRequestStore } from '../../shared/adapters/request-store.js';
import { SqsEventPublisher } from '../../shared/adapters/sqs-event-publisher.js';
import { newId, systemClock } from '../../shared/adapters/runtime.js';
import { httpApi } from '../../shared/http/http-api.js';
import { authorise } from '../../shared/http/authorise.js';
import { importIdempotencyKey, importPath } from '../../shared/http/contract/parameters.js';
import { header, parseWith, pathParameters } from '../../shared/http/request.js';
import { json } from '../../shared/http/responses.js';
import type { RouteHandler } from '../../shared/http/types.js';
import { logger } from '../../shared/observability.js';
import { csvBody } from './csv-body.js';

const config = readConfig(['consentTableName', 'consentQueueUrl']);
const deps = {
  imports: new DynamoImportStore(config.consentTableName),
  requests: new DynamoRequestStore(config.consentTableName),
  publisher: new SqsEventPublisher(config.consentQueueUrl),
  clock: systemClock,
  newId,
  // The rows are recorded, so the caller gets its 202; the sweeper enqueues what is missing within minutes.
  onPublishFailed: (importId: string, error: unknown) =>
    logger.warn("some of an import's events are not enqueued yet; the sweeper will send them", { importId, error }),
};

/** `POST /blocklist/imports`: editors upload a CSV file of blocks and unblocks; each valid row becomes a request. */
export const postImport: RouteHandler = async (event, context) => {
  const { caller } = context;
  authorise(caller, 'whatsapp-blocklist:edit');
  const csv = csvBody(event);
  const key = parseWith(importIdempotencyKey(), header(event, 'idempotency-key'), 'header.idempotency-key');
  const accepted = await acceptBlocklistImport(caller, { csv, idempotencyKey: key }, { ...deps, timeLeft: () => context.getRemainingTimeInMillis() });
  logger.info('blocklist import accepted', { importId: accepted.importId, rows: accepted.rows, accepted: accepted.accepted, by: caller.username });
  return json(202, accepted);
};

/** `GET /blocklist/imports/{importId}`: the import's rows counted by their requests' statuses. */
export const getImport: RouteHandler = async (event, { caller }) => {
  authorise(caller, 'consent:read');
  const { importId } = pathParameters(event, importPath());
  return json(200, await importProgress(importId, deps));
};

export const handler = httpApi(
  {
    'POST /blocklist/imports': postImport,
    'GET /blocklist/imports/{importId}': getImport,
  },
  { maxBodyBytes: MAX_IMPORT_BYTES },
);
