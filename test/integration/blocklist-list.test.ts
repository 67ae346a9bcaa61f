import { parse } from 'csv-parse/sync';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import type { QueuedEvent } from '../../shared/domain/consent-event.js';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { recordRequestOf } from '../support/requests.js';
import { apiEvent, invoke } from '../support/api-events.js';
import { uniquePhone } from '../support/consent-api.js';
import { batch, sqsRecord } from '../support/sqs-records.js';
import { e164, sampleAutomaticEvent, sampleEvent } from '../unit/support/samples.js';

/*
 * `GET /blocklist` against DynamoDB Local: the blocked numbers, from the sparse list index's shards,
 * merged newest change first, filtered, paged, and as CSV.
 */

const resources = await provisionIsolatedResources();
const { handler: processor } = await import('../../functions/processor/handler.js');
const { handler: blocklist } = await import('../../functions/blocklist/handler.js');

let events = 0;
const apply = async (event: QueuedEvent) => {
  await recordRequestOf(resources.dynamoDb, resources.consentTableName, event);
  const response = await processor(batch(sqsRecord(JSON.stringify(event))), lambdaContext('processor'));
  expect(response.batchItemFailures).toEqual([]);
};
const block = (phone: string, reason = 'Asked by phone') =>
  apply(sampleEvent({ eventId: `01JBLOCK${String(++events).padStart(18, '0')}`, requestId: `01JBLOCK${String(events).padStart(18, '0')}`, phone: e164(phone), reason, sequence: events, requestedAt: new Date().toISOString() }));
const unblock = (phone: string) =>
  apply(sampleEvent({ eventId: `01JUNBLK${String(++events).padStart(18, '0')}`, requestId: `01JUNBLK${String(events).padStart(18, '0')}`, phone: e164(phone), action: 'unblock', sequence: events, requestedAt: new Date().toISOString() }));
const fail = (phone: string, code = '131026', action: 'wa_blocked' | 'wa_stop_keyword' = 'wa_blocked') =>
  apply(sampleAutomaticEvent({ eventId: `wa-list-${++events}`, phone: e164(phone), recipientId: phone.slice(1), action, reasonCode: action === 'wa_stop_keyword' ? undefined : code, occurredAt: new Date().toISOString() }));

const list = (query: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  invoke(blocklist, apiEvent('GET /blocklist', { query, headers }));

/** Every page of the list, following `nextCursor`. */
async function allPages(query: Record<string, string>): Promise<{ pages: number; phones: string[] }> {
  const phones: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const response = await list({ ...query, ...(cursor ? { cursor } : {}) });
    expect(response.status).toBe(200);
    phones.push(...response.body.items.map((item: { phone: string }) => item.phone));
    cursor = response.body.nextCursor;
    pages += 1;
  } while (cursor);
  return { pages, phones };
}

const manual = Array.from({ length: 7 }, () => uniquePhone());
const automatic = Array.from({ length: 5 }, () => uniquePhone());
const recipient = uniquePhone();
const unblocked = uniquePhone();
const startedAt = new Date().toISOString();

beforeAll(async () => {
  for (const phone of manual) await block(phone);
  for (const phone of automatic) await fail(phone, phone === automatic[0] ? '130403' : '131026');
  await fail(recipient, undefined, 'wa_stop_keyword');
  await block(unblocked);
  await unblock(unblocked);
});

