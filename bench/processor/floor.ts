import { setTimeout as delay } from 'node:timers/promises';
import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  GetItemCommand,
  type KeysAndAttributes,
  QueryCommand,
  type QueryCommandInput,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import type { Transition } from '../../shared/domain/consent-state.js';
import { auditEntryOf } from '../../shared/domain/apply-consent-event.js';
import type { ConsentEvent } from '../../shared/domain/consent-event.js';
import type { E164 } from '../../shared/domain/phone.js';
import { keys } from '../../shared/adapters/keys.js';
import type { CallCounts } from '../support/dynamodb-calls.js';
import { GUARD_LIMIT, GUARD_WINDOW_SECONDS, type Pass, type PassResult, type Planned, type Tables } from './pass.js';
import { timedPass } from './queue.js';

/*
 * The processor benchmark's raw floor: for each event, exactly the DynamoDB calls the processor makes,
 * as the adapters make them (`profile-store.ts` isHeld, `consent-state-store.ts`, `guard-counter.ts`,
 * `event-ledger.ts`), and nothing else. The calls' inputs are built when a pass is planned, before the
 * clock starts; only the guard's, which depend on what it reads, are built in the pass.
 */

/** The ledger's marker lifetime and the processor's conflict retries (`apply-consent-event.ts`). */
const MARKER_TTL_SECONDS = 90 * 24 * 60 * 60;
const MAX_ATTEMPTS = 8;
const RETRY_PAUSE_MS = 20;

/** A floor pass, in the benchmark's own process, which never loads the processor's modules. */
export async function floorPass(client: DynamoDBClient, tables: Tables, pass: Pass, calls: CallCounts): Promise<PassResult> {
  return timedPass(pass.queue, calls, (records) => floorBatch(client, tables, pass, records));
}

/** `isHeld`'s query for one of the numbers a failure names: does a profile hold it? */
export function holderQuery(tables: Tables, phone: E164): QueryCommandInput {
  return {
    TableName: tables.consent,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: marshall({ ':pk': keys.phonePartition(phone), ':prefix': keys.holderPrefix }),
    ProjectionExpression: 'pk',
    Limit: 1,
  };
}

/**
 * The event's transaction as the ledger writes it, but for the guard's items: the event marker, the audit
 * entry, the state (conditional on the version read) and, for a manual event, its request's status.
 */
