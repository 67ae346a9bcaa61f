import { lambdaContext } from '../../infra/local/lambda-context.js';
import { provisionIsolatedResources } from '../support/isolated-resources.js';
import { apiEvent, invoke } from '../support/api-events.js';
import { consentApi, uniquePhone } from '../support/consent-api.js';
import { batch, takeMessages } from '../support/sqs-records.js';

const resources = await provisionIsolatedResources();
const api = consentApi({
  profiles: await import('../../functions/profiles/handler.js'),
  requests: await import('../../functions/consent-requests/handler.js'),
});
const { handler: processor } = await import('../../functions/processor/handler.js');
const history = await import('../../functions/history/handler.js');

const PROFILE_HISTORY = 'GET /profiles/{profileId}/whatsapp/history';
const NUMBER_HISTORY = 'GET /numbers/{phone}/history';

interface HistoryPage {
  items: { eventId: string; phone: string }[];
  nextCursor: string | null;
}

/** A profile with two numbers and `[first, second]` audit entries on them, applied by the processor. */
async function profileWithHistory(first: number, second: number) {
  const phones = [uniquePhone(), uniquePhone()] as const;
  const profileId = await api.createProfile([...phones]);
  const counts = [first, second];
  for (const [index, phone] of phones.entries()) {
    for (let n = 0; n < counts[index]!; n += 1) await api.request(n % 2 === 0 ? 'block' : 'unblock', profileId, phone);
  }
  await processor(batch(...(await takeMessages(resources.sqs, resources.consentQueueUrl, first + second))), lambdaContext('processor'));
  return { profileId, phones };
}

/** One page of a history: `GET /profiles/{id}/whatsapp/history` or `GET /numbers/{phone}/history`. */
async function page(of: { profileId: string } | { phone: string }, query: Record<string, string>): Promise<HistoryPage> {
  const [routeKey, pathParameters] = 'profileId' in of ? [PROFILE_HISTORY, { profileId: of.profileId }] : [NUMBER_HISTORY, { phone: of.phone }];
  const response = await invoke(history.handler, apiEvent(routeKey, { pathParameters, query }));
  expect(response.status).toBe(200);
  return response.body as HistoryPage;
}

/** Every page of a history, following `nextCursor` until it is null. */
async function allPages(of: { profileId: string } | { phone: string }, limit: number): Promise<HistoryPage[]> {
  const pages = [await page(of, { limit: String(limit) })];
  for (let cursor = pages[0]!.nextCursor; cursor !== null; cursor = pages.at(-1)!.nextCursor) {
    if (pages.length > 20) throw new Error('the history never ends');
    pages.push(await page(of, { limit: String(limit), cursor }));
  }
  return pages;
}

const eventIds = (pages: HistoryPage[]) => pages.flatMap((one) => one.items.map((item) => item.eventId));

describe.each([
  ['a number', (made: Awaited<ReturnType<typeof profileWithHistory>>) => ({ phone: made.phones[0] }), 5],
  ['a profile (through the byProfile index)', (made: Awaited<ReturnType<typeof profileWithHistory>>) => ({ profileId: made.profileId }), 8],
])('the history of %s', (_label, historyOf, total) => {
  let made: Awaited<ReturnType<typeof profileWithHistory>>;
  let whole: HistoryPage;

  beforeAll(async () => {
    made = await profileWithHistory(5, 3);
    whole = await page(historyOf(made), { limit: '100' });
  });

  it('has every entry on one page of 100, the last page, so its nextCursor is null', () => {
    expect(whole.items).toHaveLength(total);
    expect(whole.nextCursor).toBeNull();
  });

  it('has a nextCursor of null on a page that is exactly full and the last', async () => {
    const exactlyFull = await page(historyOf(made), { limit: String(total) });

    expect(exactlyFull.items).toHaveLength(total);
    expect(exactlyFull.nextCursor).toBeNull();
  });

  it.each([1, 2, 3, total - 1])('walks in pages of %i to a last page whose nextCursor is null, each entry once, newest first', async (limit) => {
    // act
    const pages = await allPages(historyOf(made), limit);

    // assess
    expect(pages.map((one) => one.items.length)).toEqual(Array.from({ length: Math.ceil(total / limit) }, (_, index) => Math.min(limit, total - index * limit)));
    expect(pages.slice(0, -1).every((one) => one.nextCursor !== null)).toBe(true);
    expect(pages.at(-1)!.nextCursor).toBeNull();
    expect(eventIds(pages)).toEqual(eventIds([whole]));
  });
});

describe('history cursors', () => {
  it('belong to the history that made them, and hold no empty key', async () => {
    // prepare
    const made = await profileWithHistory(2, 2);
    const numberCursor = (await page({ phone: made.phones[0] }, { limit: '1' })).nextCursor!;
    const profileCursor = (await page({ profileId: made.profileId }, { limit: '1' })).nextCursor!;
    const other = await api.createProfile([uniquePhone()]);
    const emptied = (cursor: string) => {
      const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, string>;
      return Buffer.from(JSON.stringify({ ...key, sk: '' })).toString('base64url');
    };

    // act
    const refused = await Promise.all([
      invoke(history.handler, apiEvent(NUMBER_HISTORY, { pathParameters: { phone: made.phones[0] }, query: { cursor: emptied(numberCursor) } })),
      invoke(history.handler, apiEvent(PROFILE_HISTORY, { pathParameters: { profileId: made.profileId }, query: { cursor: emptied(profileCursor) } })),
      invoke(history.handler, apiEvent(NUMBER_HISTORY, { pathParameters: { phone: made.phones[1] }, query: { cursor: numberCursor } })),
      invoke(history.handler, apiEvent(NUMBER_HISTORY, { pathParameters: { phone: made.phones[0] }, query: { cursor: profileCursor } })),
      invoke(history.handler, apiEvent(PROFILE_HISTORY, { pathParameters: { profileId: made.profileId }, query: { cursor: numberCursor } })),
      invoke(history.handler, apiEvent(PROFILE_HISTORY, { pathParameters: { profileId: other }, query: { cursor: profileCursor } })),
    ]);

    // assess
    for (const response of refused) {
      expect(response).toMatchObject({ status: 400, body: { errors: [{ field: 'query.cursor', message: 'is not a cursor of this page' }] } });
    }
  });
});
