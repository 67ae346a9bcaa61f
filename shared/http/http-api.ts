import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { Context } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics, observed } from '../observability.js';
import { authenticate } from './authenticate.js';
import { bodyLimit } from './body-limit.js';
import { problemJson } from './problem-json.js';
import { routeByKey } from './router.js';
import type { HttpContext, HttpEvent, HttpResult, PublicRouteHandler, RouteHandler } from './types.js';

export interface HttpApiOptions {
  /** Largest accepted body in bytes. @default 65536 */
  maxBodyBytes?: number;
  /** A metric that counts the function's 5xx answers, for an alarm on them. @default none */
  serverErrorMetric?: string;
}

/**
 * The middy chain every API function shares: logging context first, error mapping next (so its
 * `onError` runs last and sees every error), then header normalisation, the caller from the token's
 * claims, the body limit, and finally the route for the request's `routeKey`.
 */
export function httpApi(routes: Record<string, RouteHandler>, options: HttpApiOptions = {}) {
  return chain<HttpContext>(options, authenticate()).handler(routeByKey(routes));
}

/**
 * The same chain for routes that API Gateway serves without a token (the provider's webhook), where the
 * function itself proves who is calling.
 */
export function publicHttpApi(routes: Record<string, PublicRouteHandler>, options: HttpApiOptions = {}) {
  return chain<Context>(options).handler(routeByKey(routes));
}

/** The shared middlewares, with the caller's middleware (if any) between header normalisation and the body limit. */
function chain<C extends Context>(options: HttpApiOptions, ...identify: MiddlewareObj<HttpEvent, HttpResult, Error, C>[]) {
  return middy<HttpEvent, HttpResult, Error, C>()
    .use(observed())
    .use(problemJson({ logger, onServerError: serverErrorCounter(options.serverErrorMetric) }))
    .use(httpHeaderNormalizer())
    .use(identify)
    .use(bodyLimit(options.maxBodyBytes === undefined ? {} : { maxBytes: options.maxBodyBytes }));
}

function serverErrorCounter(metricName: string | undefined) {
  if (metricName === undefined) return undefined;
  return () => metrics.addMetric(metricName, MetricUnit.Count, 1);
}