describe('GET /blocklist', () => {
  it('lists every blocked number of every source once, newest change first, and no unblocked one', async () => {
    const { phones } = await allPages({ limit: '100' });
    const response = await list();

    expect(new Set(phones)).toEqual(new Set([...manual, ...automatic, recipient]));
    expect(phones).toHaveLength(13);
    expect(phones).not.toContain(unblocked);
    const times = response.body.items.map((item: { updatedAt: string }) => item.updatedAt);
    expect(times).toEqual([...times].sort().reverse());
    expect(response.body.items[0]).toEqual({
      phone: recipient,
      source: 'recipient',
      reason: expect.any(String),
      reasonCode: null,
      updatedAt: expect.any(String),
      updatedBy: expect.stringMatching(/^recipient:/),
      updatedBySender: null,
    });
  });

  it('pages through the shards without skipping or repeating a number', async () => {
    const { pages, phones } = await allPages({ limit: '4' });

    expect(pages).toBe(4);
    expect(phones).toHaveLength(13);
    expect(new Set(phones).size).toBe(13);
  });

  it('filters by source, by reason code and by the time of the change', async () => {
    const bySource = await allPages({ source: 'automatic' });
    const byCode = await allPages({ reasonCode: '130403' });
    const byTime = await allPages({ changedAfter: startedAt });
    const future = await allPages({ changedAfter: '2999-01-01T00:00:00Z' });

    expect(new Set(bySource.phones)).toEqual(new Set(automatic));
    expect(byCode.phones).toEqual([automatic[0]]);
    expect(byTime.phones).toHaveLength(13);
    expect(future.phones).toEqual([]);
  });

  it('answers CSV with a header row, RFC 4180 quoting, neutralised formula cells, and the next page in a Link header', async () => {
    const tricky = uniquePhone();
    await block(tricky, '=HYPERLINK("http://evil.example","click"), then "quotes"\nand a new line');

    const first = await list({ limit: '1' }, { accept: 'text/csv' });

    expect(first.status).toBe(200);
    expect(first.contentType).toMatch(/^text\/csv/);
    const rows = parse(first.body as string, { columns: false }) as string[][];
    expect(rows[0]).toEqual(['phone', 'source', 'reason', 'reasonCode', 'updatedAt', 'updatedBy']);
    expect(rows[1]).toEqual([tricky, 'manual', `'=HYPERLINK("http://evil.example","click"), then "quotes"\nand a new line`, '', expect.any(String), 'erin']);
    expect((first.body as string).split('\r\n')[0]).toBe('phone,source,reason,reasonCode,updatedAt,updatedBy');
    const link = String(first.headers['link']);
    expect(link).toMatch(/^<\/blocklist\?limit=1&cursor=[\w-]+>; rel="next"$/);
    const cursor = new URLSearchParams(link.slice(link.indexOf('?') + 1, link.indexOf('>'))).get('cursor')!;
    const second = await list({ limit: '1', cursor }, { accept: 'text/csv' });
    expect((parse(second.body as string) as string[][])[1]?.[0]).not.toBe(tricky);
  });

  it('answers JSON when JSON is preferred, and refuses bad filters and forged cursors with 400', async () => {
    const preferJson = await list({}, { accept: 'application/json, text/csv' });
    const badSource = await list({ source: 'provider' });
    const badCursor = await list({ cursor: Buffer.from(JSON.stringify({ 'BLOCKED#0': { listName: 'HELD', listedAt: 'x', pk: 'PHONE#+1', sk: 'STATE' } })).toString('base64url') });
    const tooMany = await list({ limit: '1001' });

    expect(preferJson.contentType).toBe('application/json');
    for (const response of [badSource, badCursor, tooMany]) expect(response).toMatchObject({ status: 400, contentType: 'application/problem+json' });
  });

  it('refuses with 400 a cursor whose keys are empty, and one reused with a changedAfter it reads from before', async () => {
    const { nextCursor: cursor } = (await list({ limit: '1' })).body as { nextCursor: string };
    const positions = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, Record<string, string> | null>;
    const [shard, position] = Object.entries(positions).find(([, key]) => key !== null)!;
    const emptied = Buffer.from(JSON.stringify({ ...positions, [shard]: { ...position, sk: '' } })).toString('base64url');

    const withEmptyKey = await list({ cursor: emptied });
    const outOfRange = await list({ cursor, changedAfter: '2999-01-01T00:00:00Z' });
    const sameCursor = await list({ cursor });

    for (const response of [withEmptyKey, outOfRange]) {
      expect(response).toMatchObject({ status: 400, contentType: 'application/problem+json' });
      expect(response.body).toMatchObject({ errors: [{ field: 'query.cursor' }] });
    }
    expect(sameCursor.status).toBe(200);
  });
});
