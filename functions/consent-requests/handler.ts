import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { readConfig } from '../../shared/config.js';
import { acceptConsentRequest } from '../../shared/domain/accept-consent-request.js';
import type { ConsentAction } from '../../shared/domain/consent-event.js';
import { NotFoundError } from '../../shared/domain/errors.js';
import { DynamoProfileStore } from '../../shared/adapters/profile-store.js';
import { DynamoRequestStore } from '../../shared/adapters/request-store.js';
import { SqsEventPublisher } from '../../shared/adapters/sqs-event-publisher.js';
import { newId, systemClock } from '../../shared/adapters/runtime.js';
import { httpApi } from '../../shared/http/http-api.js';
import { authorise } from '../../shared/http/authorise.js';
import { header, jsonBody, parseWith, pathParameters } from '../../shared/http/request.js';
import { reasonBody } from '../../shared/http/contract/bodies.js';
import { idempotencyKey, numberPath, requestPath } from '../../shared/http/contract/parameters.js';
import { json } from '../../shared/http/responses.js';
import { METRIC } from '../../shared/metric-names.js';
import { logger, metrics } from '../../shared/observability.js';
import type { RouteHandler } from '../../shared/http/types.js';

const config = readConfig(['consentTableName', 'consentQueueUrl']);
const deps = {
  profiles: new DynamoProfileStore(config.consentTableName),
  requests: new DynamoRequestStore(config.consentTableName),
  publisher: new SqsEventPublisher(config.consentQueueUrl),
  clock: systemClock,
  newId,
  // Counted once per new request; the invocation's metrics are written when it ends.
  onAccepted: () => metrics.addMetric(METRIC.requestsAccepted, MetricUnit.Count, 1),
  // The request is recorded, so the caller gets its 202; the sweeper enqueues it within minutes.
  onPublishFailed: (requestId: string, error: unknown) => logger.warn('consent event not enqueued yet; the sweeper will send it', { requestId, error }),
};

/** `POST …/{phone}/block` and `…/unblock`: editors ask for a change; the processor applies it later. */
function requestChange(action: ConsentAction): RouteHandler {
  return async (event, context) => {
    const { caller } = context;
    authorise(caller, 'whatsapp-blocklist:edit');
    const { profileId, phone } = pathParameters(event, numberPath());
    const { reason } = jsonBody(event, reasonBody());
    const key = parseWith(idempotencyKey(), header(event, 'idempotency-key'), 'header.idempotency-key');
    const accepted = await acceptConsentRequest(
      caller,
      { profileId, phone, action, reason, idempotencyKey: key },
      { ...deps, timeLeft: () => context.getRemainingTimeInMillis() },
    );
    return json(202, accepted);
  };
}

/** `GET /requests/{requestId}`: where a request stands. */
export const getRequest: RouteHandler = async (event, { caller }) => {
  authorise(caller, 'consent:read');
  const { requestId } = pathParameters(event, requestPath());
  const request = await deps.requests.get(requestId);
  if (!request) throw new NotFoundError(`Request ${requestId} does not exist.`);
  const { status, action, phone, profileId, importId, requestedBy, requestedAt, appliedAt } = request;
  return json(200, {
    requestId,
    status,
    action,
    phone,
    profileId: profileId ?? null,
    importId: importId ?? null,
    requestedBy,
    requestedAt,
    appliedAt: appliedAt ?? null,
  });
};

export const blockNumber = requestChange('block');
export const unblockNumber = requestChange('unblock');

export const handler = httpApi({
  'POST /profiles/{profileId}/whatsapp/{phone}/block': blockNumber,
  'POST /profiles/{profileId}/whatsapp/{phone}/unblock': unblockNumber,
  'GET /requests/{requestId}': getRequest,
});
