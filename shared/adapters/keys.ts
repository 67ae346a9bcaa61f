import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { E164 } from '../domain/phone.js';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const STATE = 'STATE';
const PENDING_SHARDS = 4;

/** A stable shard of a request id (its last character, a Crockford base-32 digit). */
function shardOf(requestId: string): number {
  return requestId.charCodeAt(requestId.length - 1) % PENDING_SHARDS;
}

/** Keys of the single-table consent design (see README, "Data"). */
export const keys = {
  state: (phone: E164) => ({ pk: `PHONE#${phone}`, sk: STATE }),
  sequence: (phone: E164) => ({ pk: `PHONE#${phone}`, sk: 'SEQ' }),
  request: (phone: E164, requestId: string) => ({ pk: `PHONE#${phone}`, sk: `REQ#${requestId}` }),
  /** Finds a request's number from its id alone, for `GET /requests/{requestId}`. */
  requestPointer: (requestId: string) => ({ pk: `REQUEST#${requestId}`, sk: 'REQUEST' }),
  profile: (profileId: string) => ({ pk: `PROFILE#${profileId}`, sk: 'PROFILE' }),
  /** Marks that a profile holds a number: the index from numbers to profiles. */
  holder: (phone: E164, profileId: string) => ({ pk: `PHONE#${phone}`, sk: `HOLDER#${profileId}` }),
  idempotency: (callerSub: string, key: string) => ({ pk: `IDEMPOTENCY#${callerSub}#${key}`, sk: 'KEY' }),
  /** Marks an event as applied, under the number it was queued under, whatever number it resolved to. */
  appliedEvent: (queuedPhone: E164, eventId: string) => ({ pk: `PHONE#${queuedPhone}`, sk: `EVENT#${eventId}` }),
  /** Audit entries sort by when they were requested, then by event id. */
  audit: (phone: E164, requestedAt: string, eventId: string) => ({ pk: `PHONE#${phone}`, sk: `${requestedAt}#${eventId}` }),
  /**
   * The pending-requests index's partition of a request: a few shards, so that a burst of requests
   * does not crowd one index partition. Removed when the request settles, which keeps the index small.
   */
  pendingShard: (requestId: string) => `PENDING#${shardOf(requestId)}`,
  pendingShards: Array.from({ length: PENDING_SHARDS }, (_, shard) => `PENDING#${shard}`),
  phonePartition: (phone: E164) => `PHONE#${phone}`,
  phonePrefix: 'PHONE#',
  stateSortKey: STATE,
  requestPrefix: 'REQ#',
  holderPrefix: 'HOLDER#',
} as const;
