import type { MiddyfiedHandler } from '@middy/core';
import type { HttpContext, HttpEvent, HttpResult } from '../../../shared/http/types.js';
import { lambdaContext } from './samples.js';

export const OK: HttpResult = { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };

/** Invokes a middy handler the way the Lambda runtime does, with a fresh context. */
export function invoke(
  handler: MiddyfiedHandler<HttpEvent, HttpResult, Error, HttpContext>,
  event: HttpEvent,
  context: HttpContext = lambdaContext(),
): Promise<HttpResult> {
  return Promise.resolve(handler(event, context, { signal: new AbortController().signal })) as Promise<HttpResult>;
}

/** A response with its JSON body parsed, to compare whole responses without caring about key order. */
export function parsed(response: HttpResult): Omit<HttpResult, 'body'> & { body: unknown } {
  return { ...response, body: typeof response.body === 'string' ? JSON.parse(response.body) : response.body };
}
