import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { E164 } from '../domain/phone.js';
import type { HeldBlockStore } from '../domain/ports.js';
import type { AuditEntry, HeldBlock, Page, PageRequest } from '../domain/records.js';
import { dynamoDb } from './dynamodb-client.js';
import { cancellationCodes } from './errors.js';
import { keys } from './keys.js';
import { listPage } from './list-index.js';
import { itemsUnder } from './paged-query.js';

/**
 * Held automatic blocks: written by the processor's ledger when the guard holds one, listed through the
 * sparse review index, removed by the release's event (in the processor) or by a discard (here).
 */
export class DynamoHeldBlockStore implements HeldBlockStore {
  constructor(
    private readonly consentTableName: string,
    private readonly auditTableName: string,
  ) {}

  async get(phone: E164, eventId: string): Promise<HeldBlock | undefined> {
    const { Item } = await dynamoDb.send(new GetCommand({ TableName: this.consentTableName, Key: keys.held(phone, eventId), ConsistentRead: true }));
    return Item ? heldFromItem(Item) : undefined;
  }

  async list(page: PageRequest): Promise<Page<HeldBlock>> {
    const found = await listPage(this.consentTableName, keys.heldList, page);
    return { items: found.items.map(heldFromItem), nextCursor: found.nextCursor };
  }

  async ofPhone(phone: E164): Promise<HeldBlock[]> {
    return (await itemsUnder(this.consentTableName, keys.phonePartition(phone), keys.heldPrefix)).map(heldFromItem);
  }

  /** The held entry goes and the discard's audit entry comes in one transaction; a gone entry is `false`. */
  async discard(held: HeldBlock, audit: AuditEntry): Promise<boolean> {
    try {
      await dynamoDb.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: this.consentTableName, Key: keys.held(held.phone, held.eventId), ConditionExpression: 'attribute_exists(pk)' } },
            {
              Put: {
                TableName: this.auditTableName,
                Item: { ...keys.audit(audit.phone, audit.requestedAt, audit.eventId), ...audit },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (cancellationCodes(error)?.[0] === 'ConditionalCheckFailed') return false;
      throw error;
    }
  }
}

/** A held block's item as the domain reads it. */
export function heldFromItem(item: Record<string, any>): HeldBlock {
  return {
    phone: item['phone'],
    eventId: item['eventId'],
    sender: item['sender'],
    reasonCode: item['reasonCode'],
    failedAt: item['failedAt'],
    heldAt: item['heldAt'],
    event: item['event'],
  };
}
