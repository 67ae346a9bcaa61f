import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';
import { METRICS_NAMESPACE, SERVICE_NAME } from './metric-names.js';

/** One logger per function; its level comes from `POWERTOOLS_LOG_LEVEL`. */
export const logger = new Logger({ serviceName: SERVICE_NAME });

/**
 * Metrics in CloudWatch's embedded metric format: written as log lines, which CloudWatch turns into
 * metrics in AWS and which locally are simply printed. An invocation that counted nothing writes no
 * line; Powertools would warn about it on every such invocation, so its own logger keeps errors only.
 */
export const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: SERVICE_NAME,
  logger: logger.createChild({ logLevel: 'ERROR' }),
});

/**
 * X-Ray traces of each invocation and of every AWS call made through a captured client. Powertools
 * turns itself off outside Lambda (the local stack, tests), where there is no daemon to send to.
 *
 * Every outbound call the functions make goes through a captured SDK client, so patching `http`,
 * `https` and `fetch` as well would only nest a second subsegment, the same request seen from below,
 * under each AWS call, and pay for it on every request.
 */
export const tracer = new Tracer({ serviceName: SERVICE_NAME, captureHTTPsRequests: false });

/**
 * The middlewares every handler starts with: the Lambda context in every log line, a traced
 * invocation, and the invocation's metrics flushed at its end (with a `ColdStart` metric).
 */
export function observed<E, R>(): MiddlewareObj<E, R, Error>[] {
  return [
    injectLambdaContext(logger),
    captureLambdaHandler(tracer, { captureResponse: false }),
    logMetrics(metrics, { captureColdStartMetric: true }),
  ] as MiddlewareObj<E, R, Error>[];
}
