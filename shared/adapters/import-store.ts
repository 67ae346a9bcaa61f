import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { InvalidRow } from '../domain/imports/import-rows.js';
import type { BlocklistImport, CreateImportResult, ImportKeyRecord, ImportStore, PlannedRow } from '../domain/imports/ports.js';
import { ServiceUnavailableError } from '../domain/errors.js';
import { dynamoDb } from './dynamodb-client.js';
import { cancellationCodes, isConditionalCheckFailed } from './errors.js';
import type { TransactItem } from './keys.js';
import { itemsUnder } from './paged-query.js';
import type { E164 } from '../domain/phone.js';
import { IdempotencyKeys } from './request-store.js';

/**
 * Rows of one list per page item. A page of accepted rows is about 50 KB, one of invalid rows at most
 * about 150 KB: far below DynamoDB's 400 KB an item, and the 10,000 rows of an import make at most
 * twenty pages, which fit one transaction (100 items, 4 MB).
 */
const ROWS_PER_PAGE = 1_000;

/** Writes of one page that keep meeting a concurrent writer of it before giving up. */
const PAGE_WRITE_ATTEMPTS = 5;

/** An import's partition: its head item, and its pages of accepted and of invalid rows. */
export const importKeys = {
  partition: (importId: string) => `IMPORT#${importId}`,
  head: (importId: string) => ({ pk: `IMPORT#${importId}`, sk: 'IMPORT' }),
  page: (importId: string, list: PageList, page: number) => ({ pk: `IMPORT#${importId}`, sk: `${list}#${String(page).padStart(4, '0')}` }),
};
type PageList = 'ACCEPTED' | 'INVALID';
const ACCEPTED: PageList = 'ACCEPTED';

/**
 * Blocklist imports in the consent table (`IMPORT#<importId>`): a head item (who, when, how many rows,
 * the body's hash) and pages of the plan (each accepted row's line, number and sequence) and of the
 * invalid rows, written with the caller's `Idempotency-Key` in one transaction.
 */
export class DynamoImportStore implements ImportStore {
  private readonly idempotencyKeys: IdempotencyKeys;

  constructor(
    private readonly tableName: string,
    nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.idempotencyKeys = new IdempotencyKeys(tableName, nowSeconds);
  }

  async create(record: BlocklistImport, idempotency?: { callerSub: string; key: string; bodyHash: string }): Promise<CreateImportResult> {
    const { importId, requestedBy, requestedAt, rows, bodyHash } = record;
    const items: TransactItem[] = [
      ...(idempotency ? [this.idempotencyKeys.put(idempotency, { importId })] : []),
      this.put({ ...importKeys.head(importId), importId, requestedBy, requestedAt, rows, bodyHash }),
      ...pagesOf(record.accepted).map((page, index) => this.put({ ...importKeys.page(importId, 'ACCEPTED', index), entries: page })),
      ...pagesOf(record.invalid).map((page, index) => this.put({ ...importKeys.page(importId, 'INVALID', index), entries: page })),
    ];
    try {
      // The token makes the SDK's own retry of a write whose answer was lost a no-op that succeeds.
      await dynamoDb.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: importId }));
      return { created: true };
    } catch (error) {
      const keyCode = idempotency ? cancellationCodes(error)?.[0] : undefined;
      if (!idempotency || (keyCode !== 'ConditionalCheckFailed' && keyCode !== 'TransactionConflict')) throw error;
      // Another upload holds the key, or is writing it right now: answer with its holder once visible.
      const existing = await this.idempotencyKeys.awaitItem(idempotency.callerSub, idempotency.key);
      if (existing) return { created: false, existing: keyRecordOf(existing) };
      throw new ServiceUnavailableError('Another upload with this Idempotency-Key is being recorded; nothing was recorded for this one. Retry with the same key.', {
        cause: error,
      });
    }
  }

  async get(importId: string): Promise<BlocklistImport | undefined> {
    const items: Record<string, any>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamoDb.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': importKeys.partition(importId) },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const head = items.find((item) => item['sk'] === 'IMPORT');
    if (!head) return undefined;
    // The pages come in key order, which is the rows' order.
    const rowsOf = (list: PageList) => items.filter((item) => String(item['sk']).startsWith(`${list}#`)).flatMap((item) => item['entries'] as unknown[]);
    return {
      importId: head['importId'],
      requestedBy: head['requestedBy'],
      requestedAt: head['requestedAt'],
      rows: head['rows'],
      accepted: rowsOf('ACCEPTED') as PlannedRow[],
      invalid: rowsOf('INVALID') as InvalidRow[],
      bodyHash: head['bodyHash'],
    };
  }

  /** The lines of an import's accepted rows that name the number (strongly consistent). */
  async linesOf(importId: string, phone: E164): Promise<number[]> {
    const pages = await itemsUnder(this.tableName, importKeys.partition(importId), `${ACCEPTED}#`);
    return pages.flatMap((page) => (page['entries'] as PlannedRow[]).filter((row) => row.phone === phone).map((row) => row.line));
  }

  /**
   * Takes the rows of a number out of an import's plan (an erasure of the number's personal data): each
   * page that names it is written again without them, on condition that it is still as read (a
   * concurrent erasure of another number in the same page is read again). Answers how many rows went.
   * The import then has fewer accepted rows, and an upload resumed with its key no longer asks for them.
   */
  async removeRowsOf(importId: string, phone: E164): Promise<number> {
    let removed = 0;
    for (const page of await itemsUnder(this.tableName, importKeys.partition(importId), `${ACCEPTED}#`)) {
      removed += await this.removeFromPage(page, phone);
    }
    return removed;
  }

  private async removeFromPage(read: Record<string, any>, phone: E164): Promise<number> {
    let page = read;
    for (let attempt = 1; ; attempt++) {
      const entries = page['entries'] as PlannedRow[];
      const kept = entries.filter((row) => row.phone !== phone);
      if (kept.length === entries.length) return 0;
      try {
        await dynamoDb.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { pk: page['pk'], sk: page['sk'], entries: kept },
            ConditionExpression: 'entries = :read',
            ExpressionAttributeValues: { ':read': entries },
          }),
        );
        return entries.length - kept.length;
      } catch (error) {
        if (!isConditionalCheckFailed(error) || attempt === PAGE_WRITE_ATTEMPTS) throw error;
        const { Item } = await dynamoDb.send(new GetCommand({ TableName: this.tableName, Key: { pk: page['pk'], sk: page['sk'] }, ConsistentRead: true }));
        if (!Item) return 0;
        page = Item;
      }
    }
  }

  async findIdempotencyRecord(callerSub: string, key: string): Promise<ImportKeyRecord | undefined> {
    const item = await this.idempotencyKeys.find(callerSub, key);
    return item && keyRecordOf(item);
  }

  /** An item of the import's partition, written once. */
  private put(item: Record<string, unknown>): TransactItem {
    return { Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
  }
}

function pagesOf<T>(rows: readonly T[]): T[][] {
  const pages: T[][] = [];
  for (let start = 0; start < rows.length; start += ROWS_PER_PAGE) pages.push(rows.slice(start, start + ROWS_PER_PAGE));
  return pages;
}

/** A key that holds a single request has no `importId`. */
function keyRecordOf(item: Record<string, any>): ImportKeyRecord {
  return { importId: item['importId'], bodyHash: item['bodyHash'] };
}
