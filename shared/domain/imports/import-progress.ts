import { NotFoundError } from '../errors.js';
import type { RequestBatchStore } from '../ports.js';
import type { RequestStatus } from '../records.js';
import { answerOf, type AcceptedImport } from './accept-import.js';
import type { ImportStore } from './ports.js';
import { rowRequestId } from './row-request-id.js';

export interface ImportProgress extends AcceptedImport {
  /** The accepted rows by their requests' statuses. */
  counts: Record<RequestStatus, number>;
  /** Whether every accepted row has ended (none is pending). */
  done: boolean;
}

/**
 * Where an import stands: its answer, and its accepted rows counted by their requests' statuses, read in
 * batches from the requests themselves (eventually consistent: a row settled a moment ago may still
 * count as pending). A row whose request is not written yet (an upload still being recorded, or one
 * interrupted before it was answered) counts as pending.
 */
export async function importProgress(
  importId: string,
  deps: { imports: Pick<ImportStore, 'get'>; requests: Pick<RequestBatchStore, 'statusesOf'> },
): Promise<ImportProgress> {
  const record = await deps.imports.get(importId);
  if (!record) throw new NotFoundError(`Import ${importId} does not exist.`);
  const references = record.accepted.map(({ line, phone }) => ({ phone, requestId: rowRequestId(importId, line) }));
  const statuses = await deps.requests.statusesOf(references);
  const counts: Record<RequestStatus, number> = { pending: 0, applied: 0, unchanged: 0, superseded: 0, failed: 0 };
  for (const { requestId } of references) counts[statuses.get(requestId) ?? 'pending'] += 1;
  return { ...answerOf(record), counts, done: counts.pending === 0 };
}
