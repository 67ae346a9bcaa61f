import { BatchWriteCommand, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { E164 } from '../domain/phone.js';
import type { CreateRequestResult, RequestBatchStore, RequestReference, RequestStore } from '../domain/ports.js';
import type { ConsentRequest, IdempotencyRecord, RequestStatus } from '../domain/records.js';
import { batchGetAll } from './batch-get.js';
import { dynamoDb } from './dynamodb-client.js';
import { ServiceUnavailableError } from '../domain/errors.js';
import { cancellationCodes, isConditionalCheckFailed } from './errors.js';
import { keys, type TransactItem } from './keys.js';

/** How long an `Idempotency-Key` is remembered. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/** The consent table's sparse index of pending requests (`infra/resources.ts` defines it for both stacks). */
export const PENDING_REQUESTS_INDEX = 'byPending';

/** Reads of an idempotency key that a concurrent submission is writing (about 0.6 s in all). */
const KEY_READ_ATTEMPTS = 5;

/** How many of a number's newest requests the profile page looks through for pending ones. */
const PENDING_SCAN_LIMIT = 200;

/** The most items one TransactWriteItems takes. */
const TRANSACTION_ITEMS = 100;
/** The most items one BatchWriteItem takes. */
const BATCH_WRITE_SIZE = 25;
/** The most keys one BatchGetItem takes. */
const BATCH_GET_SIZE = 100;
/** Writes of many items (transactions, batches) in flight at once. */
const CONCURRENT_TRANSACTIONS = 8;
/** BatchGetItem calls in flight at once. */
const CONCURRENT_READS = 8;
/** Tries of one write of many items that keeps meeting a concurrent writer of the same items. */
const MANY_WRITE_ATTEMPTS = 5;

/**
 * Callers' `Idempotency-Key`s (`IDEMPOTENCY#<sub>#<key>`), each naming what it holds: a single request or
 * a blocklist import. One namespace per caller, so a key cannot hold both.
 */
export class IdempotencyKeys {
  constructor(
    private readonly tableName: string,
    private readonly nowSeconds: () => number,
  ) {}

  /** The put that takes a key for its holder, in the transaction that writes the holder, unless it is taken. */
  put(idempotency: { callerSub: string; key: string; bodyHash: string }, holder: Record<string, string>): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          ...keys.idempotency(idempotency.callerSub, idempotency.key),
          ...holder,
          bodyHash: idempotency.bodyHash,
          expiresAt: this.nowSeconds() + IDEMPOTENCY_TTL_SECONDS,
        },
        // TTL deletion is lazy (and DynamoDB Local never does it), so an expired key counts as free.
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
        ExpressionAttributeValues: { ':now': this.nowSeconds() },
      },
    };
  }

  /** The key's item, unless it is unknown or expired. */
  async find(callerSub: string, key: string): Promise<Record<string, any> | undefined> {
    const { Item } = await dynamoDb.send(
      new GetCommand({ TableName: this.tableName, Key: keys.idempotency(callerSub, key), ConsistentRead: true }),
    );
    return Item && Number(Item['expiresAt']) >= this.nowSeconds() ? Item : undefined;
  }

  /** The item of a key that a concurrent transaction may still be writing: a few reads, a little apart. */
  async awaitItem(callerSub: string, key: string): Promise<Record<string, any> | undefined> {
    for (let attempt = 0; attempt < KEY_READ_ATTEMPTS; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
      const existing = await this.find(callerSub, key);
      if (existing) return existing;
    }
    return undefined;
  }
}

export class DynamoRequestStore implements RequestStore, RequestBatchStore {
  private readonly idempotencyKeys: IdempotencyKeys;

  constructor(
    private readonly tableName: string,
    nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.idempotencyKeys = new IdempotencyKeys(tableName, nowSeconds);
  }

  async nextSequence(phone: E164): Promise<number> {
    const { Attributes } = await dynamoDb.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.sequence(phone),
        UpdateExpression: 'ADD #value :one',
        ExpressionAttributeNames: { '#value': 'value' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.['value']);
  }

