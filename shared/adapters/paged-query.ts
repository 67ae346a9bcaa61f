import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { Page, PageRequest } from '../domain/records.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { dynamoDb } from './dynamodb-client.js';

/** What a page's query names besides its table, limit and start: the key condition, index, and order. */
export type PageQuery = Pick<
  QueryCommandInput,
  'KeyConditionExpression' | 'ExpressionAttributeValues' | 'ExpressionAttributeNames' | 'IndexName' | 'ConsistentRead' | 'ScanIndexForward'
>;

/** A cursor: the previous page's last item's key, by the names of the keys the query is paged by. */
export type Cursor = Record<string, string>;

/**
 * One page of a query, with the cursor of the next page.
 *
 * Reads one item more than the page holds: only that item tells whether another page follows, so the
 * last page says `nextCursor: null` even when it is exactly full (DynamoDB's `LastEvaluatedKey` would
 * point at an empty page then). DynamoDB may also stop short of the limit (at 1 MB read), so it reads on
 * until it has that item or the results end. The cursor is the last returned item's key, in the form
 * DynamoDB's own `LastEvaluatedKey` has: the table's key, and the index's for an index query.
 * The cursor is checked when it comes back (`decodeCursor`).
 */
export async function queryPage(
  tableName: string,
  page: PageRequest,
  query: PageQuery,
  keyNames: readonly string[],
  cursorBelongs: (cursor: Cursor) => boolean,
): Promise<Page<Record<string, any>>> {
  let startKey: Record<string, unknown> | undefined = page.cursor === undefined ? undefined : decodeCursor(page.cursor, z.strictObject(Object.fromEntries(keyNames.map((name) => [name, z.string().check(z.minLength(1), z.maxLength(300))]))), (cursor) => cursorBelongs(cursor as Cursor)) as Cursor;
  const items: Record<string, unknown>[] = [];
  do {
    const result = await dynamoDb.send(
      new QueryCommand({
        TableName: tableName,
        ScanIndexForward: false,
        ...query,
        Limit: page.limit + 1 - items.length,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(result.Items ?? []));
    startKey = result.LastEvaluatedKey;
  } while (startKey && items.length <= page.limit);
  const shown = items.slice(0, page.limit);
  const last = shown.at(-1);
  return {
    items: shown,
    nextCursor: items.length > page.limit && last ? encodeCursor(Object.fromEntries(keyNames.map((name) => [name, last[name]]))) : null,
  };
}

/**
 * Every item of one partition whose sort key starts with `prefix`, strongly consistent, page after page:
 * the few items of one kind beside a number's or a user id's others.
 */
export function itemsUnder(tableName: string, partition: string, prefix: string): Promise<Record<string, any>[]> {
  return itemsOf(tableName, partition, { prefix });
}

/**
 * Every item of one partition (whose sort key starts with `prefix`, if given), strongly consistent,
 * page after page, in sort key order or, `newestFirst`, the reverse.
 */
export async function itemsOf(tableName: string, partition: string, { prefix, newestFirst = false }: { prefix?: string; newestFirst?: boolean } = {}): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamoDb.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: prefix === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': partition, ...(prefix === undefined ? {} : { ':prefix': prefix }) },
        ConsistentRead: true,
        ScanIndexForward: !newestFirst,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
