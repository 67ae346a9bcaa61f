import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { E164 } from '../domain/phone.js';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const STATE = 'STATE';
const PENDING_SHARDS = 4;

/** A stable, evenly spread number from a text (FNV-1a), for choosing a shard. */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193) >>> 0;
  }
  return hash;
}

/** A stable shard of a request id (its last character, a Crockford base-32 digit). */
function shardOf(requestId: string): number {
  return requestId.charCodeAt(requestId.length - 1) % PENDING_SHARDS;
}

/**
 * The consent table's sparse index of lists: the blocked numbers (in a few shards), automatic blocks
 * the guard held, and signals whose recipient is not known yet, each item under its list's name
 * (`listName`) by time (`listedAt`). Only items on a list carry `listName`. One index for every list:
 * a CloudFormation update can add only one index to a table at a time.
 */
export const LIST_INDEX = 'byList';

/**
 * The blocked numbers' list is spread over this many shards of the index: one partition would be hot
 * during a burst of automatic blocks (and an index that throttles slows the table's writes).
 */
export const BLOCKED_SHARDS = 4;

/** Keys of the single-table consent design (see docs/design.md, "Data"). */
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
  /** The auto-block guard's count of one sender's automatic blocks in one bucket of its window. */
  guardBucket: (sender: string, bucket: number) => ({ pk: `GUARD#${sender}`, sk: `BUCKET#${bucket}` }),
  /** An automatic block the guard held, on its number's partition until it is released or discarded. */
  held: (phone: E164, eventId: string) => ({ pk: `PHONE#${phone}`, sk: `HELD#${eventId}` }),
  heldPrefix: 'HELD#',
  /**
   * The list index's partition (`listName`) of held blocks. Held blocks are written no faster than
   * one sender's failures are processed, far below what one index partition takes.
   */
  heldList: 'HELD',
  /** The number a business-scoped user id stands for, as the latest signed callback showed them together. */
  userPairing: (userId: string) => ({ pk: `BSUID#${userId}`, sk: 'NUMBER' }),
  /**
   * A user id that a signed callback showed with the number, on the number's partition: the reverse of
   * `userPairing`, written with it, so that a number's pairings are found from the number. It stays
   * when the user id is paired with another number later (the pair was seen; `userPairing` says which
   * pair is current).
   */
  numberPairing: (phone: E164, userId: string) => ({ pk: `PHONE#${phone}`, sk: `BSUID#${userId}` }),
  /** A signal that named its recipient by user id alone, kept under that id until the id's number is known. */
  unresolved: (userId: string, eventId: string) => ({ pk: `BSUID#${userId}`, sk: `UNRESOLVED#${eventId}` }),
  userPartition: (userId: string) => `BSUID#${userId}`,
  unresolvedPrefix: 'UNRESOLVED#',
  /** The list index's partition (`listName`) of unresolved signals; such signals are rare. */
  unresolvedList: 'UNRESOLVED',
  /** The list index's partition of a blocked number's state: a shard chosen by a hash of the number. */
  blockedShard: (phone: E164) => `BLOCKED#${hashOf(phone) % BLOCKED_SHARDS}`,
  blockedShards: Array.from({ length: BLOCKED_SHARDS }, (_, shard) => `BLOCKED#${shard}`),
  /**
   * An erasure of a number's personal data, in the audit table: under a keyed hash of the number
   * (HMAC-SHA256), never the number itself, by time.
   */
  erasure: (numberHash: string, erasedAt: string, erasureId: string) => ({ pk: `ERASURE#${numberHash}`, sk: `${erasedAt}#${erasureId}` }),
  phonePartition: (phone: E164) => `PHONE#${phone}`,
  phonePrefix: 'PHONE#',
  stateSortKey: STATE,
  requestPrefix: 'REQ#',
  holderPrefix: 'HOLDER#',
} as const;
