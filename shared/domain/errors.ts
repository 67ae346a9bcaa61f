/**
 * Domain errors. Each names an HTTP status because the API contract fixes one per failure; exactly one
 * middleware (`shared/http/problem-json.ts`) turns them into problem+json responses.
 */

/** One invalid field of a request, for the `errors` member of a problem+json body. */
export interface FieldError {
  /** Where the value came from and its path, e.g. `body.reason`, `path.phone`, `header.idempotency-key`. */
  field: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly type: string;
  abstract readonly title: string;
  readonly errors: FieldError[] | undefined = undefined;

  constructor(detail: string, options?: ErrorOptions) {
    super(detail, options);
    this.name = new.target.name;
  }
}

export class InvalidInputError extends DomainError {
  readonly status = 400;
  readonly type = '/problems/invalid-input';
  readonly title = 'Invalid input';
  override readonly errors: FieldError[];

  constructor(errors: FieldError[], detail = 'The request has invalid fields; see errors.') {
    super(detail);
    this.errors = errors;
  }
}

export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly type = '/problems/unauthorized';
  readonly title = 'Unauthorized';
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly type = '/problems/forbidden';
  readonly title = 'Forbidden';
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly type = '/problems/not-found';
  readonly title = 'Not found';
}

export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  readonly type = '/problems/payload-too-large';
  readonly title = 'Payload too large';
}

export class IdempotencyConflictError extends DomainError {
  readonly status = 422;
  readonly type = '/problems/idempotency-key-reused';
  readonly title = 'Idempotency key reused with another request';
}

export class ServiceUnavailableError extends DomainError {
  readonly status = 503;
  readonly type = '/problems/service-unavailable';
  readonly title = 'Service unavailable';
}
