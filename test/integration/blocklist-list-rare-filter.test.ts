import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse/sync';
import { itemFromState } from '../../shared/adapters/consent-state-store.js';
import { dynamoDbClient } from '../../shared/adapters/dynamodb-client.js';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { apiEvent, invoke } from '../support/api-events.js';
import { e164, sampleState } from '../unit/support/samples.js';

/*
 * `GET /blocklist` with a filter that matches few numbers of a long list, against DynamoDB Local: one call
 * reads a bounded part of the list index (DynamoDB applies a filter after reading, so a rare filter
 * would otherwise read every shard to its end), and answers a short page, or an empty one, with a cursor
 * that reads on from there.
 */

const resources = await provisionIsolatedResources();
const { handler: blocklist } = await import('../../functions/blocklist/handler.js');

const NUMBERS = 10_000;
/** What one call may read of numbers the filters leave out (docs/integrations.md, "The list"). */
const MOST_DROPPED_PER_CALL = 1_000;
/** What one call may read in all: those, and the matching numbers it reads ahead of the page. */
const MOST_READ_PER_CALL = 2_000;

/** The items every DynamoDB query of the handler read (`ScannedCount`), and the queries made, since `reset`. */
const reads = { queries: 0, scanned: 0 };
dynamoDbClient.middlewareStack.add(
  (next, context) => async (args) => {
    const result = await next(args);
    if (context.commandName === 'QueryCommand') {
      reads.queries += 1;
      reads.scanned += Number((result.output as { ScannedCount?: number }).ScannedCount ?? 0);
    }
    return result;
  },
  { step: 'initialize', name: 'countReads' },
);

const list = (query: Record<string, string>, headers: Record<string, string> = {}) => invoke(blocklist, apiEvent('GET /blocklist', { query, headers }));

/** Every page of a listing, following `nextCursor`, with what each call read. */
async function allPages(query: Record<string, string>) {
  const pages: { items: number; scanned: number }[] = [];
  const phones: string[] = [];
  let cursor: string | null = null;
  do {
    reads.scanned = 0;
    const response = await list({ ...query, ...(cursor ? { cursor } : {}) });
    expect(response.status).toBe(200);
    phones.push(...response.body.items.map((item: { phone: string }) => item.phone));
    pages.push({ items: response.body.items.length, scanned: reads.scanned });
    cursor = response.body.nextCursor;
    if (pages.length > 100) throw new Error('the cursors do not come to an end');
  } while (cursor);
  return { pages, phones };
}

const phoneAt = (index: number) => e164(`+42073${String(index).padStart(7, '0')}`);
/** Number `index` changed `index` seconds after the first: number 0 is the oldest change. */
const changedAt = (index: number) => new Date(Date.UTC(2025, 0, 1) + index * 1000).toISOString();
/** The few numbers a provider blocked (code 130403), at the newest end, in the middle and at the oldest end. */
const AUTOMATIC = new Set([NUMBERS - 2, 5_123, 7]);

beforeAll(async () => {
  const items = Array.from({ length: NUMBERS }, (_, index) =>
    itemFromState(
      sampleState(undefined, {
        phone: phoneAt(index),
        updatedAt: changedAt(index),
        ...(AUTOMATIC.has(index) ? { source: 'automatic', reasonCode: '130403', updatedBy: 'whatsapp:967249473135513' } : {}),
      }),
    ),
  );
  const batches = Array.from({ length: Math.ceil(items.length / 25) }, (_, batch) => items.slice(batch * 25, batch * 25 + 25));
  const write = async (batch: Record<string, unknown>[]) => {
    let pending: Record<string, unknown>[] = batch.map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const { UnprocessedItems } = await resources.dynamoDb.send(new BatchWriteCommand({ RequestItems: { [resources.consentTableName]: pending as never } }));
      pending = (UnprocessedItems?.[resources.consentTableName] ?? []) as Record<string, unknown>[];
    }
  };
  for (let start = 0; start < batches.length; start += 8) await Promise.all(batches.slice(start, start + 8).map(write));
}, 300_000);

describe('GET /blocklist with a rare filter over 10,000 blocked numbers', () => {
  it('reads a bounded part of the list in one call, and answers an empty page with a cursor when nothing matched there', async () => {
    reads.scanned = 0;
    reads.queries = 0;
    const first = await list({ source: 'recipient', limit: '100' });

    expect(first.status).toBe(200);
    expect(first.body.items).toEqual([]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(reads.scanned).toBeGreaterThan(0);
    expect(reads.scanned).toBeLessThanOrEqual(MOST_DROPPED_PER_CALL);
    expect(reads.queries).toBeLessThanOrEqual(20);
  });

  it('comes to the end of the list by its cursors, every call bounded, with no number', async () => {
    const { pages, phones } = await allPages({ source: 'recipient', limit: '100' });

    expect(phones).toEqual([]);
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) expect(page.scanned).toBeLessThanOrEqual(MOST_DROPPED_PER_CALL);
    expect(pages.reduce((sum, page) => sum + page.scanned, 0)).toBeGreaterThanOrEqual(NUMBERS);
  });

  it('finds the few matching numbers on short pages, newest change first, each once', async () => {
    for (const query of [{ reasonCode: '130403' }, { source: 'automatic', limit: '1' }] as Record<string, string>[]) {
      const { pages, phones } = await allPages(query);

      expect(phones).toEqual([...AUTOMATIC].sort((a, b) => b - a).map(phoneAt));
      for (const page of pages) expect(page.scanned).toBeLessThanOrEqual(MOST_READ_PER_CALL);
    }
  });

  it('still fills an unfiltered page of the largest size in one call', async () => {
    const response = await list({ limit: '1000' });

    expect(response.body.items).toHaveLength(1000);
    expect(response.body.items[0].phone).toBe(phoneAt(NUMBERS - 1));
    expect(response.body.items.at(-1).phone).toBe(phoneAt(NUMBERS - 1000));
    expect(response.body.nextCursor).toEqual(expect.any(String));
  });

  it('answers CSV with the header row alone and a Link to read on, when the call found nothing', async () => {
    const response = await list({ source: 'recipient', limit: '100' }, { accept: 'text/csv' });

    expect(response.status).toBe(200);
    expect(parse(response.body as string)).toEqual([['phone', 'source', 'reason', 'reasonCode', 'updatedAt', 'updatedBy']]);
    expect(String(response.headers['link'])).toMatch(/^<\/blocklist\?source=recipient&limit=100&cursor=[\w-]+>; rel="next"$/);
  });
});
