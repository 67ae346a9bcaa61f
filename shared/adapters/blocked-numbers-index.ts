import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { onFirstUse } from '../domain/on-first-use.js';
import type { BlockedNumber, BlockedNumbersFilter, BlockedNumbersReader } from '../domain/blocked-numbers.js';
import type { Page, PageRequest } from '../domain/records.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { dynamoDb } from './dynamodb-client.js';
import { keys, LIST_INDEX } from './keys.js';
import { senderOfChange } from '../domain/provider-sender.js';

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

/** Where each shard's reading stands: after that item, at its start (null), or at its end. */
type Position = ItemKey | null | typeof END;
type Positions = Record<string, Position>;
const END = 'end';

/**
 * What one call may read of numbers that the filters leave out. DynamoDB filters after reading, so a
 * rare `source` or `reasonCode` would otherwise read every shard to its end in one call; past this, the
 * call answers the numbers found so far (a short page, or none) with a cursor that reads on from there.
 */
export const MOST_DROPPED_PER_CALL = 1_000;

/**
 * Items one query of a filtered listing reads (an unfiltered one reads a page and one more). The budget
 * above takes one such read of every shard, so a call that stops early has always moved some shard on,
 * and following the cursors comes to an end.
 */
const FILTERED_READ = MOST_DROPPED_PER_CALL / keys.blockedShards.length;

/**
 * The blocked numbers, read from the shards of the list index (`BLOCKED#0…`) and merged by the time of
 * their latest change, newest first; never a scan of the table.
 *
 * The merge shows an item once it is newer than anything any other shard may still hold: that shard's
 * next item read, or, when none is waiting, the key its reading stopped at (everything after it is
 * older). Its cursor holds, for each shard, where to read on so that nothing unshown is skipped: after
 * the last item shown from it, or after the last key read when everything read was shown or dropped.
 * An unfiltered page is full whenever the list has the numbers; a filtered one may be short (even
 * empty) with a cursor, once the call has dropped `MOST_DROPPED_PER_CALL` numbers.
 */
export class DynamoBlockedNumbersIndex implements BlockedNumbersReader {
  constructor(private readonly tableName: string) {}

  async list(filter: BlockedNumbersFilter, page: PageRequest): Promise<Page<BlockedNumber>> {
    const positions = page.cursor === undefined ? startPositions() : decodePositions(page.cursor, filter);
    const filtered = filter.source !== undefined || filter.reasonCode !== undefined;
    const shards = keys.blockedShards.map((shard) => new ShardReader(this.tableName, shard, positions[shard] ?? null, filter));
    const shown: Record<string, any>[] = [];
    let dropped = 0;
    let more = false;
    for (;;) {
      const bounds = shards.flatMap(boundOf).sort((a, b) => compareBounds(a.bound, b.bound));
      const [newest] = bounds;
      if (!newest) break;
      if (newest.bound.kind === 'item' && shown.length < page.limit) {
        shown.push(newest.shard.take());
        continue;
      }
      const full = shown.length === page.limit;
      const room = MOST_DROPPED_PER_CALL - dropped;
      if ((full && bounds.some(({ bound }) => bound.kind === 'item')) || room <= 0) {
        more = true;
        break;
      }
      // Every shard that may hold something newer than the items read must be read before one is shown:
      // at once, as many as the budget has room for. A full page only asks whether one more item follows.
      const firstItem = bounds.findIndex(({ bound }) => bound.kind === 'item');
      const unread = bounds.slice(0, firstItem === -1 ? bounds.length : firstItem);
      const size = filtered ? Math.min(FILTERED_READ, room) : page.limit + 1;
      const reads = full ? unread.slice(0, 1) : filtered ? unread.slice(0, Math.max(1, Math.floor(room / FILTERED_READ))) : unread;
      const drops = await Promise.all(reads.map(({ shard }) => shard.read(size)));
      dropped += drops.reduce((sum, count) => sum + count, 0);
    }
    const next = Object.fromEntries(shards.map((shard) => [shard.name, shard.resume]));
    return { items: shown.map(blockedFromItem), nextCursor: more ? encodeCursor(next) : null };
  }
}

/**
 * What a shard may still hold, at the newest: the next item read, or (nothing waiting) everything after
 * the key its reading stopped at, or (never read) anything.
 */
type Bound = { kind: 'item'; item: Record<string, any> } | { kind: 'after'; key: ItemKey | null };

/** One shard's items in order, read as the merge asks for them. */
class ShardReader {
  private buffer: Record<string, any>[] = [];
  /** Where the next query starts. */
  private position: Position;
  /** Where the next call should read on from: nothing between it and `position` has been shown yet. */
  resume: Position;

  constructor(
    private readonly tableName: string,
    readonly name: string,
    start: Position,
    private readonly filter: BlockedNumbersFilter,
  ) {
    this.position = start;
    this.resume = start;
  }

  /** `undefined` once the shard is read to its end and every item is shown. */
  bound(): Bound | undefined {
    if (this.buffer[0]) return { kind: 'item', item: this.buffer[0] };
    return this.position === END ? undefined : { kind: 'after', key: this.position };
  }

  take(): Record<string, any> {
    const item = this.buffer.shift();
    if (!item) throw new Error('take() without an item; bound() first');
    this.resume = this.buffer.length === 0 ? this.position : keyOf(item);
    return item;
  }

  /** Reads on, up to `limit` items; only when every item read so far is shown. Returns how many the filters dropped. */
  async read(limit: number): Promise<number> {
    if (this.buffer.length > 0 || this.position === END) throw new Error('read() with items waiting or at the end');
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
        Limit: limit,
        ExclusiveStartKey: this.position ?? undefined,
      }),
    );
    const items = result.Items ?? [];
    this.buffer.push(...items);
    this.position = (result.LastEvaluatedKey as ItemKey | undefined) ?? END;
    if (items.length === 0) this.resume = this.position;
    return (result.ScannedCount ?? items.length) - items.length;
  }
}

function boundOf(shard: ShardReader): { shard: ShardReader; bound: Bound }[] {
  const bound = shard.bound();
  return bound ? [{ shard, bound }] : [];
}

/**
 * Newest first. A shard that may hold anything after a key comes before an item changed at the same
 * moment: it is read first, and its own items of that moment then take their places among the others.
 */
function compareBounds(a: Bound, b: Bound): number {
  const byTime = timeOf(b).localeCompare(timeOf(a));
  if (byTime !== 0) return byTime;
  if (a.kind === 'item' && b.kind === 'item') return compareNewestFirst(a.item, b.item);
  return (a.kind === 'after' ? -1 : 0) - (b.kind === 'after' ? -1 : 0);
}

/** A bound's time of change; a shard not read yet may hold the newest there is. */
function timeOf(bound: Bound): string {
  if (bound.kind === 'item') return String(bound.item['listedAt']);
  return bound.key === null ? '\uffff' : bound.key.listedAt;
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
  const schema = z.strictObject(Object.fromEntries(keys.blockedShards.map((shard) => [shard, z.union([itemKeySchema(), z.null(), z.literal(END)])])));
  const inRange = (key: ItemKey) => filter.changedAfter === undefined || key.listedAt > filter.changedAfter;
  return decodeCursor(cursor, schema, (positions) =>
    Object.entries(positions as Positions).every(
      ([shard, key]) => key === null || key === END || (key.listName === shard && key.pk.startsWith(keys.phonePrefix) && inRange(key)),
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
    updatedBySender: senderOfChange(item),
  };
}
