import type { E164 } from '../../domain/phone.js';
import type { ErasureStep, PersonalData } from '../../domain/personal-data/number-records.js';
import { importKeys } from '../import-store.js';
import { keys } from '../keys.js';

/**
 * Every kind of item the service stores, by the entry of `keys` (or `importKeys`) that makes its key,
 * and what it holds of a phone number: the one list that the export and the erasure of a person's data
 * both follow (README, "A person's data"). A new entry of `keys` does not compile until it is listed
 * here; a new kind that holds a number must name where the export shows it (or why not) and the
 * erasure's step that deletes it (or why it stays). Items on a number's own partition are told apart
 * by their sort keys (`kindOnNumber`): one the list does not know stops an export or an erasure.
 */

/** An item that holds a number, in its key or its attributes. */
interface HoldsNumber {
  holds: 'a number';
  table: 'consent' | 'audit';
  /** `number`: on the number's own partition (`PHONE#<e164>`), so that reading the partition finds it. */
  partition: 'number' | 'elsewhere';
  /** The part of the export document that shows it, or why it shows nothing of it. */
  exportedIn: keyof PersonalData | { omitted: string };
  /** The erasure's step that deletes it, or why it stays. */
  erasedBy: ErasureStep | { kept: string };
}

/** An item kind that names no recipient's number. */
interface HoldsNoNumber {
  holds: 'no number';
  because: string;
}

/** An entry of `keys` that makes no item's key: an index partition, a prefix, a list's name. */
interface NotAnItem {
  holds: 'not an item';
  because: string;
}

export type ItemKind = HoldsNumber | HoldsNoNumber | NotAnItem;

export const KEY_KINDS: Record<keyof typeof keys, ItemKind> = {
  state: {
    holds: 'a number',
    table: 'consent',
    partition: 'number',
    exportedIn: 'state',
    erasedBy: 'state',
  },
  sequence: {
    holds: 'a number',
    table: 'consent',
    partition: 'number',
    exportedIn: { omitted: 'a count of the requests made, which says nothing of them' },
    erasedBy: 'numberItems',
  },
  request: { holds: 'a number', table: 'consent', partition: 'number', exportedIn: 'requests', erasedBy: 'requests' },
  requestPointer: {
    holds: 'a number',
    table: 'consent',
    partition: 'elsewhere',
    exportedIn: { omitted: "the number of a request, which the request's own item shows" },
    erasedBy: 'requests',
  },
  profile: { holds: 'a number', table: 'consent', partition: 'elsewhere', exportedIn: 'profiles', erasedBy: 'profiles' },
  holder: { holds: 'a number', table: 'consent', partition: 'number', exportedIn: 'profiles', erasedBy: 'profiles' },
  idempotency: {
    holds: 'a number',
    table: 'consent',
    partition: 'elsewhere',
    exportedIn: { omitted: "the caller's key, a request's id and a hash of its body (which includes the number): nothing readable of the number" },
    erasedBy: 'requests',
  },
  appliedEvent: {
    holds: 'a number',
    table: 'consent',
    partition: 'number',
    exportedIn: { omitted: 'the id of an event that the history shows' },
    erasedBy: 'numberItems',
  },
  audit: { holds: 'a number', table: 'audit', partition: 'number', exportedIn: 'history', erasedBy: 'history' },
  held: { holds: 'a number', table: 'consent', partition: 'number', exportedIn: 'held', erasedBy: 'numberItems' },
  userPairing: { holds: 'a number', table: 'consent', partition: 'elsewhere', exportedIn: 'pairings', erasedBy: 'pairings' },
  numberPairing: { holds: 'a number', table: 'consent', partition: 'number', exportedIn: 'pairings', erasedBy: 'pairings' },
  unresolved: {
    holds: 'a number',
    table: 'consent',
    partition: 'elsewhere',
    // A signal that named its recipient by user id alone: it is about the number once the id is paired with it.
    exportedIn: 'unresolved',
    erasedBy: 'unresolved',
  },
  guardBucket: { holds: 'no number', because: "a count of one sender's automatic blocks, by our own business number" },
  erasure: { holds: 'no number', because: 'a keyed hash of the number, never the number' },
  pendingShard: { holds: 'not an item', because: "a partition of the pending requests' index" },
  pendingShards: { holds: 'not an item', because: "the partitions of the pending requests' index" },
  heldPrefix: { holds: 'not an item', because: "a prefix of held blocks' sort keys" },
  heldList: { holds: 'not an item', because: "a list's name in the list index" },
  userPartition: { holds: 'not an item', because: "a user id's partition" },
  unresolvedPrefix: { holds: 'not an item', because: "a prefix of unresolved signals' sort keys" },
  unresolvedList: { holds: 'not an item', because: "a list's name in the list index" },
  blockedShard: { holds: 'not an item', because: "a partition of the blocked numbers' list" },
  blockedShards: { holds: 'not an item', because: "the partitions of the blocked numbers' list" },
  phonePartition: { holds: 'not an item', because: "a number's partition" },
  phonePrefix: { holds: 'not an item', because: 'a prefix of partition keys' },
  stateSortKey: { holds: 'not an item', because: "the state's sort key" },
  requestPrefix: { holds: 'not an item', because: "a prefix of requests' sort keys" },
  holderPrefix: { holds: 'not an item', because: "a prefix of holders' sort keys" },
};

