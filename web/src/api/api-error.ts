import type { Problem } from './types.js';

/**
 * What went wrong with a call, in the terms the console acts on:
 * - `unauthorized` (401): the token is missing or expired; sign in again.
 * - `forbidden` (403): signed in, without the permission.
 * - `network`: no answer (offline, refused, timed out); the request may or may not have arrived.
 * - the others carry the API's own explanation.
 */
export type ApiErrorKind =
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'invalid'
  | 'conflict'
  | 'unavailable'
  | 'server'
  | 'network';

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly status: number | undefined,
    readonly problem: Problem | undefined,
  ) {
    super(message);
  }

  /** From an HTTP answer that was not a success; the message is the API's `detail` when it gave one. */
  static fromResponse(status: number, problem: Problem | undefined): ApiError {
    const detail = problem?.detail ?? problem?.title ?? `The service answered ${status}.`;
    return new ApiError(kindOfStatus(status), detail, status, problem);
  }

  static network(cause: unknown): ApiError {
    const timedOut = cause instanceof DOMException && cause.name === 'TimeoutError';
    return new ApiError(
      'network',
      timedOut ? 'The service did not answer in time.' : 'The service could not be reached.',
      undefined,
      undefined,
    );
  }
}

function kindOfStatus(status: number): ApiErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 409 || status === 422) return 'conflict';
  if (status === 503) return 'unavailable';
  if (status >= 400 && status < 500) return 'invalid';
  return 'server';
}
