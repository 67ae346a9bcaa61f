import type { Caller } from '../caller.js';
import type { UserActor } from '../consent-event.js';
import type { ConsentState } from '../consent-state.js';
import { ServiceUnavailableError } from '../errors.js';
import type { E164 } from '../phone.js';
import type { Clock, ConsentStateStore } from '../ports.js';
import { ERASURE_STEPS, type Deleted, type Erasure, type ErasureStep, type NumberRecords, type NumberRecordsReader } from './number-records.js';
import { isSuppression, suppressionOf } from './suppression.js';

/**
 * The erasure's steps but the state's: each deletes the items of its kinds (`item-kinds.ts` says which)
 * among those read, and answers how many of those it counts it deleted. Each deletes only what names
 * this number, and deleting what is gone already is no error, so that an erasure can be repeated.
 */
export type NumberEraser = {
  [Step in Exclude<ErasureStep, 'state'>]: (records: NumberRecords) => Promise<number>;
} & {
  /** Writes the state that stays (`undefined`: none), provided the stored state's version is still `expectedVersion`. */
  replaceState(phone: E164, next: ConsentState | undefined, expectedVersion: number | undefined): Promise<'written' | 'conflict'>;
};

/** The log of erasures, which never holds a number in clear. */
export interface ErasureLog {
  record(entry: { erasureId: string; erasedAt: string; erasedBy: UserActor; reason: string } & Erasure): Promise<void>;
}

/** What each step's count is, in the answer. */
const COUNTED_AS: Record<Exclude<ErasureStep, 'state'>, keyof Deleted> = {
  imports: 'importRows',
  requests: 'requests',
  unresolved: 'unresolved',
  pairings: 'pairings',
  profiles: 'profiles',
  history: 'historyEntries',
  numberItems: 'held',
};

/**
 * Passes over the number before giving up: each pass after the first is for signals applied while the
 * one before ran, which are rare.
 */
const MAX_PASSES = 4;

/**
 * Erases what is stored about a number (SPEC behaviour 20), keeping only what honours the person's
 * objection: a suppression record when the number is blocked or opted out of marketing
 * (`suppressionOf`).
 *
 * 1. Read everything stored about the number (`NumberRecordsReader.records`).
 * 2. Take the steps of `ERASURE_STEPS` in order. Deleting the number's requests first makes the
 *    processor drop the event of any of them still on the queue, whatever it was sent before: its
 *    transaction updates a request only while it exists (`DynamoEventLedger`). The state is replaced
 *    on condition of the version read; a signal applied since then fails it, and the pass starts again.
 * 3. A signal applied after the state was replaced changed its version, and its history entry may be
 *    gone with the rest while its effect is not: another pass then erases it too. Once a pass ends with
 *    the state as it left it, every signal applied before is erased, and one applied after is the
 *    number's like any other's.
 * 4. The erasure is logged (who, when, why, how many items went) under a keyed hash of the number.
 *
 * Every step deletes only what is there, so an erasure that fails half-way is repeated, and finishes.
 */
export async function erasePersonalData(
  caller: Caller,
  input: { phone: E164; reason: string },
  deps: { reader: NumberRecordsReader; eraser: NumberEraser; states: Pick<ConsentStateStore, 'get'>; log: ErasureLog; clock: Clock; newId: () => string },
): Promise<Erasure> {
  const deleted: Deleted = { historyEntries: 0, profiles: 0, pairings: 0, requests: 0, held: 0, unresolved: 0, importRows: 0 };
  for (let pass = 1; pass <= MAX_PASSES; pass++) {
    const records = await deps.reader.records(input.phone);
    const left = await erasePass(records, deleted, deps.eraser);
    if (left === 'conflict') continue;
    const now = await deps.states.get(input.phone);
    if (now?.version !== left?.version) continue;
    const erasure: Erasure = { phone: input.phone, deleted, suppressionKept: left !== undefined };
    await deps.log.record({
      erasureId: deps.newId(),
      erasedAt: deps.clock.now().toISOString(),
      erasedBy: { type: 'user', sub: caller.sub, username: caller.username },
      reason: input.reason,
      ...erasure,
    });
    return erasure;
  }
  throw new ServiceUnavailableError('The number kept changing while it was erased. Nothing is lost by repeating the erasure: repeat it.');
}

/** One pass of the steps; the state it left (none: `undefined`), or `conflict` when a signal was applied meanwhile. */
async function erasePass(records: NumberRecords, deleted: Deleted, eraser: NumberEraser): Promise<ConsentState | undefined | 'conflict'> {
  let left: ConsentState | undefined;
  for (const step of ERASURE_STEPS) {
    if (step === 'state') {
      // A suppression record already (an erasure repeated) stays as it is.
      left = isSuppression(records.state) ? records.state : suppressionOf(records.state);
      if (left !== records.state && (await eraser.replaceState(records.phone, left, records.state?.version)) === 'conflict') return 'conflict';
      continue;
    }
    deleted[COUNTED_AS[step]] += await eraser[step](records);
  }
  return left;
}
