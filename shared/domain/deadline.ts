/**
 * The time a call keeps back from its last calls to give its answer: once a request is recorded, its
 * `202` must reach the caller before the function's own timeout would turn it into a `500`.
 */
export const ANSWER_RESERVE_MS = 1_000;

/** A signal that aborts once `milliseconds` have passed (at once, if none are left); none for an infinite time. */
export function abortAfter(milliseconds: number): AbortSignal | undefined {
  if (!Number.isFinite(milliseconds)) return undefined;
  return milliseconds > 0 ? AbortSignal.timeout(milliseconds) : AbortSignal.abort(new DOMException('The call is out of time', 'TimeoutError'));
}
