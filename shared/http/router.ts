import { NotFoundError } from '../domain/errors.js';
import type { HttpContext, HttpEvent, HttpResult, RouteHandler } from './types.js';

/**
 * Dispatches on API Gateway's `routeKey` (`"POST /profiles/{profileId}/whatsapp/{phone}/block"`), which
 * names the route the request matched; the local stack sets it the same way.
 */
export function routeByKey(routes: Record<string, RouteHandler>) {
  return async (event: HttpEvent, context: HttpContext): Promise<HttpResult> => {
    // Own keys only: a route key such as `toString` must not reach Object.prototype.
    const route = Object.hasOwn(routes, event.routeKey) ? routes[event.routeKey] : undefined;
    if (!route) throw new NotFoundError(`No route ${event.routeKey}.`);
    return route(event, context);
  };
}
