import { readConfig } from '../../shared/config.js';
import { readWebhookSettings } from '../../shared/webhook-settings.js';
import { ForbiddenError, ServiceUnavailableError, UnauthorizedError } from '../../shared/domain/errors.js';
import { failureClassifier } from '../../shared/domain/whatsapp/provider-errors.js';
import { receiveConsentSignals, statusClassOf, type Disposition, type MessageDisposition, type PreferenceDisposition } from '../../shared/domain/whatsapp/receive-signals.js';
import {
  deliveryStatusesOf,
  numberChangesOf,
  inboundMessagesOf,
  isSignedBy,
  pairingsOf,
  preferencesOf,
  readCallbackBody,
  secretsMatch,
  unreadableItems,
  type Unreadable,
} from '../../shared/domain/whatsapp/callback.js';
import { DynamoUserDirectory } from '../../shared/adapters/user-directory.js';
import { SqsEventPublisher } from '../../shared/adapters/sqs-event-publisher.js';
import { webhookSecretsFrom } from '../../shared/adapters/webhook-secrets.js';
import { publicHttpApi } from '../../shared/http/http-api.js';
import { header, queryParameters, rawBody } from '../../shared/http/request.js';
import { handshakeQuery } from '../../shared/http/contract/parameters.js';
import { json, text } from '../../shared/http/responses.js';
import type { PublicRouteHandler } from '../../shared/http/types.js';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics } from '../../shared/observability.js';
import { METRIC, STATUS_METRIC } from '../../shared/metric-names.js';

const config = {
  ...readConfig(['consentTableName', 'consentQueueUrl', 'whatsappSecretId', 'whatsappAppSecret', 'whatsappVerifyToken']),
  ...readWebhookSettings(),
};
const secrets = webhookSecretsFrom(config);
const deps = {
  classify: failureClassifier(config.autoBlockCodes),
  publisher: new SqsEventPublisher(config.consentQueueUrl),
  keywords: { optOut: config.optOutKeywords, optIn: config.optInKeywords },
  directory: new DynamoUserDirectory(config.consentTableName),
};

/** Meta's callbacks are small; this leaves room for a large batch of statuses and refuses abuse. */
const MAX_CALLBACK_BYTES = 1024 * 1024;

/** The unreadable items one log line names; a callback of thousands of them is summed up beyond these. */
const MAX_LOGGED_UNREADABLE = 20;

/** `GET /webhooks/whatsapp`: Meta's subscription handshake; the challenge goes back as plain text. */
export const verifySubscription: PublicRouteHandler = async (event) => {
  const query = queryParameters(event, handshakeQuery());
  const { verifyToken } = await secrets();
  if (query['hub.mode'] !== 'subscribe' || !secretsMatch(query['hub.verify_token'], verifyToken)) {
    throw new ForbiddenError('The verify token or mode is wrong.');
  }
  return text(200, query['hub.challenge']);
};

/**
 * `POST /webhooks/whatsapp`: delivery statuses, inbound messages and preferences from Meta. The signature
 * is checked on the bytes as they arrived, before anything is parsed; only a bad signature is refused.
 * Then whatever the body holds is read item by item: what cannot be read is logged and counted, never
 * refused (Meta would retry it for days). Permanent failures, keywords and marketing stops and resumes
 * are enqueued for the processor, and the rest acknowledged. The provider retries anything but a 200, so
 * a 200 means every event is queued.
 */
export const receiveCallback: PublicRouteHandler = async (event) => {
  const { appSecret } = await secrets();
  if (!appSecret) throw new ServiceUnavailableError('The webhook has no app secret configured yet.');
  const body = rawBody(event);
  if (!isSignedBy(appSecret, body, header(event, 'x-hub-signature-256'))) {
    throw new UnauthorizedError('The X-Hub-Signature-256 header is missing or does not sign this body.');
  }
  const { callback, unreadable } = readCallbackBody(body);
  reportUnreadable(unreadable);
  const received = await receiveConsentSignals(
    {
      statuses: deliveryStatusesOf(callback),
      preferences: preferencesOf(callback),
      messages: inboundMessagesOf(callback),
      pairings: pairingsOf(callback),
      numberChanges: numberChangesOf(callback),
    },
    deps,
  );
  received.statuses.forEach(logDisposition);
  received.preferences.forEach(logPreference);
  received.messages.forEach(logMessage);
  const all = [...received.statuses, ...received.preferences, ...received.messages];
  const enqueued = all.filter((disposition) => disposition.kind === 'enqueued').length + received.numberChanges.length;
  for (const change of received.numberChanges) {
    logger.info('number change enqueued', { messageId: change.providerMessageId, recipientId: change.recipientId, newRecipientId: change.movedTo?.recipientId });
  }
  const unresolved = all.filter((disposition) => disposition.kind === 'unresolved').length;
  countStatuses(received.statuses);
  if (unresolved > 0) metrics.addMetric(METRIC.unresolvedRecipients, MetricUnit.Count, unresolved);
  return json(200, {
    statuses: received.statuses.length,
    preferences: received.preferences.length,
    messages: received.messages.length,
    enqueued,
    unresolved,
    pairings: received.pairings.length,
    unreadable: unreadableItems(unreadable),
  });
};

