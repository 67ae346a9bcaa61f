import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { E164 } from '../domain/phone.js';
import type { AuditReader } from '../domain/ports.js';
import type { AuditEntry, Page, PageRequest } from '../domain/records.js';
import { InvalidInputError } from '../domain/errors.js';
import { dynamoDb } from './dynamodb-client.js';
import { keys } from './keys.js';

/** The audit table's index of entries by the profile on whose page they were made. */
export const AUDIT_BY_PROFILE_INDEX = 'byProfile';

const cursorSchema = z.strictObject({
  pk: z.string().max(200),
  sk: z.string().max(200),
  profileId: z.string().max(200).optional(),
});
type Cursor = z.infer<typeof cursorSchema>;

/** The audit table's key, and the byProfile index's key with it: what a cursor holds for each query. */
const TABLE_KEYS = ['pk', 'sk'] as const;
const INDEX_KEYS = ['profileId', 'sk', 'pk'] as const;

export class DynamoAuditReader implements AuditReader {
  constructor(private readonly tableName: string) {}

  byPhone(phone: E164, page: PageRequest): Promise<Page<AuditEntry>> {
    const pk = keys.phonePartition(phone);
    return this.query(page, {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ConsistentRead: true,
    }, TABLE_KEYS, (cursor) => cursor.pk === pk && cursor.profileId === undefined);
  }

  byProfile(profileId: string, page: PageRequest): Promise<Page<AuditEntry>> {
    return this.query(page, {
      IndexName: AUDIT_BY_PROFILE_INDEX,
      KeyConditionExpression: 'profileId = :profileId',
      ExpressionAttributeValues: { ':profileId': profileId },
    }, INDEX_KEYS, (cursor) => cursor.profileId === profileId);
  }

  /**
   * Reads one item more than the page holds: only that item tells whether another page follows, so the
   * last page says `nextCursor: null` even when it is exactly full (DynamoDB's `LastEvaluatedKey` would
   * point at an empty page then). DynamoDB may also stop short of the limit (at 1 MB read), so it reads on
   * until it has that item or the history ends. The cursor is the last returned item's key, in the form
   * DynamoDB's own `LastEvaluatedKey` has: the table's key, and the index's for an index query.
   */
  private async query(
    page: PageRequest,
    query: { KeyConditionExpression: string; ExpressionAttributeValues: Record<string, unknown>; IndexName?: string; ConsistentRead?: boolean },
    keyNames: readonly (keyof Cursor)[],
    cursorBelongs: (cursor: Cursor) => boolean,
  ): Promise<Page<AuditEntry>> {
    let startKey: Record<string, unknown> | undefined = page.cursor === undefined ? undefined : decodeCursor(page.cursor, cursorBelongs);
    const items: Record<string, unknown>[] = [];
    do {
      const result = await dynamoDb.send(
        new QueryCommand({
          TableName: this.tableName,
          ...query,
          ScanIndexForward: false,
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
      items: shown.map(entryFromItem),
      nextCursor: items.length > page.limit && last ? encodeCursor(Object.fromEntries(keyNames.map((name) => [name, last[name]]))) : null,
    };
  }
}

function encodeCursor(lastKey: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(lastKey)).toString('base64url');
}

/**
 * A cursor is the key of the previous page's last entry. It comes back from the client, so it is checked: a
 * forged key, or one from another number's history, is a 400 rather than a DynamoDB validation error.
 */
function decodeCursor(cursor: string, belongs: (cursor: Cursor) => boolean): Cursor {
  const invalid = new InvalidInputError([{ field: 'query.cursor', message: 'is not a cursor of this history' }]);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const parsed = cursorSchema.safeParse(decoded);
  if (!parsed.success || !belongs(parsed.data)) throw invalid;
  return parsed.data;
}

function entryFromItem(item: Record<string, any>): AuditEntry {
  return {
    eventId: item['eventId'],
    requestId: item['requestId'],
    action: item['action'],
    phone: item['phone'],
    profileId: item['profileId'],
    source: item['source'],
    reason: item['reason'],
    reasonCode: item['reasonCode'],
    actor: item['actor'],
    providerMessageId: item['providerMessageId'],
    recipientId: item['recipientId'],
    requestedAt: item['requestedAt'],
    appliedAt: item['appliedAt'],
    outcome: item['outcome'],
  };
}