  /**
   * A hundred counters a transaction, a few transactions at once: each counter is read, then set to its
   * value plus its count provided it still has the value read (or still does not exist). A transaction
   * that meets a counter raised in between (a request made through the API meanwhile) writes nothing,
   * and is read and tried again. One transaction of a hundred items costs DynamoDB far less time than a
   * hundred single updates (and DynamoDB Local about a third of it).
   */
  async reserveSequences(counts: ReadonlyMap<E164, number>, options: { signal?: AbortSignal } = {}): Promise<Map<E164, number>> {
    const firsts = new Map<E164, number>();
    await inParallel(chunked([...counts.keys()], TRANSACTION_ITEMS), CONCURRENT_TRANSACTIONS, options.signal, async (phones) => {
      for (let attempt = 1; ; attempt++) {
        const values = await this.sequenceValues(phones);
        const items = phones.map((phone) => this.counterWrite(phone, values.get(phone), counts.get(phone) ?? 0));
        try {
          await dynamoDb.send(new TransactWriteCommand({ TransactItems: items }));
          for (const phone of phones) firsts.set(phone, (values.get(phone) ?? 0) + 1);
          return;
        } catch (error) {
          if (!isContended(error) || attempt === MANY_WRITE_ATTEMPTS) throw error;
          await backOff(attempt);
        }
      }
    });
    return firsts;
  }

  /** The counters' values as they are now; a number never counted has none. */
  private async sequenceValues(phones: readonly E164[]): Promise<Map<E164, number>> {
    const items = await batchGetAll(this.tableName, phones.map(keys.sequence), { consistent: true });
    return new Map(items.map((item) => [String(item['pk']).slice(keys.phonePrefix.length) as E164, Number(item['value'])]));
  }

  /** Raises a counter from the value read by `count`, provided nobody raised it since. */
  private counterWrite(phone: E164, current: number | undefined, count: number): TransactItem {
    if (current === undefined) {
      return { Put: { TableName: this.tableName, Item: { ...keys.sequence(phone), value: count }, ConditionExpression: 'attribute_not_exists(pk)' } };
    }
    return {
      Update: {
        TableName: this.tableName,
        Key: keys.sequence(phone),
        UpdateExpression: 'SET #value = :next',
        ConditionExpression: '#value = :current',
        ExpressionAttributeNames: { '#value': 'value' },
        ExpressionAttributeValues: { ':next': current + count, ':current': current },
      },
    };
  }

