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

export class DynamoAuditReader implements AuditReader {
  constructor(private readonly tableName: string) {}

  byPhone(phone: E164, page: PageRequest): Promise<Page<AuditEntry>> {
    const pk = keys.phonePartition(phone);
    return this.query(page, {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ConsistentRead: true,
    }, (cursor) => cursor.pk === pk && cursor.profileId === undefined);
  }

  byProfile(profileId: string, page: PageRequest): Promise<Page<AuditEntry>> {
    return this.query(page, {
      IndexName: AUDIT_BY_PROFILE_INDEX,
      KeyConditionExpression: 'profileId = :profileId',
      ExpressionAttributeValues: { ':profileId': profileId },
    }, (cursor) => cursor.profileId === profileId);
  }

  private async query(
    page: PageRequest,
    query: { KeyConditionExpression: string; ExpressionAttributeValues: Record<string, unknown>; IndexName?: string; ConsistentRead?: boolean },
    cursorBelongs: (cursor: z.infer<typeof cursorSchema>) => boolean,
  ): Promise<Page<AuditEntry>> {
    const startKey = page.cursor === undefined ? undefined : decodeCursor(page.cursor, cursorBelongs);
    const result = await dynamoDb.send(
      new QueryCommand({
        TableName: this.tableName,
        ...query,
        ScanIndexForward: false,
        Limit: page.limit,
        ExclusiveStartKey: startKey,
      }),
    );
    return {
      items: (result.Items ?? []).map(entryFromItem),
      nextCursor: result.LastEvaluatedKey ? encodeCursor(result.LastEvaluatedKey) : null,
    };
  }
}

function encodeCursor(lastKey: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(lastKey)).toString('base64url');
}

/**
 * A cursor is the last key of the previous page. It comes back from the client, so it is checked: a
 * forged key, or one from another number's history, is a 400 rather than a DynamoDB validation error.
 */
function decodeCursor(cursor: string, belongs: (cursor: z.infer<typeof cursorSchema>) => boolean) {
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
