import type { MiddlewareObj, Request } from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import { DomainError } from '../domain/errors.js';
import { problem } from './responses.js';
import type { HttpResult } from './types.js';

export interface ProblemJsonOptions {
  logger: Pick<Logger, 'error' | 'info'>;
  /** Told of every 5xx answer (after it is logged), for a function that counts them. */
  onServerError?: (status: number) => void;
}

/**
 * The one place where errors become responses: domain errors map to their problem+json document, and
 * anything unexpected becomes a generic 500 whose body leaks nothing (the details go to the log).
 */
export function problemJson(options: ProblemJsonOptions): MiddlewareObj<unknown, HttpResult> {
  const onError = async (request: Request<unknown, HttpResult>): Promise<void> => {
    const { error } = request;
    if (error instanceof DomainError) {
      if (error.status >= 500) {
        options.logger.error('request refused by the service', { error });
        options.onServerError?.(error.status);
      }
      request.response = problem(error);
      return;
    }
    options.logger.error('unexpected error', { error });
    options.onServerError?.(500);
    request.response = problem({
      status: 500,
      type: '/problems/internal-error',
      title: 'Internal server error',
      message: 'Something went wrong on our side; nothing is known to have changed. Retry later.',
      errors: undefined,
    });
  };
  return { onError };
}