  async create(
    request: ConsentRequest,
    idempotency?: { callerSub: string; key: string; bodyHash: string },
  ): Promise<CreateRequestResult> {
    const items: TransactItem[] = this.requestPuts(request);
    if (idempotency) items.push(this.idempotencyKeys.put(idempotency, { requestId: request.requestId }));
    try {
      // The token makes the SDK's own retry of a write whose answer was lost a no-op that succeeds.
      await dynamoDb.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: request.requestId }));
      return { created: true };
    } catch (error) {
      const codes = cancellationCodes(error);
      const keyTaken = codes?.[2] === 'ConditionalCheckFailed' || codes?.[2] === 'TransactionConflict';
      if (idempotency && keyTaken) {
        // Another request holds the key, or is writing it right now (a concurrent submission with the
        // same key): answer with that request once it is visible.
        const existing = await this.idempotencyKeys.awaitItem(idempotency.callerSub, idempotency.key);
        if (existing) return { created: false, existing: recordOf(existing) };
        throw new ServiceUnavailableError('Another request with this Idempotency-Key is being recorded; nothing was recorded for this one. Retry with the same key.', {
          cause: error,
        });
      }
      throw error;
    }
  }

  /** A new request and its pointer, each only if it does not exist yet. */
  private requestPuts(request: ConsentRequest): TransactItem[] {
    return [this.requestPut(request), { Put: { TableName: this.tableName, Item: this.pointerOf(request), ConditionExpression: 'attribute_not_exists(pk)' } }];
  }

  private requestPut(request: ConsentRequest): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: { ...keys.request(request.phone, request.requestId), ...request, pendingShard: keys.pendingShard(request.requestId) },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private pointerOf(request: ConsentRequest): Record<string, unknown> {
    return { ...keys.requestPointer(request.requestId), phone: request.phone };
  }

  /**
   * The pointers first, 25 a `BatchWriteItem`: a pointer never changes, so writing it again is harmless,
   * and one whose request is never written (an interrupted attempt) finds nothing. Then the requests, a
   * hundred a transaction, each only if it does not exist: a transaction cancelled because some exist
   * (an earlier attempt wrote them, or one running now is writing them) is tried again with those that
   * do not, so no request is ever overwritten, and one the processor has settled since stays settled.
   * Once `signal` aborts, no further call is started.
   */
  async createMany(requests: readonly ConsentRequest[], options: { signal?: AbortSignal } = {}): Promise<void> {
    const pointers = requests.map((request) => this.pointerOf(request));
    await inParallel(chunked(pointers, BATCH_WRITE_SIZE), CONCURRENT_TRANSACTIONS, options.signal, (chunk) => batchPutAll(this.tableName, chunk));
    await inParallel(chunked(requests, TRANSACTION_ITEMS), CONCURRENT_TRANSACTIONS, options.signal, (chunk) => this.createChunk(chunk));
  }

  private async createChunk(requests: readonly ConsentRequest[]): Promise<void> {
    let missing = requests;
    for (let attempt = 1; missing.length > 0; attempt++) {
      try {
        await dynamoDb.send(new TransactWriteCommand({ TransactItems: missing.map((request) => this.requestPut(request)) }));
        return;
      } catch (error) {
        if (!isContended(error) || attempt === MANY_WRITE_ATTEMPTS) throw error;
        await backOff(attempt);
        const stored = await this.getMany(missing);
        missing = missing.filter((request) => !stored.has(request.requestId));
      }
    }
  }

  async getMany(references: readonly RequestReference[]): Promise<Map<string, ConsentRequest>> {
    const items = await this.readMany(references, true);
    return new Map(items.map((item) => [item['requestId'] as string, requestFromItem(item)]));
  }

  async statusesOf(references: readonly RequestReference[]): Promise<Map<string, RequestStatus>> {
    const items = await this.readMany(references, false);
    return new Map(items.map((item) => [item['requestId'] as string, item['status'] as RequestStatus]));
  }

  private async readMany(references: readonly RequestReference[], consistent: boolean): Promise<Record<string, any>[]> {
    const found: Record<string, any>[] = [];
    const chunks = chunked(references.map(({ phone, requestId }) => keys.request(phone, requestId)), BATCH_GET_SIZE);
    await inParallel(chunks, CONCURRENT_READS, undefined, async (chunk) => {
      found.push(...(await batchGetAll(this.tableName, chunk, { consistent })));
    });
    return found;
  }

  async get(requestId: string): Promise<ConsentRequest | undefined> {
    const pointer = await dynamoDb.send(
      new GetCommand({ TableName: this.tableName, Key: keys.requestPointer(requestId), ConsistentRead: true }),
    );
    const phone = pointer.Item?.['phone'] as E164 | undefined;
    if (!phone) return undefined;
    const { Item } = await dynamoDb.send(
      new GetCommand({ TableName: this.tableName, Key: keys.request(phone, requestId), ConsistentRead: true }),
    );
    return Item ? requestFromItem(Item) : undefined;
  }

  async listPending(phone: E164): Promise<ConsentRequest[]> {
    const pending: ConsentRequest[] = [];
    let examined = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamoDb.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          FilterExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pk': keys.phonePartition(phone), ':prefix': keys.requestPrefix, ':pending': 'pending' },
          ScanIndexForward: false,
          ConsistentRead: true,
          Limit: 50,
          ExclusiveStartKey: startKey,
        }),
      );
      pending.push(...(page.Items ?? []).map(requestFromItem));
      examined += page.ScannedCount ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey && examined < PENDING_SCAN_LIMIT);
    return pending.reverse();
  }

  /**
   * Requests pending since before `requestedBefore`, oldest first, up to `limit`, from the sparse index
   * of pending requests (each shard read in turn; the index is eventually consistent, so a request that
   * settled a moment ago may still be listed).
   */
  async listStalePending(requestedBefore: string, limit: number): Promise<ConsentRequest[]> {
    const stale: ConsentRequest[] = [];
    for (const shard of keys.pendingShards) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await dynamoDb.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: PENDING_REQUESTS_INDEX,
            KeyConditionExpression: 'pendingShard = :shard AND requestedAt < :before',
            ExpressionAttributeValues: { ':shard': shard, ':before': requestedBefore },
            Limit: limit - stale.length,
            ExclusiveStartKey: startKey,
          }),
        );
        stale.push(...(page.Items ?? []).map(requestFromItem));
        startKey = page.LastEvaluatedKey;
      } while (startKey && stale.length < limit);
      if (stale.length >= limit) break;
    }
    return stale.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
  }

  async findIdempotencyRecord(callerSub: string, key: string): Promise<IdempotencyRecord | undefined> {
    const item = await this.idempotencyKeys.find(callerSub, key);
    return item && recordOf(item);
  }

  /** Takes the requests out of the index of pending requests: the sweeper reads no other. */
  async markEnqueued(references: readonly RequestReference[]): Promise<void> {
    await inParallel(references, CONCURRENT_TRANSACTIONS, undefined, ({ phone, requestId }) => this.updateIfPending(phone, requestId, 'REMOVE pendingShard'));
  }

  /** A dead-lettered copy of an event must not overwrite the real outcome of its request: only a pending one fails. */
  async markFailed(phone: E164, requestId: string): Promise<void> {
    await this.updateIfPending(phone, requestId, 'SET #status = :failed REMOVE pendingShard', { ':failed': 'failed' });
  }

  /** Updates a request that is still pending; one that has settled (or is unknown) is left as it is. */
  private async updateIfPending(phone: E164, requestId: string, updateExpression: string, values: Record<string, unknown> = {}): Promise<void> {
    try {
      await dynamoDb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.request(phone, requestId),
          UpdateExpression: updateExpression,
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending', ...values },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}

/**
 * Runs `work` on every item, at most `concurrency` at once. Once `signal` aborts, no further item is
 * started, and its reason is thrown when those in flight are done.
 */
async function inParallel<T>(items: readonly T[], concurrency: number, signal: AbortSignal | undefined, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) {
      signal?.throwIfAborted();
      await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Puts items with `BatchWriteItem`, again with a growing pause for those DynamoDB leaves unprocessed. */
async function batchPutAll(tableName: string, items: readonly Record<string, unknown>[]): Promise<void> {
  let pending: BatchWriteCommandInput['RequestItems'] = { [tableName]: items.map((Item) => ({ PutRequest: { Item } })) };
  for (let attempt = 1; pending && Object.keys(pending).length > 0; attempt++) {
    if (attempt > MANY_WRITE_ATTEMPTS) throw new Error(`${pending[tableName]?.length} items stayed unprocessed after ${MANY_WRITE_ATTEMPTS} writes`);
    if (attempt > 1) await backOff(attempt - 1);
    ({ UnprocessedItems: pending } = await dynamoDb.send(new BatchWriteCommand({ RequestItems: pending })));
  }
}

/** A transaction cancelled by a condition or by a concurrent transaction on one of its items. */
function isContended(error: unknown): boolean {
  return cancellationCodes(error)?.some((code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict') ?? false;
}

/** A random pause up to a cap that doubles with each attempt (full jitter). */
function backOff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * 2 ** attempt));
}

function chunked<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

function recordOf(item: Record<string, any>): IdempotencyRecord {
  return { requestId: item['requestId'], bodyHash: item['bodyHash'] };
}

function requestFromItem(item: Record<string, any>): ConsentRequest {
  return {
    requestId: item['requestId'],
    status: item['status'],
    action: item['action'],
    phone: item['phone'],
    profileId: item['profileId'],
    importId: item['importId'],
    reason: item['reason'],
    requestedBy: item['requestedBy'],
    requestedAt: item['requestedAt'],
    appliedAt: item['appliedAt'],
    sequence: item['sequence'],
  };
}
