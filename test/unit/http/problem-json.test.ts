import middy from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  ForbiddenError,
  IdempotencyConflictError,
  InvalidInputError,
  NotFoundError,
  ServiceUnavailableError,
} from '../../../shared/domain/errors.js';
import { problemJson } from '../../../shared/http/problem-json.js';
import { UnsupportedMediaTypeError } from '../../../shared/http/request.js';
import type { HttpContext, HttpEvent, HttpResult } from '../../../shared/http/types.js';
import { invoke, OK, parsed } from '../support/middy.js';
import { httpEvent } from '../support/samples.js';

class RecordingLogger implements Pick<Logger, 'error' | 'info'> {
  readonly errors: unknown[][] = [];
  readonly infos: unknown[][] = [];
  error(...args: Parameters<Logger['error']>): void {
    this.errors.push(args);
  }
  info(...args: Parameters<Logger['info']>): void {
    this.infos.push(args);
  }
}

function throwing(error: unknown) {
  const logger = new RecordingLogger();
  const handler = middy<HttpEvent, HttpResult, Error, HttpContext>(async () => {
    throw error;
  }).use(problemJson({ logger }));
  return { logger, handler };
}

const PROBLEM = { 'content-type': 'application/problem+json' };

describe('problemJson', () => {
  it('passes a successful response through untouched', async () => {
    const handler = middy<HttpEvent, HttpResult, Error, HttpContext>(async () => OK).use(problemJson({ logger: new RecordingLogger() }));

    expect(await invoke(handler, httpEvent())).toEqual(OK);
  });

  it.each([
    [
      'an InvalidInputError into a 400',
      new InvalidInputError([
        { field: 'body.reason', message: 'must not be empty or only white space' },
        { field: 'path.phone', message: 'is not a valid international phone number' },
      ]),
      { type: '/problems/invalid-input', title: 'Invalid input', status: 400, detail: 'The request has invalid fields; see errors.' },
    ],
    [
      'an UnsupportedMediaTypeError into a 415',
      new UnsupportedMediaTypeError(),
      {
        type: '/problems/unsupported-media-type',
        title: 'Unsupported media type',
        status: 415,
        detail: 'The body must be JSON, sent with Content-Type: application/json.',
      },
    ],
  ])('turns %s problem document listing each invalid field', async (_label, error, expected) => {
    const { handler, logger } = throwing(error);

    const response = await invoke(handler, httpEvent());

    expect(parsed(response)).toEqual({ statusCode: expected.status, headers: PROBLEM, body: { ...expected, errors: error.errors } });
    expect(error.errors.length).toBeGreaterThan(0);
    expect(logger.errors).toEqual([]);
  });

  it.each([
    [new NotFoundError('Profile p1 does not exist.'), 404, '/problems/not-found', 'Not found'],
    [new ForbiddenError('This action needs a permission.'), 403, '/problems/forbidden', 'Forbidden'],
    [new IdempotencyConflictError('Key reused.'), 422, '/problems/idempotency-key-reused', 'Idempotency key reused with another request'],
  ])('turns %s into a %i problem document without an errors member', async (error, status, type, title) => {
    const { handler } = throwing(error);

    const response = await invoke(handler, httpEvent());

    expect(parsed(response)).toEqual({ statusCode: status, headers: PROBLEM, body: { type, title, status, detail: error.message } });
  });

  it('turns a ServiceUnavailableError into a 503 and logs it', async () => {
    const error = new ServiceUnavailableError('The request could not be queued.');
    const { handler, logger } = throwing(error);

    const response = await invoke(handler, httpEvent());

    expect(parsed(response)).toEqual({
      statusCode: 503,
      headers: PROBLEM,
      body: { type: '/problems/service-unavailable', title: 'Service unavailable', status: 503, detail: 'The request could not be queued.' },
    });
    expect(logger.errors).toHaveLength(1);
  });

  it('turns an unexpected error into a generic 500 that leaks nothing, and logs the error', async () => {
    // prepare
    const secret = 'AccessDenied on arn:aws:dynamodb:eu-west-1:123456789012:table/consent';
    const error = new Error(secret);
    const { handler, logger } = throwing(error);

    // act
    const response = await invoke(handler, httpEvent());

    // assess
    expect(parsed(response)).toEqual({
      statusCode: 500,
      headers: PROBLEM,
      body: {
        type: '/problems/internal-error',
        title: 'Internal server error',
        status: 500,
        detail: 'Something went wrong on our side; nothing is known to have changed. Retry later.',
      },
    });
    expect(response.body).not.toContain('arn:aws');
    expect(response.body).not.toContain('AccessDenied');
    expect(logger.errors).toEqual([['unexpected error', { error }]]);
  });

  it('turns a thrown non-Error value into the same generic 500', async () => {
    const { handler } = throwing('a string, not an Error');

    const response = await invoke(handler, httpEvent());

    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('a string');
  });

  it.each([
    ['an unexpected error', new Error('boom'), [500]],
    ['a ServiceUnavailableError', new ServiceUnavailableError('Not now.'), [503]],
    ['a NotFoundError', new NotFoundError('No such profile.'), []],
    ['an InvalidInputError', new InvalidInputError([{ field: 'body.reason', message: 'is required' }]), []],
  ])('tells onServerError of %s only when the answer is a 5xx', async (_label, error, expected) => {
    const statuses: number[] = [];
    const handler = middy<HttpEvent, HttpResult, Error, HttpContext>(async () => {
      throw error;
    }).use(problemJson({ logger: new RecordingLogger(), onServerError: (status) => statuses.push(status) }));

    await invoke(handler, httpEvent());

    expect(statuses).toEqual(expected);
  });
});
