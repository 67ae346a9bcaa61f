import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { E164 } from '../domain/phone.js';
import type { CreateRequestResult, RequestBatchStore, RequestReference, RequestStore } from '../domain/ports.js';
import type { ConsentRequest, IdempotencyRecord, RequestStatus } from '../domain/records.js';
import { batchGetAll } from './batch-get.js';
import { dynamoDb } from './dynamodb-client.js';
import { ServiceUnavailableError } from '../domain/errors.js';
import { cancellationCodes } from './errors.js';
import { keys, type TransactItem } from './keys.js';
import { IdempotencyKeys, recordOf } from './requests/idempotency-keys.js';
import {
  backOff,
  BATCH_GET_SIZE,
  BATCH_WRITE_SIZE,
  batchPutAll,
  chunked,
  CONCURRENT_READS,
  CONCURRENT_TRANSACTIONS,
  inParallel,
  isContended,
  MANY_WRITE_ATTEMPTS,
  TRANSACTION_ITEMS,
} from './requests/many-writes.js';
import { PendingRequests } from './requests/pending-requests.js';
import { requestFromItem } from './requests/request-items.js';
import { SequenceCounters } from './requests/sequences.js';

export { IdempotencyKeys } from './requests/idempotency-keys.js';
export { PENDING_REQUESTS_INDEX } from './requests/pending-requests.js';

/**
 * Block and unblock requests: recorded with their pointer (and idempotency key), read, and settled.
 * Sequences, idempotency keys and the reads of pending requests each have a module of their own under
 * `requests/`; this store puts them behind the domain's ports.
 */
export class DynamoRequestStore implements RequestStore, RequestBatchStore {
  private readonly idempotencyKeys: IdempotencyKeys;
  private readonly sequences: SequenceCounters;
  private readonly pending: PendingRequests;

  constructor(
    private readonly tableName: string,
    nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.idempotencyKeys = new IdempotencyKeys(tableName, nowSeconds);
    this.sequences = new SequenceCounters(tableName);
    this.pending = new PendingRequests(tableName);
  }

  nextSequence(phone: E164): Promise<number> {
    return this.sequences.nextSequence(phone);
  }

  reserveSequences(counts: ReadonlyMap<E164, number>, options: { signal?: AbortSignal } = {}): Promise<Map<E164, number>> {
    return this.sequences.reserveSequences(counts, options);
  }

  async create(
    request: ConsentRequest,
    idempotency?: { callerSub: string; key: string; bodyHash: string },
  ): Promise<CreateRequestResult> {
    // The request names its key, so that an erasure of its number finds the key (which holds a hash of the number).
    const items: TransactItem[] = this.requestPuts(request, idempotency && { callerSub: idempotency.callerSub, key: idempotency.key });
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
  private requestPuts(request: ConsentRequest, idempotencyKey: { callerSub: string; key: string } | undefined): TransactItem[] {
    return [this.requestPut(request, idempotencyKey), { Put: { TableName: this.tableName, Item: this.pointerOf(request), ConditionExpression: 'attribute_not_exists(pk)' } }];
  }

  private requestPut(request: ConsentRequest, idempotencyKey?: { callerSub: string; key: string }): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: { ...keys.request(request.phone, request.requestId), ...request, pendingShard: keys.pendingShard(request.requestId), ...(idempotencyKey ? { idempotencyKey } : {}) },
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

  listPending(phone: E164): Promise<ConsentRequest[]> {
    return this.pending.listPending(phone);
  }

  listStalePending(requestedBefore: string, limit: number): Promise<ConsentRequest[]> {
    return this.pending.listStalePending(requestedBefore, limit);
  }

  async findIdempotencyRecord(callerSub: string, key: string): Promise<IdempotencyRecord | undefined> {
    const item = await this.idempotencyKeys.find(callerSub, key);
    return item && recordOf(item);
  }

  markEnqueued(references: readonly RequestReference[]): Promise<void> {
    return this.pending.markEnqueued(references);
  }

  markFailed(phone: E164, requestId: string): Promise<void> {
    return this.pending.markFailed(phone, requestId);
  }
}
