/**
 * How long an AWS call may take, and how often it is tried, for every client of the functions. Without
 * a request timeout a call that hangs holds the function until Lambda kills it; with these, a call
 * gives up after at most three tries of a few seconds each, well inside the API's 29-second limit and
 * the processor's timeout. A call that took effect but whose answer was lost is retried safely: the
 * writes are conditional, or carry an idempotency token.
 */
export const BOUNDED_CALLS = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000 },
} as const;
