import type { MiddlewareObj, Request } from '@middy/core';
import { callerFromClaims } from '../domain/caller.js';
import { UnauthorizedError } from '../domain/errors.js';
import type { HttpContext, HttpEvent, HttpResult } from './types.js';

/**
 * Turns the JWT claims that the API's authorizer verified into `context.caller`. A request that reaches
 * the function without claims (a route deployed without the authorizer, say), or with an ID token's
 * (which API Gateway's Cognito authorizer lets through), is refused, not trusted.
 */
export function authenticate(): MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext> {
  const before = async (request: Request<HttpEvent, HttpResult, Error, HttpContext>): Promise<void> => {
    const claims = request.event.requestContext.authorizer?.jwt?.claims;
    const caller = callerFromClaims(claims);
    if (!caller) throw new UnauthorizedError('A valid bearer token is required.');
    request.context.caller = caller;
  };
  return { before };
}
