import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { onFirstUse } from '../domain/on-first-use.js';
import type { BlockedNumber, BlockedNumbersFilter, BlockedNumbersReader } from '../domain/blocked-numbers.js';
import type { Page, PageRequest } from '../domain/records.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { dynamoDb } from './dynamodb-client.js';
import { keys, LIST_INDEX } from './keys.js';

/** An item's key in the list index, as DynamoDB takes it to start a query after it (no key value is empty). */
const itemKeySchema = onFirstUse(() =>
  z.strictObject({
    listName: z.string().check(z.minLength(1), z.maxLength(64)),
    listedAt: z.string().check(z.minLength(1), z.maxLength(64)),
    pk: z.string().check(z.minLength(1), z.maxLength(200)),
    sk: z.string().check(z.minLength(1), z.maxLength(64)),
  }),
);
type ItemKey = z.infer<ReturnType<typeof itemKeySchema>>;

/** Where each shard's reading stands: after that item, or (null) at its start. */
type Positions = Record<string, ItemKey | null>;

/**
 * The blocked numbers, read from the shards of the list index (`BLOCKED#0…`) and merged by the time of
 * their latest change, newest first; never a scan of the table.
 *
 * A page takes from each shard in turn whichever item is newest, until it has one item more than it
 * shows (which tells whether another page follows). Its cursor holds, for each shard, the key of the
 * last item shown from it: the next page reads each shard on from there, so no item is skipped or
 * repeated however the shards interleave.
 */
export class DynamoBlockedNumbersIndex implements BlockedNumbersReader {
  constructor(private readonly tableName: string) {}

  async list(filter: BlockedNumbersFilter, page: PageRequest): Promise<Page<BlockedNumber>> {
    const positions = page.cursor === undefined ? startPositions() : decodePositions(page.cursor, filter);
    const shards = keys.blockedShards.map((shard) => new ShardReader(this.tableName, shard, positions[shard] ?? null, filter, page.limit + 1));
    const taken: { shard: ShardReader; item: Record<string, any> }[] = [];
    while (taken.length <= page.limit) {
      const heads = await Promise.all(shards.map(async (shard) => ({ shard, item: await shard.peek() })));
      const newest = heads
        .filter((head): head is { shard: ShardReader; item: Record<string, any> } => head.item !== undefined)
        .sort((a, b) => compareNewestFirst(a.item, b.item))[0];
      if (!newest) break;
      taken.push({ shard: newest.shard, item: newest.shard.take() });
    }
    const shown = taken.slice(0, page.limit);
    const next: Positions = { ...positions };
    for (const { shard, item } of shown) next[shard.name] = keyOf(item);
    return {
      items: shown.map(({ item }) => blockedFromItem(item)),
      nextCursor: taken.length > page.limit ? encodeCursor(next) : null,
    };
  }
}

/** One shard's items in order, read a page at a time as the merge asks for them. */
class ShardReader {
  private buffer: Record<string, any>[] = [];
  private startKey: ItemKey | undefined;
  private exhausted = false;

  constructor(
    private readonly tableName: string,
    readonly name: string,
    after: ItemKey | null,
    private readonly filter: BlockedNumbersFilter,
    private readonly pageSize: number,
  ) {
    this.startKey = after ?? undefined;
  }

  async peek(): Promise<Record<string, any> | undefined> {
    while (this.buffer.length === 0 && !this.exhausted) await this.readMore();
    return this.buffer[0];
  }

  take(): Record<string, any> {
    const item = this.buffer.shift();
    if (!item) throw new Error('take() without an item; peek() first');
    return item;
  }

  private async readMore(): Promise<void> {
    const { source, reasonCode, changedAfter } = this.filter;
    const conditions = [source && '#source = :source', reasonCode && 'reasonCode = :reasonCode'].filter(Boolean).join(' AND ');
    const result = await dynamoDb.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: LIST_INDEX,
        KeyConditionExpression: changedAfter ? 'listName = :shard AND listedAt > :after' : 'listName = :shard',
        ...(conditions ? { FilterExpression: conditions } : {}),
        ...(source ? { ExpressionAttributeNames: { '#source': 'source' } } : {}),
        ExpressionAttributeValues: {
          ':shard': this.name,
          ...(changedAfter ? { ':after': changedAfter } : {}),
          ...(source ? { ':source': source } : {}),
          ...(reasonCode ? { ':reasonCode': reasonCode } : {}),
        },
        ScanIndexForward: false,
        Limit: this.pageSize,
        ExclusiveStartKey: this.startKey,
      }),
    );
    this.buffer.push(...(result.Items ?? []));
    this.startKey = result.LastEvaluatedKey as ItemKey | undefined;
    this.exhausted = this.startKey === undefined;
  }
}

/** Newest change first; items changed at the same moment in a fixed order, by number. */
function compareNewestFirst(a: Record<string, any>, b: Record<string, any>): number {
  return String(b['listedAt']).localeCompare(String(a['listedAt'])) || String(b['pk']).localeCompare(String(a['pk']));
}

function keyOf(item: Record<string, any>): ItemKey {
  return { listName: item['listName'], listedAt: item['listedAt'], pk: item['pk'], sk: item['sk'] };
}

function startPositions(): Positions {
  return Object.fromEntries(keys.blockedShards.map((shard) => [shard, null]));
}

/**
 * Each shard's position must be a key of that shard's list, of a number's state, and inside the range the
 * query reads (a cursor of an unfiltered listing may hold changes from before `changedAfter`, which
 * DynamoDB refuses as a start key).
 */
function decodePositions(cursor: string, filter: BlockedNumbersFilter): Positions {
  const schema = z.strictObject(Object.fromEntries(keys.blockedShards.map((shard) => [shard, z.nullable(itemKeySchema())])));
  const inRange = (key: ItemKey) => filter.changedAfter === undefined || key.listedAt > filter.changedAfter;
  return decodeCursor(cursor, schema, (positions) =>
    Object.entries(positions as Positions).every(
      ([shard, key]) => key === null || (key.listName === shard && key.pk.startsWith(keys.phonePrefix) && inRange(key)),
    ),
  ) as Positions;
}

function blockedFromItem(item: Record<string, any>): BlockedNumber {
  return {
    phone: item['phone'],
    source: item['source'],
    reason: item['reason'],
    reasonCode: item['reasonCode'],
    updatedAt: item['updatedAt'],
    updatedBy: item['updatedBy'],
  };
}
