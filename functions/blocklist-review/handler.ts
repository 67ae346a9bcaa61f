import { readConfig } from '../../shared/config.js';
import { discardHeldBlocks, releaseHeldBlocks } from '../../shared/domain/review-held-blocks.js';
import { DynamoHeldBlockStore } from '../../shared/adapters/held-block-store.js';
import { DynamoUserDirectory } from '../../shared/adapters/user-directory.js';
import { SqsEventPublisher } from '../../shared/adapters/sqs-event-publisher.js';
import { systemClock } from '../../shared/adapters/runtime.js';
import { httpApi } from '../../shared/http/http-api.js';
import { authorise } from '../../shared/http/authorise.js';
import { jsonBody, queryParameters } from '../../shared/http/request.js';
import { heldDecisionBody } from '../../shared/http/contract/bodies.js';
import { pageQuery } from '../../shared/http/contract/parameters.js';
import { json } from '../../shared/http/responses.js';
import type { RouteHandler } from '../../shared/http/types.js';
import { logger } from '../../shared/observability.js';

const config = readConfig(['consentTableName', 'auditTableName', 'consentQueueUrl']);
const held = new DynamoHeldBlockStore(config.consentTableName, config.auditTableName);
const directory = new DynamoUserDirectory(config.consentTableName);
const publisher = new SqsEventPublisher(config.consentQueueUrl);

/** `GET /blocklist/held`: automatic blocks the guard held, newest first. */
export const listHeld: RouteHandler = async (event, { caller }) => {
  authorise(caller, 'consent:read');
  const page = await held.list(queryParameters(event, pageQuery()));
  return json(200, {
    items: page.items.map(({ phone, sender, reasonCode, failedAt, heldAt }) => ({ phone, sender, reasonCode: reasonCode ?? null, failedAt, heldAt })),
    nextCursor: page.nextCursor,
  });
};

/** `POST /blocklist/held/release`: each held block is enqueued to be applied as the automatic block it was. */
export const releaseHeld: RouteHandler = async (event, { caller }) => {
  authorise(caller, 'whatsapp-blocklist:edit');
  const decision = jsonBody(event, heldDecisionBody());
  const released = await releaseHeldBlocks(caller, decision, { held, publisher, clock: systemClock });
  logger.info('held automatic blocks released', { released: released.released.length, by: caller.username });
  return json(202, released);
};

/** `POST /blocklist/held/discard`: the held blocks leave the list, recorded in each number's history. */
export const discardHeld: RouteHandler = async (event, { caller }) => {
  authorise(caller, 'whatsapp-blocklist:edit');
  const decision = jsonBody(event, heldDecisionBody());
  const discarded = await discardHeldBlocks(caller, decision, { held, clock: systemClock });
  logger.info('held automatic blocks discarded', { discarded: discarded.discarded.length, by: caller.username });
  return json(200, discarded);
};

/** `GET /blocklist/unresolved`: failures that named their recipient by a user id not yet paired with a number. */
export const listUnresolved: RouteHandler = async (event, { caller }) => {
  authorise(caller, 'consent:read');
  const query = queryParameters(event, pageQuery());
  const [page, count] = await Promise.all([directory.listUnresolved(query), directory.countUnresolved()]);
  return json(200, {
    count,
    items: page.items.map((signal) => ({
      userId: signal.userId,
      sender: signal.event.actor.phoneNumberId,
      action: signal.event.action,
      reasonCode: signal.event.reasonCode ?? null,
      reason: signal.event.reason,
      providerMessageId: signal.event.providerMessageId ?? null,
      profileId: signal.event.profileId ?? null,
      failedAt: signal.event.occurredAt,
      receivedAt: signal.receivedAt,
    })),
    nextCursor: page.nextCursor,
  });
};

export const handler = httpApi({
  'GET /blocklist/held': listHeld,
  'POST /blocklist/held/release': releaseHeld,
  'POST /blocklist/held/discard': discardHeld,
  'GET /blocklist/unresolved': listUnresolved,
});
