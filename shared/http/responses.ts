import type { DomainError } from '../domain/errors.js';
import type { HttpResult } from './types.js';

export function json(statusCode: number, body: unknown): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
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
