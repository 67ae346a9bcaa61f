import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const SERVICE_NAME = 'whatsapp-consent';
/** The namespace of the service's CloudWatch metrics, which the stack's alarms name too. */
export const METRICS_NAMESPACE = 'WhatsappConsent';

/** One logger per function; its level comes from `POWERTOOLS_LOG_LEVEL`. */
export const logger = new Logger({ serviceName: SERVICE_NAME });

/**
 * Metrics in CloudWatch's embedded metric format: written as log lines, which CloudWatch turns into
 * metrics in AWS and which locally are simply printed.
 */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

/** Automatic blocks the auto-block guard held (the processor); the stack's guard alarm watches it. */
export const HELD_BLOCKS_METRIC = 'AutoBlocksHeld';
