import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { E164 } from '../domain/phone.js';
import type { AuditReader, ChangeActors } from '../domain/ports.js';
import type { AuditActor, AuditEntry, Page, PageRequest } from '../domain/records.js';
import { dynamoDb } from './dynamodb-client.js';
import { queryPage } from './paged-query.js';
import { keys } from './keys.js';

/** The audit table's index of entries by the profile on whose page they were made. */
export const AUDIT_BY_PROFILE_INDEX = 'byProfile';

/** The audit table's key, and the byProfile index's key with it: what a cursor holds for each query. */
const TABLE_KEYS = ['pk', 'sk'] as const;
const INDEX_KEYS = ['profileId', 'sk', 'pk'] as const;

/**
 * How far after its application an entry's own time (its sort key's start) may be: none for a request
 * or a release, which come before, but a provider's failure time is the provider's clock.
 */
const CLOCK_SKEW_MS = 60_000;
/** The entries read before giving up on finding the one applied at a time: those requested just before it. */
const ENTRIES_NEAR_A_CHANGE = 25;

export class DynamoAuditReader implements AuditReader, ChangeActors {
  constructor(private readonly tableName: string) {}

  async byPhone(phone: E164, page: PageRequest): Promise<Page<AuditEntry>> {
    const pk = keys.phonePartition(phone);
    const found = await queryPage(
      this.tableName,
      page,
      { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true },
      TABLE_KEYS,
      (cursor) => cursor['pk'] === pk,
    );
    return { items: found.items.map(entryFromItem), nextCursor: found.nextCursor };
  }

  async byProfile(profileId: string, page: PageRequest): Promise<Page<AuditEntry>> {
    const found = await queryPage(
      this.tableName,
      page,
      { IndexName: AUDIT_BY_PROFILE_INDEX, KeyConditionExpression: 'profileId = :profileId', ExpressionAttributeValues: { ':profileId': profileId } },
      INDEX_KEYS,
      (cursor) => cursor['profileId'] === profileId,
    );
    return { items: found.items.map(entryFromItem), nextCursor: found.nextCursor };
  }

  /**
   * Entries sort by the time they were requested (or the provider's failure), and the one applied at
   * `appliedAt` was requested no later, give or take the provider's clock: one newest-first read from
   * there finds it unless many entries were requested while it waited in the queue.
   */
  async actorAppliedAt(phone: E164, appliedAt: string): Promise<AuditActor | undefined> {
    const upper = new Date(Date.parse(appliedAt) + CLOCK_SKEW_MS).toISOString();
    const { Items = [] } = await dynamoDb.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk < :upper',
        FilterExpression: 'appliedAt = :appliedAt',
        ProjectionExpression: 'actor',
        ExpressionAttributeValues: { ':pk': keys.phonePartition(phone), ':upper': upper, ':appliedAt': appliedAt },
        ScanIndexForward: false,
        Limit: ENTRIES_NEAR_A_CHANGE,
      }),
    );
    return Items[0]?.['actor'];
  }
}

/** An audit entry's item as the domain reads it. */
export function entryFromItem(item: Record<string, any>): AuditEntry {
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
    importId: item['importId'],
    requestedAt: item['requestedAt'],
    appliedAt: item['appliedAt'],
    outcome: item['outcome'],
  };
}
