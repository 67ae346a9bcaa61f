import type { Page, PageRequest } from '../domain/records.js';
import { keys, REVIEW_INDEX } from './keys.js';
import { queryPage } from './paged-query.js';

/** The review index's key with the table's: what a page's cursor holds. */
const REVIEW_KEYS = ['reviewList', 'listedAt', 'pk', 'sk'] as const;

/** One page of a list of the review index (held blocks, or unresolved signals), newest first. */
export function reviewListPage(tableName: string, list: typeof keys.heldList | typeof keys.unresolvedList, page: PageRequest): Promise<Page<Record<string, any>>> {
  return queryPage(
    tableName,
    page,
    { IndexName: REVIEW_INDEX, KeyConditionExpression: 'reviewList = :list', ExpressionAttributeValues: { ':list': list } },
    REVIEW_KEYS,
    (cursor) => cursor['reviewList'] === list,
  );
}
