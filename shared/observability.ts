import { Logger } from '@aws-lambda-powertools/logger';

/** One logger per function; its level comes from `POWERTOOLS_LOG_LEVEL`. */
export const logger = new Logger({ serviceName: 'whatsapp-consent' });
