import type { DomainError } from '../domain/errors.js';
import type { HttpResult } from './types.js';

export function json(statusCode: number, body: unknown): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/** An answer without a body (`204`). */
export function noContent(): HttpResult {
  return { statusCode: 204, headers: {}, body: '' };
}

/** Plain text, never sniffed as HTML by a browser (the webhook echoes a caller's challenge). */
export function text(statusCode: number, body: string): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
    body,
  };
}

/** A CSV document (RFC 4180's media type), with any further headers (a `Link` to the next page). */
export function csv(statusCode: number, body: string, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'text/csv; charset=utf-8; header=present', 'x-content-type-options': 'nosniff', ...headers },
    body,
  };
}

/** An RFC 9457 problem document. */
export function problem(error: Pick<DomainError, 'status' | 'type' | 'title' | 'message' | 'errors'>): HttpResult {
  return {
    statusCode: error.status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify({
      type: error.type,
      title: error.title,
      status: error.status,
      detail: error.message,
      ...(error.errors ? { errors: error.errors } : {}),
    }),
  };
}
