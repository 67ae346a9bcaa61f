import { createHash } from 'node:crypto';
import type { Caller } from '../caller.js';
import type { ConsentEvent } from '../consent-event.js';
import { abortAfter, ANSWER_RESERVE_MS } from '../deadline.js';
import { eventOf } from '../accept-consent-request.js';
import { IdempotencyConflictError, ServiceUnavailableError } from '../errors.js';
import type { E164 } from '../phone.js';
import type { Clock, EventPublisher, RequestBatchStore } from '../ports.js';
import type { ConsentRequest } from '../records.js';
import { readImportRows, type ImportRows, type InvalidRow } from './import-rows.js';
import type { BlocklistImport, ImportKeyRecord, ImportStore, PlannedRow } from './ports.js';
import { rowRequestId } from './row-request-id.js';

export interface ImportDependencies {
  imports: ImportStore;
  requests: RequestBatchStore;
  publisher: EventPublisher;
  clock: Clock;
  newId: () => string;
  /** Told when some of an accepted import's events could not be enqueued now; the sweeper sends them later. */
  onPublishFailed?: (importId: string, error: unknown) => void;
  /** How long the call may still take, in milliseconds (a Lambda function's remaining time); no limit without it. */
  timeLeft?: () => number;
}

/** Time kept back from recording the import, to enqueue and answer. */
const ENQUEUE_RESERVE_MS = 5_000;
/** Events enqueued between looks at the clock. */
const EVENTS_PER_LOOK = 500;

export interface ImportInput {
  /** The body as sent: a CSV file (`phone,action,reason`). */
  csv: Uint8Array;
  idempotencyKey: string | undefined;
}

export interface AcceptedImport {
  importId: string;
  rows: number;
  accepted: number;
  invalid: InvalidRow[];
}

/**
 * Accepts a blocklist import from an editor: every valid row of the file becomes a pending request with
 * no profile, as if the editor had asked for each change through the API, applied by the same queue and
 * processor and audited with the editor as the actor and the import's id.
 *
 * 1. The file is read (`readImportRows`); a file that cannot be read as a whole is a 400 and records
 *    nothing. Invalid rows are answered, with their lines, and skipped.
 * 2. A repeated `Idempotency-Key` with the same body goes on with the import it recorded first (step 4);
 *    with another body, 422.
 * 3. Each number takes as many sequences as it has rows, at once, handed to its rows in line order;
 *    then the import's time is taken. The import is recorded with that plan (each row's line, number
 *    and sequence) and the key, in one transaction.
 * 4. The requests are written, many a call, each only if it does not exist. Their ids follow from the
 *    import's id and the lines, and their contents from the plan and the file, so an attempt that
 *    resumes after an interruption writes exactly the requests that are missing, and the same ones.
 * 5. The events of the requests still pending are enqueued, each number's rows in line order. From step
 *    4's end every accepted row is durable: a send that fails is repeated by the request sweeper (or
 *    at once by a replay of the key), and the request id, which is the event's id and deduplication id,
 *    keeps a second copy from being applied twice.
 *
 * A call that runs out of time while recording (step 3 or 4) stops starting writes, and answers 503:
 * nothing recorded, or the import recorded in part, which a retry with the same key finishes. One that
 * runs out while enqueueing answers `202` and leaves the rest to the sweeper. A function that dies inside
 * steps 3 to 5 answers nothing; a retry with the same key resumes. Without a key, the requests an
 * unfinished call wrote are still applied (they are pending, and the sweeper resends them), and a retry
 * records a second import.
 */
export async function acceptBlocklistImport(caller: Caller, input: ImportInput, deps: ImportDependencies): Promise<AcceptedImport> {
  const started = deps.clock.now().getTime();
  const timeLeft = deps.timeLeft?.() ?? Infinity;
  const file = readImportRows(input.csv);
  const bodyHash = hashImport(input.csv);
  const idempotency = input.idempotencyKey ? { callerSub: caller.sub, key: input.idempotencyKey, bodyHash } : undefined;
  const signal = abortAfter(timeLeft - ENQUEUE_RESERVE_MS - (deps.clock.now().getTime() - started));

  let record: BlocklistImport | undefined;
  let pending: ConsentRequest[];
  try {
    const earlier = idempotency && (await deps.imports.findIdempotencyRecord(idempotency.callerSub, idempotency.key));
    const recorded = earlier ? { record: await importHeldBy(earlier, bodyHash, deps), resumed: true } : await recordImport(caller, file, bodyHash, idempotency, deps, signal);
    record = recorded.record;
    const requests = requestsOf(record, file);
    pending = recorded.resumed ? await writeMissing(requests, deps, signal) : await writeAll(requests, deps, signal);
  } catch (error) {
    if (signal?.aborted) throw outOfTime(record, idempotency !== undefined);
    throw error;
  }
  await enqueue(record.importId, pending, started + timeLeft - ANSWER_RESERVE_MS, deps);
  return answerOf(record);
}

export function answerOf(record: BlocklistImport): AcceptedImport {
  return { importId: record.importId, rows: record.rows, accepted: record.accepted.length, invalid: record.invalid };
}