/** Logs where and why items could not be read (never their contents), and counts them. */
function reportUnreadable(unreadable: readonly Unreadable[]): void {
  if (unreadable.length === 0) return;
  const items = unreadableItems(unreadable);
  metrics.addMetric(METRIC.callbackItemsUnreadable, MetricUnit.Count, items);
  const omitted = unreadable.length - MAX_LOGGED_UNREADABLE;
  logger.warn('callback items unreadable; acknowledged without them', {
    items,
    unreadable: unreadable.slice(0, MAX_LOGGED_UNREADABLE),
    ...(omitted > 0 ? { omitted } : {}),
  });
}

/** One metric per status class, with the callback's count of it. */
function countStatuses(dispositions: readonly Disposition[]): void {
  const counts = new Map<string, number>();
  for (const disposition of dispositions) {
    const name = STATUS_METRIC[statusClassOf(disposition, deps.classify)];
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  for (const [name, count] of counts) metrics.addMetric(name, MetricUnit.Count, count);
}

function logMessage(disposition: MessageDisposition): void {
  const about = { messageId: disposition.message.messageId, senderId: disposition.message.senderId, phoneNumberId: disposition.message.business.phoneNumberId };
  switch (disposition.kind) {
    case 'enqueued':
      return logger.info('keyword message enqueued', { ...about, action: disposition.event.action });
    case 'unknown-recipient':
      return logger.warn('keyword message from no valid number', about);
    case 'unresolved':
      return logger.warn('keyword message from a user id not paired with a number yet; kept until it is', { ...about, userId: disposition.userId });
    case 'ignored':
      return logger.debug('inbound message acknowledged; it is no keyword', about);
  }
}

function logPreference(disposition: PreferenceDisposition): void {
  const { recipientId, category, value, sender } = disposition.preference;
  const about = { recipientId, category, value, phoneNumberId: sender.phoneNumberId };
  switch (disposition.kind) {
    case 'enqueued':
      return logger.info('marketing preference enqueued', { ...about, action: disposition.event.action });
    case 'unknown-recipient':
    case 'unresolved':
      return logger.warn('marketing preference names no valid number', about);
    case 'ignored':
      return logger.info('preference acknowledged; it is not about marketing stop or resume', about);
  }
}

function logDisposition(disposition: Disposition): void {
  const { messageId, status, recipientId, sender } = disposition.status;
  const about = { messageId, status, recipientId, phoneNumberId: sender.phoneNumberId };
  switch (disposition.kind) {
    case 'not-a-failure':
      return logger.debug('delivery status acknowledged', about);
    case 'enqueued':
      return logger.info('delivery failure enqueued', { ...about, action: disposition.event.action, code: disposition.event.reasonCode });
    case 'unknown-recipient':
      return logger.warn('delivery failure names no valid number', { ...about, code: disposition.code });
    case 'unresolved':
      return logger.warn('delivery failure names a user id not paired with a number yet; kept until it is', { ...about, userId: disposition.userId, code: disposition.code });
    case 'ignored':
      if (disposition.failureClass === 'sender-account') {
        return logger.error('delivery failed because of our sender account', { ...about, code: disposition.code });
      }
      return logger.info('temporary delivery failure acknowledged', { ...about, code: disposition.code });
  }
}

export const handler = publicHttpApi(
  { 'GET /webhooks/whatsapp': verifySubscription, 'POST /webhooks/whatsapp': receiveCallback },
  { maxBodyBytes: MAX_CALLBACK_BYTES, serverErrorMetric: METRIC.webhookServerErrors },
);
