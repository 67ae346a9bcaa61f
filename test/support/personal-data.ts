import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { keys } from '../../shared/adapters/keys.js';
import type { QueuedEvent } from '../../shared/domain/consent-event.js';
import { e164, sampleAutomaticEvent } from '../unit/support/samples.js';
import { apiEvent, editor, invoke, profileAdmin, type ApiHandler } from './api-events.js';
import { uniquePhone } from './consent-api.js';
import type { TestResources } from './isolated-resources.js';
import { batch, takeMessages } from './sqs-records.js';
import { applyEvents, type Processor } from './apply-events.js';
import { queueDepth } from './tables.js';


/** The functions a person's data is made with. */
export interface Handlers {
  profiles: { handler: ApiHandler };
  requests: { handler: ApiHandler };
  imports: { handler: ApiHandler };
  processor: Processor;
}

/**
 * The functions a person's data is made with, imported now: call it once the test's resources and
 * settings are in the environment, which the functions read when they load.
 */
export async function handlersOfPeople(): Promise<Handlers> {
  return {
    profiles: await import('../../functions/profiles/handler.js'),
    requests: await import('../../functions/consent-requests/handler.js'),
    imports: await import('../../functions/blocklist-imports/handler.js'),
    processor: (await import('../../functions/processor/handler.js')).handler as Processor,
  };
}

/** What `seedPerson` made of a number's data, to look for in its export. */
export interface SeededPerson {
  phone: string;
  profileId: string;
  /** The profile's other number, which must come out of the erasure untouched. */
  neighbour: string;
  userId: string;
  importId: string;
  /** The editor's reason of the block in force. */
  reason: string;
  /** A request accepted and still on the queue. */
  pendingRequestId: string;
  heldEventId: string;
  unresolvedEventId: string;
}

/**
 * Stores one of everything the service can hold about a number, through the real functions where a
 * function writes it: a profile that holds it (with a neighbour), an automatic block the guard held
 * (the processor's guard limit must be 1, and `heldSender` a sender of its own), a pairing with a user
 * id, an import row that blocks it, an editor's unblock and block with reasons (the last with an
 * `Idempotency-Key`), a provider failure, a signal kept under that user id (as one kept in the race with its pairing),
 * and a request that is still pending on the queue (unless `pending: false`).
 */
export async function seedPerson(
  phone: string,
  { resources, handlers, heldSender, pending = true }: { resources: TestResources; handlers: Handlers; heldSender: string; pending?: boolean },
): Promise<SeededPerson> {
  const tag = randomUUID().slice(0, 8);
  const neighbour = uniquePhone();
  const profileId = `person-${tag}`;
  const put = await invoke(handlers.profiles.handler, apiEvent('PUT /profiles/{profileId}', { pathParameters: { profileId }, body: { whatsappNumbers: [phone, neighbour] }, caller: profileAdmin }));
  expect(put.status).toBe(200);

  const sender = `sender-${tag}`;
  const userId = `US.${tag}`;
  const heldEventId = `wa-held-${tag}`;
  await applyEvents(handlers.processor, [
    // The guard's one slot goes to the neighbour; the number's failure, while it is sendable, is held.
    sampleAutomaticEvent({ eventId: `wa-slot-${tag}`, phone: e164(neighbour), recipientId: neighbour.slice(1), actor: { type: 'provider', provider: 'whatsapp', phoneNumberId: heldSender }, occurredAt: new Date().toISOString() }),
    sampleAutomaticEvent({ eventId: heldEventId, phone: e164(phone), recipientId: phone.slice(1), actor: { type: 'provider', provider: 'whatsapp', phoneNumberId: heldSender }, occurredAt: new Date().toISOString() }),
    { version: 1, eventId: `pair-${tag}`, source: 'pairing', userId, phone: e164(phone), alternatives: [], recipientId: phone.slice(1), seenAt: new Date().toISOString() },
  ]);

  const imported = await invoke(
    handlers.imports.handler,
    apiEvent('POST /blocklist/imports', { body: `phone,action,reason\n${phone},block,From the old CRM\n${neighbour},block,Also from the old CRM\n`, caller: editor, headers: { 'content-type': 'text/csv' } }),
  );
  expect(imported.status).toBe(202);
  await processQueued(resources, handlers.processor);

  const reason = `Asked us by phone to stop (${tag})`;
  await request(handlers, 'unblock', profileId, phone, 'Cleared after the import');
  await request(handlers, 'block', profileId, phone, reason, `key-${tag}`);
  await processQueued(resources, handlers.processor);
  await applyEvents(handlers.processor, [
    sampleAutomaticEvent({ eventId: `wa-failed-${tag}`, phone: e164(phone), recipientId: phone.slice(1), actor: { type: 'provider', provider: 'whatsapp', phoneNumberId: sender }, occurredAt: new Date().toISOString() }),
  ]);

  const unresolvedEventId = `wa-unresolved-${tag}`;
  const { phone: _, alternatives: __, recipientId: ___, ...numberless } = sampleAutomaticEvent({ eventId: unresolvedEventId, reason: 'Kept under the user id', occurredAt: new Date().toISOString(), userId });
  await resources.dynamoDb.send(
    new PutCommand({
      TableName: resources.consentTableName,
      Item: { ...keys.unresolved(userId, unresolvedEventId), userId, receivedAt: new Date().toISOString(), event: numberless, listName: keys.unresolvedList, listedAt: new Date().toISOString() },
    }),
  );

  const pendingRequestId = pending ? await request(handlers, 'unblock', profileId, phone, 'Changed their mind') : '';
  const importId: string = imported.body.importId;
  return { phone, profileId, neighbour, userId, importId, reason, pendingRequestId, heldEventId, unresolvedEventId };
}

/** An editor's request through the API function; its id. */
export async function request(handlers: Pick<Handlers, 'requests'>, action: 'block' | 'unblock', profileId: string, phone: string, reason: string, key?: string): Promise<string> {
  const response = await invoke(
    handlers.requests.handler,
    apiEvent(`POST /profiles/{profileId}/whatsapp/{phone}/${action}`, {
      pathParameters: { profileId, phone },
      body: { reason },
      caller: editor,
      headers: key === undefined ? {} : { 'idempotency-key': key },
    }),
  );
  expect(response.status).toBe(202);
  return response.body.requestId;
}

/** Applies every event on the queue, as the processor behind it would. */
export async function processQueued(resources: TestResources, processor: Processor): Promise<void> {
  const depth = await queueDepth(resources.sqs, resources.consentQueueUrl);
  if (depth === 0) return;
  const records = await takeMessages(resources.sqs, resources.consentQueueUrl, depth);
  const response = (await processor(batch(...records), lambdaContext('processor'))) as SQSBatchResponse;
  expect(response.batchItemFailures).toEqual([]);
}