export const IMPORT_KINDS: Record<keyof typeof importKeys, ItemKind> = {
  head: { holds: 'no number', because: "who imported, when, how many rows, and the file's hash" },
  page: { holds: 'a number', table: 'consent', partition: 'elsewhere', exportedIn: 'imports', erasedBy: 'imports' },
  partition: { holds: 'not an item', because: "an import's partition" },
};

/** The kinds of item on a number's own partition. */
export type NumberItemKind = 'state' | 'sequence' | 'request' | 'holder' | 'appliedEvent' | 'held' | 'numberPairing';

/** A number never used in a key: only the sort keys of the kinds are wanted from it. */
const ANY = '+0' as E164;

/**
 * Each kind's sort key on the number's partition: the whole key for one item a number (`STATE`), the
 * prefix before an id for many (`REQ#`), taken from the key functions themselves.
 */
const SORT_KEYS: Record<NumberItemKind, { sk: string; prefix: boolean }> = {
  state: { sk: keys.state(ANY).sk, prefix: false },
  sequence: { sk: keys.sequence(ANY).sk, prefix: false },
  request: { sk: keys.request(ANY, '').sk, prefix: true },
  holder: { sk: keys.holder(ANY, '').sk, prefix: true },
  appliedEvent: { sk: keys.appliedEvent(ANY, '').sk, prefix: true },
  held: { sk: keys.held(ANY, '').sk, prefix: true },
  numberPairing: { sk: keys.numberPairing(ANY, '').sk, prefix: true },
};

/** An item on a number's partition that no kind of this list describes: a kind the export and erasure would miss. */
export class UnknownItemError extends Error {}

/** The kind of an item of a number's partition, by its sort key; throws for an item of a kind not listed. */
export function kindOnNumber(sortKey: string): NumberItemKind {
  const found = (Object.entries(SORT_KEYS) as [NumberItemKind, { sk: string; prefix: boolean }][]).find(([, { sk, prefix }]) =>
    prefix ? sortKey.startsWith(sk) : sortKey === sk,
  );
  if (!found) throw new UnknownItemError(`A number's partition holds an item of a kind the personal data does not know (sort key ${sortKey}); list it in item-kinds.ts`);
  return found[0];
}

/** The kinds of the consent table on a number's own partition, as the list says: those `kindOnNumber` must tell apart. */
export function kindsOnNumber(): string[] {
  return Object.entries(KEY_KINDS)
    .filter(([, kind]) => kind.holds === 'a number' && kind.table === 'consent' && kind.partition === 'number')
    .map(([name]) => name);
}