export function ledgerItems(tables: Tables, event: ConsentEvent, expectedVersion: number | undefined, decided: Transition, appliedAt: string, nowSeconds: number): TransactWriteItem[] {
  const next = decided.next;
  const audit = auditEntryOf(event, appliedAt, decided.outcome);
  const after =
    decided.outcome === 'applied' && next
      ? { blocked: next.blocked, source: next.source ?? null, marketingOptOut: next.marketingOptOut ? { since: next.marketingOptOut.since, source: next.marketingOptOut.source } : null, version: next.version }
      : undefined;
  const items: TransactWriteItem[] = [
    {
      Put: {
        TableName: tables.consent,
        Item: marshall({ ...keys.appliedEvent(event.phone, event.eventId), eventId: event.eventId, expiresAt: nowSeconds + MARKER_TTL_SECONDS }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: tables.audit,
        Item: marshall({ ...keys.audit(event.phone, audit.requestedAt, event.eventId), ...audit, ...(after ? { after } : {}) }, { removeUndefinedValues: true }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
  if (next) {
    const listed = next.blocked && next.updatedAt !== undefined ? { listName: keys.blockedShard(next.phone), listedAt: next.updatedAt } : {};
    items.push({
      Put: {
        TableName: tables.consent,
        Item: marshall({ ...keys.state(next.phone), ...next, ...listed }, { removeUndefinedValues: true }),
        ...(expectedVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: marshall({ ':expected': expectedVersion }) }),
      },
    });
  }
  if (event.source === 'manual') {
    items.push({
      Update: {
        TableName: tables.consent,
        Key: marshall(keys.request(event.phone, event.requestId)),
        UpdateExpression: 'SET #status = :status, appliedAt = :appliedAt REMOVE pendingShard',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: marshall({ ':status': decided.outcome, ':appliedAt': appliedAt }),
      },
    });
  }
  return items;
}

/** The guard's read of the sender's window, and its two items, from the counts read (`event-ledger.ts`). */
async function guardItems(client: DynamoDBClient, tables: Tables, sender: string): Promise<TransactWriteItem[]> {
  const bucketSeconds = Math.max(1, Math.ceil(GUARD_WINDOW_SECONDS / 10));
  const current = Math.floor(Date.now() / (bucketSeconds * 1000));
  const buckets = Array.from({ length: 10 }, (_, back) => current - back);
  const counts = new Map<string, number>();
  let pending: KeysAndAttributes | undefined = {
    Keys: buckets.map((bucket) => ({ pk: { S: `GUARD#${sender}` }, sk: { S: `BUCKET#${bucket}` } })),
    ConsistentRead: true,
  };
  while (pending?.Keys?.length) {
    const result: BatchGetItemCommandOutput = await client.send(new BatchGetItemCommand({ RequestItems: { [tables.consent]: pending } }));
    for (const item of result.Responses?.[tables.consent] ?? []) counts.set(item['sk']!.S!, Number(item['count']?.N ?? 0));
    pending = result.UnprocessedKeys?.[tables.consent];
  }
  const earlierUsed = buckets.slice(1).reduce((sum, bucket) => sum + (counts.get(`BUCKET#${bucket}`) ?? 0), 0);
  if (earlierUsed + (counts.get(`BUCKET#${current}`) ?? 0) >= GUARD_LIMIT) throw new Error('the bench filled a guard window');
  const seen = counts.get(`BUCKET#${current - 1}`) ?? 0;
  const counter = { '#count': 'count' };
  return [
    {
      Update: {
        TableName: tables.consent,
        Key: { pk: { S: `GUARD#${sender}` }, sk: { S: `BUCKET#${current}` } },
        UpdateExpression: 'ADD #count :one SET expiresAt = :expiresAt',
        ConditionExpression: 'attribute_not_exists(#count) OR #count < :room',
        ExpressionAttributeNames: counter,
        ExpressionAttributeValues: { ':one': { N: '1' }, ':expiresAt': { N: String((current + 11) * bucketSeconds) }, ':room': { N: String(GUARD_LIMIT - earlierUsed) } },
      },
    },
    {
      ConditionCheck: {
        TableName: tables.consent,
        Key: { pk: { S: `GUARD#${sender}` }, sk: { S: `BUCKET#${current - 1}` } },
        ...(seen === 0
          ? { ConditionExpression: 'attribute_not_exists(#count)', ExpressionAttributeNames: counter }
          : { ConditionExpression: '#count = :seen', ExpressionAttributeNames: counter, ExpressionAttributeValues: { ':seen': { N: String(seen) } } }),
      },
    },
  ];
}

/** One event's calls, retried as the processor retries a conflict; a cancelled duplicate ends it. */
async function floorEvent(client: DynamoDBClient, tables: Tables, planned: Planned): Promise<void> {
  if (planned.holderQueries.length > 0) await Promise.all(planned.holderQueries.map((query) => client.send(new QueryCommand(query))));
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    if (attempt > 1) await delay(Math.random() * RETRY_PAUSE_MS * attempt);
    await client.send(new GetItemCommand(planned.stateGet));
    const items = planned.guardSender ? [...planned.items, ...(await guardItems(client, tables, planned.guardSender))] : planned.items;
    try {
      await client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      return;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
      if (codes[0] === 'ConditionalCheckFailed' || codes[1] === 'ConditionalCheckFailed') return;
      if (!codes.some((code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict')) throw error;
    }
  }
  throw new Error(`floor: ${planned.event.eventId} kept conflicting`);
}

/** A batch as the processor works on it: its numbers side by side, each number's events in order. */
async function floorBatch(client: DynamoDBClient, tables: Tables, pass: Pass, records: readonly SQSRecord[]): Promise<number> {
  const groups = new Map<string, Planned[]>();
  for (const record of records) {
    const planned = pass.byMessageId.get(record.messageId)!;
    const group = groups.get(planned.group);
    if (group) group.push(planned);
    else groups.set(planned.group, [planned]);
  }
  await Promise.all([...groups.values()].map(async (group) => {
    for (const planned of group) await floorEvent(client, tables, planned);
  }));
  return 0;
}
