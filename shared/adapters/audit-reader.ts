import type { E164 } from '../domain/phone.js';
import type { AuditReader } from '../domain/ports.js';
import type { AuditEntry, Page, PageRequest } from '../domain/records.js';
import { queryPage } from './paged-query.js';
import { keys } from './keys.js';

/** The audit table's index of entries by the profile on whose page they were made. */
export const AUDIT_BY_PROFILE_INDEX = 'byProfile';

/** The audit table's key, and the byProfile index's key with it: what a cursor holds for each query. */
const TABLE_KEYS = ['pk', 'sk'] as const;
const INDEX_KEYS = ['profileId', 'sk', 'pk'] as const;

export class DynamoAuditReader implements AuditReader {
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
    importId: item['importId'],
    requestedAt: item['requestedAt'],
    appliedAt: item['appliedAt'],
    outcome: item['outcome'],
  };
}
