import type { Page, PageRequest } from '../domain/records.js';
import { keys, LIST_INDEX } from './keys.js';
import { queryPage } from './paged-query.js';

/** The list index's key with the table's: what a page's cursor holds. */
const LIST_KEYS = ['listName', 'listedAt', 'pk', 'sk'] as const;

/** One page of a list of the list index (held blocks, or unresolved signals), newest first. */
export function listPage(tableName: string, list: typeof keys.heldList | typeof keys.unresolvedList, page: PageRequest): Promise<Page<Record<string, any>>> {
  return queryPage(
    tableName,
    page,
    { IndexName: LIST_INDEX, KeyConditionExpression: 'listName = :list', ExpressionAttributeValues: { ':list': list } },
    LIST_KEYS,
    (cursor) => cursor['listName'] === list,
  );
}
