import { setTimeout as sleep } from 'node:timers/promises';

export type RequestStatus = 'pending' | 'applied' | 'unchanged' | 'superseded' | 'failed';

export interface Settled {
  requests: number;
  /** From the last change accepted until every request was seen ended (to the poll that saw it), in ms. */
  settledAfterMs: number | null;
  /** Whether every request ended before the wait's bound. */
  settled: boolean;
  statuses: Record<RequestStatus | 'unknown', number>;
}

/**
 * Polls `GET /requests/{id}` for the change requests of the run until none is `pending`, or for at most
 * `seconds`. Each round asks only about the requests still pending, a few at a time.
 */
export async function waitUntilApplied({
  url,
  token,
  requestIds,
  lastAcceptedAt,
  seconds,
  concurrency = 8,
  pauseMs = 250,
}: {
  url: URL;
  token: string;
  requestIds: string[];
  /** `performance.now()` when the last change request was accepted. */
  lastAcceptedAt: number;
  seconds: number;
  concurrency?: number;
  pauseMs?: number;
}): Promise<Settled> {
  const deadline = performance.now() + seconds * 1000;
  const statuses = new Map<string, RequestStatus | 'unknown'>(requestIds.map((id) => [id, 'pending']));
  let pending = [...requestIds];
  while (pending.length > 0) {
    const queue = [...pending];
    await Promise.all(
      Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) statuses.set(id, await statusOf(url, token, id));
      }),
    );
    pending = pending.filter((id) => statuses.get(id) === 'pending');
    if (pending.length === 0 || performance.now() + pauseMs > deadline) break;
    await sleep(pauseMs);
  }
  const counts: Settled['statuses'] = { pending: 0, applied: 0, unchanged: 0, superseded: 0, failed: 0, unknown: 0 };
  for (const status of statuses.values()) counts[status] += 1;
  return {
    requests: requestIds.length,
    settledAfterMs: pending.length === 0 ? Math.max(0, Math.round(performance.now() - lastAcceptedAt)) : null,
    settled: pending.length === 0,
    statuses: counts,
  };
}

/** A request's status; a failed poll counts as still pending (the next round asks again). */
async function statusOf(url: URL, token: string, requestId: string): Promise<RequestStatus | 'unknown'> {
  try {
    const response = await fetch(new URL(`/requests/${encodeURIComponent(requestId)}`, url), {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json().catch(() => undefined)) as { status?: RequestStatus } | undefined;
    if (response.status === 404) return 'unknown';
    return response.status === 200 && body?.status ? body.status : 'pending';
  } catch {
    return 'pending';
  }
}