/** Step 3: the sequences, the time, and the import with its key. */
async function recordImport(
  caller: Caller,
  file: ImportRows,
  bodyHash: string,
  idempotency: { callerSub: string; key: string; bodyHash: string } | undefined,
  deps: ImportDependencies,
  signal: AbortSignal | undefined,
): Promise<{ record: BlocklistImport; resumed: boolean }> {
  const counts = new Map<E164, number>();
  for (const row of file.valid) counts.set(row.phone, (counts.get(row.phone) ?? 0) + 1);
  const next = await deps.requests.reserveSequences(counts, { signal });
  const accepted = file.valid.map(({ line, phone }): PlannedRow => {
    const sequence = next.get(phone);
    if (sequence === undefined) throw new Error(`No sequence was reserved for ${phone}`);
    next.set(phone, sequence + 1);
    return { line, phone, sequence };
  });
  const record: BlocklistImport = {
    importId: deps.newId(),
    requestedBy: { type: 'user', sub: caller.sub, username: caller.username },
    requestedAt: deps.clock.now().toISOString(),
    rows: file.rows,
    accepted,
    invalid: file.invalid,
    bodyHash,
  };
  signal?.throwIfAborted();
  const created = await deps.imports.create(record, idempotency);
  // Another upload with the same key won the race between our look-up and our write; its sequences
  // stand, ours are skipped (a gap in a number's order changes nothing).
  if (!created.created) return { record: await importHeldBy(created.existing, bodyHash, deps), resumed: true };
  return { record, resumed: false };
}

/** The import that an `Idempotency-Key` holds, for the same body; a 422 for another body, or a key of a single request. */
async function importHeldBy(existing: ImportKeyRecord, bodyHash: string, deps: ImportDependencies): Promise<BlocklistImport> {
  if (existing.importId === undefined || existing.bodyHash !== bodyHash) {
    throw new IdempotencyConflictError('This Idempotency-Key was already used with a different request. Use a new key for a new import.');
  }
  const record = await deps.imports.get(existing.importId);
  // The key and the import are written in one transaction: one without the other is a broken store.
  if (!record) throw new Error(`Idempotency key names import ${existing.importId}, which does not exist`);
  return record;
}

/** The import's requests, from its plan and the rows of its file (which, by its hash, is the same file). */
function requestsOf(record: BlocklistImport, file: ImportRows): ConsentRequest[] {
  const rowAt = new Map(file.valid.map((row) => [row.line, row]));
  return record.accepted.map(({ line, phone, sequence }) => {
    const row = rowAt.get(line);
    if (row?.phone !== phone) throw new Error(`Line ${line} of import ${record.importId} no longer reads as it did when the import was recorded`);
    return {
      requestId: rowRequestId(record.importId, line),
      status: 'pending',
      action: row.action,
      phone,
      profileId: undefined,
      importId: record.importId,
      reason: row.reason,
      requestedBy: record.requestedBy,
      requestedAt: record.requestedAt,
      appliedAt: undefined,
      sequence,
    };
  });
}

/** Step 4 of a new import: every request is new. */
async function writeAll(requests: ConsentRequest[], deps: ImportDependencies, signal: AbortSignal | undefined): Promise<ConsentRequest[]> {
  await deps.requests.createMany(requests, { signal });
  return requests;
}

/** Step 4 of a resumed import: the requests not written yet, and those written that are still pending. */
async function writeMissing(requests: ConsentRequest[], deps: ImportDependencies, signal: AbortSignal | undefined): Promise<ConsentRequest[]> {
  const stored = await deps.requests.getMany(requests);
  const missing = requests.filter((request) => !stored.has(request.requestId));
  await deps.requests.createMany(missing, { signal });
  return requests.filter((request) => (stored.get(request.requestId)?.status ?? 'pending') === 'pending');
}

/** A 503 for a call that ran out of time while recording, saying what was recorded and how to finish it. */
function outOfTime(record: BlocklistImport | undefined, keyed: boolean): ServiceUnavailableError {
  if (!record) return new ServiceUnavailableError('The import could not be recorded in the time a call has, and nothing was recorded. Send it again.');
  if (keyed) {
    return new ServiceUnavailableError(
      `Import ${record.importId} is recorded in part: the time a call has ran out. Send the same file with the same Idempotency-Key to finish it.`,
    );
  }
  return new ServiceUnavailableError(
    `Import ${record.importId} is recorded in part: the time a call has ran out. The rows recorded will be applied, the others not; ` +
      'an upload with an Idempotency-Key can be finished by sending it again.',
  );
}

/**
 * Step 5, best effort. Each round holds at most one request per number (its first, then its second, …),
 * and a round is sent only once the one before is on the queue, so that each number's events reach it
 * in line order: sends in parallel batches keep no order between them. What is not sent by `stopAt`
 * is left to the sweeper.
 */
async function enqueue(importId: string, requests: readonly ConsentRequest[], stopAt: number, deps: ImportDependencies): Promise<void> {
  const rounds: ConsentEvent[][] = [];
  const seen = new Map<E164, number>();
  // The requests are in line order, and so in each number's order.
  for (const request of requests) {
    const round = seen.get(request.phone) ?? 0;
    seen.set(request.phone, round + 1);
    (rounds[round] ??= []).push(eventOf(request));
  }
  let sent = 0;
  // Besides the look at the clock before each chunk: a chunk whose sends hang is given up on in time.
  const signal = abortAfter(stopAt - deps.clock.now().getTime());
  try {
    for (const round of rounds) {
      for (let start = 0; start < round.length; start += EVENTS_PER_LOOK) {
        if (deps.clock.now().getTime() > stopAt) throw new Error(`Out of time with ${requests.length - sent} of ${requests.length} events not enqueued`);
        const events = round.slice(start, start + EVENTS_PER_LOOK);
        await deps.publisher.publishAll(events, { signal });
        sent += events.length;
      }
    }
  } catch (error) {
    deps.onPublishFailed?.(importId, error);
  }
}

/** What makes two uploads "the same body" for an `Idempotency-Key`: the same bytes. */
function hashImport(csv: Uint8Array): string {
  return createHash('sha256').update('blocklist-import\n').update(csv).digest('hex');
}
