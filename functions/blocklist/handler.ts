import type * as z from 'zod/mini';
import { readConfig } from '../../shared/config.js';
import { blocklistCsv, type BlockedNumber } from '../../shared/domain/blocked-numbers.js';
import { DynamoBlockedNumbersIndex } from '../../shared/adapters/blocked-numbers-index.js';
import { httpApi } from '../../shared/http/http-api.js';
import { authorise } from '../../shared/http/authorise.js';
import { blocklistQuery } from '../../shared/http/contract/parameters.js';
import { header, queryParameters } from '../../shared/http/request.js';
import { csv, json } from '../../shared/http/responses.js';
import type { RouteHandler } from '../../shared/http/types.js';

const config = readConfig(['consentTableName']);
const blocked = new DynamoBlockedNumbersIndex(config.consentTableName);

/**
 * `GET /blocklist`: the numbers blocked now, newest change first, as JSON, or as CSV when the caller
 * accepts `text/csv` (the next page's address then goes in a `Link` header, since CSV has no room for it).
 */
export const listBlocklist: RouteHandler = async (event, { caller }) => {
  authorise(caller, 'consent:read');
  const query = queryParameters(event, blocklistQuery());
  const { limit, cursor, ...filter } = query;
  const page = await blocked.list(filter, { limit, cursor });
  if (wantsCsv(header(event, 'accept'))) {
    const next: Record<string, string> = page.nextCursor === null ? {} : { link: `<${nextPageUrl(event.rawPath, query, page.nextCursor)}>; rel="next"` };
    return csv(200, blocklistCsv(page.items), next);
  }
  return json(200, { items: page.items.map(itemOf), nextCursor: page.nextCursor });
};

/** Every key is present: a block without a provider code has `reasonCode: null`. */
function itemOf(item: BlockedNumber) {
  return { ...item, reasonCode: item.reasonCode ?? null };
}

/** CSV when the caller names `text/csv` before (or without) JSON in `Accept`; JSON otherwise. */
function wantsCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((part) => part.split(';')[0]!.trim().toLowerCase());
  const csvAt = types.indexOf('text/csv');
  const jsonAt = types.indexOf('application/json');
  return csvAt !== -1 && (jsonAt === -1 || csvAt < jsonAt);
}

/** The same query with the next page's cursor, relative to the API's address. */
function nextPageUrl(path: string, query: z.output<ReturnType<typeof blocklistQuery>>, cursor: string): string {
  const params = new URLSearchParams();
  for (const name of ['source', 'reasonCode', 'changedAfter'] as const) {
    const value = query[name];
    if (value !== undefined) params.set(name, value);
  }
  params.set('limit', String(query.limit));
  params.set('cursor', cursor);
  return `${path}?${params}`;
}

export const handler = httpApi({ 'GET /blocklist': listBlocklist });
