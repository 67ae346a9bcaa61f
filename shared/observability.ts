import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
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
 * The middlewares every handler starts with: the Lambda context in every log line, and the
 * invocation's metrics flushed at its end (with a `ColdStart` metric).
 *
 * Traces need no code here: with active tracing, Lambda itself sends each invocation's segment to
 * X-Ray, with its `Init` subsegment on a cold start and the link to the SQS message that triggered it.
 * A tracing SDK in the bundle (Powertools Tracer wraps the X-Ray SDK, which reaches end of support in
 * February 2027) would cost every cold start and, through its hook on every promise, every request;
 * OpenTelemetry, when wanted, comes as a Lambda layer (`-c tracing=otel`), not in the bundle.
 */
export function observed<E, R>(): MiddlewareObj<E, R, Error>[] {
  return [injectLambdaContext(logger), logMetrics(metrics, { captureColdStartMetric: true })] as MiddlewareObj<E, R, Error>[];
}
