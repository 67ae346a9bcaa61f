import { BatchGetItemCommand, type BatchGetItemCommandOutput, type DynamoDBClient, type AttributeValue, type KeysAndAttributes } from '@aws-sdk/client-dynamodb';
import type { BlocklistReader, RestrictedState } from '../domain/blocklist-check.js';
import type { E164 } from '../domain/phone.js';
import type { ConsentSource } from '../domain/consent-state.js';
import { dynamoDbClient } from './dynamodb-client.js';
import { keys } from './keys.js';

export interface BlocklistReaderOptions {
  /** @default the module's shared client */
  client?: DynamoDBClient;
  /** BatchGetItem calls in flight at once. @default 8 */
  concurrency?: number;
  /** Reads of one chunk before unprocessed keys are an error. @default 8 */
  maxAttempts?: number;
  /** First back-off before re-reading unprocessed keys; it doubles each time, with full jitter. @default 20 */
  baseDelayMs?: number;
  /** @default 1000 */
  maxDelayMs?: number;
}

/** Thrown when DynamoDB keeps leaving keys unprocessed (throttling): a check must never guess. */
export class UnprocessedKeysError extends Error {
  constructor(readonly unprocessed: number, attempts: number) {
    super(`${unprocessed} consent states were still unprocessed after ${attempts} reads`);
    this.name = 'UnprocessedKeysError';
  }
}

/** What the answer needs of a state: whether and why it is blocked, and since when it is opted out. */
export const PROJECTION = 'pk, blocked, #source, reasonCode, marketingOptOut.since';

/** BatchGetItem's limit. */
const CHUNK_SIZE = 100;
const { stateSortKey: STATE_SORT_KEY, phonePrefix: PHONE_PREFIX } = keys;

/**
 * The campaign check's reader: `BatchGetItem` on `PHONE#…/STATE`, 100 keys a call, a bounded number of
 * calls at once, and only the four attributes the answer needs. It uses the low-level client and reads
 * attribute values directly, because marshalling whole items is most of a check's CPU time otherwise.
 * Reads are eventually consistent: half the cost, and a change applied a moment ago may be missed by a
 * check made at the same moment, as it might by one made a moment earlier.
 */
export class DynamoBlocklistReader implements BlocklistReader {
  private readonly client: DynamoDBClient;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly tableName: string,
    options: BlocklistReaderOptions = {},
  ) {
    this.client = options.client ?? dynamoDbClient;
    // Zero workers would read nothing and call every number sendable: refuse such settings outright.
    this.concurrency = atLeastOne('concurrency', options.concurrency ?? 8);
    this.maxAttempts = atLeastOne('maxAttempts', options.maxAttempts ?? 8);
    this.baseDelayMs = options.baseDelayMs ?? 20;
    this.maxDelayMs = options.maxDelayMs ?? 1000;
  }

  async restrictedAmong(nextChunk: (size: number) => E164[]): Promise<Map<E164, RestrictedState>> {
    const blocked = new Map<E164, RestrictedState>();
    // Once one read fails the check has failed; the other workers stop instead of reading on.
    let failed = false;
    const worker = async () => {
      try {
        for (let chunk = nextChunk(CHUNK_SIZE); chunk.length > 0 && !failed; chunk = nextChunk(CHUNK_SIZE)) {
          await this.readChunk(chunk, blocked, () => failed);
        }
      } catch (error) {
        failed = true;
        throw error;
      }
    };
    await Promise.all(Array.from({ length: this.concurrency }, worker));
    return blocked;
  }

  private async readChunk(phones: readonly E164[], blocked: Map<E164, RestrictedState>, abandoned: () => boolean): Promise<void> {
    let pending: KeysAndAttributes | undefined = {
      Keys: phones.map((phone) => ({ pk: { S: `${PHONE_PREFIX}${phone}` }, sk: { S: STATE_SORT_KEY } })),
      ProjectionExpression: PROJECTION,
      ExpressionAttributeNames: { '#source': 'source' },
    };
    for (let attempt = 1; pending?.Keys?.length; attempt++) {
      if (attempt > this.maxAttempts) throw new UnprocessedKeysError(pending.Keys.length, this.maxAttempts);
      if (attempt > 1) await this.backOff(attempt - 1);
      if (abandoned()) return;
      const result: BatchGetItemCommandOutput = await this.client.send(new BatchGetItemCommand({ RequestItems: { [this.tableName]: pending } }));
      for (const item of result.Responses?.[this.tableName] ?? []) collectBlocked(item, blocked);
      pending = result.UnprocessedKeys?.[this.tableName];
    }
  }

  /** Full jitter: a random pause up to an exponentially growing cap (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
  private backOff(retry: number): Promise<void> {
    const cap = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (retry - 1));
    return new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
  }
}

function atLeastOne(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number of at least 1; got ${value}`);
  return value;
}

/** A block's source as stored; anything unknown is read as an editor's, the strictest to lift. */
function sourceOf(stored: string | undefined): ConsentSource {
  return stored === 'automatic' || stored === 'recipient' ? stored : 'manual';
}

function collectBlocked(item: Record<string, AttributeValue>, restricted: Map<E164, RestrictedState>): void {
  const isBlocked = item['blocked']?.BOOL === true;
  const optedOutSince = item['marketingOptOut']?.M?.['since']?.S;
  if (!isBlocked && optedOutSince === undefined) return;
  const phone = item['pk']?.S?.slice(PHONE_PREFIX.length) as E164 | undefined;
  if (!phone) return;
  restricted.set(phone, {
    block: isBlocked ? { source: sourceOf(item['source']?.S), reasonCode: item['reasonCode']?.S } : undefined,
    optedOutSince,
  });
}
