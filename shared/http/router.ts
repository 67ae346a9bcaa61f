import { NotFoundError } from '../domain/errors.js';
import type { Context } from 'aws-lambda';
import type { HttpEvent, HttpResult } from './types.js';

/**
 * Dispatches on API Gateway's `routeKey` (`"POST /profiles/{profileId}/whatsapp/{phone}/block"`), which
 * names the route the request matched; the local stack sets it the same way.
 */
export function routeByKey<C extends Context>(routes: Record<string, (event: HttpEvent, context: C) => Promise<HttpResult>>) {
  return async (event: HttpEvent, context: C): Promise<HttpResult> => {
    // Own keys only: a route key such as `toString` must not reach Object.prototype.
    const route = Object.hasOwn(routes, event.routeKey) ? routes[event.routeKey] : undefined;
    if (!route) throw new NotFoundError(`No route ${event.routeKey}.`);
    return route(event, context);
  };
}
