/** The domain error family: every expected failure is one of these, mapped to HTTP in one place. */

export interface FieldError {
  path: string;
  message: string;
}

interface DomainErrorOptions {
  cause?: unknown;
  /** Extra members for the problem body (e.g. `field`, `retryAfterSeconds`). */
  extra?: Record<string, unknown>;
  /** Lost a race that re-planning may win (internal: never part of the problem body). */
  retryable?: boolean;
}

export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly title: string;
  readonly extra: Record<string, unknown>;
  readonly retryable: boolean;
  constructor(message: string, options: DomainErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.extra = options.extra ?? {};
    this.retryable = options.retryable ?? false;
  }
}

/** 400: the request is malformed; `errors` names each offending field. */
export class InvalidError extends DomainError {
  readonly status = 400;
  readonly title = 'Invalid request';
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
    options: DomainErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** 401: no valid credentials. */
export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly title = 'Unauthorized';
}

/** 403: authenticated, but the permission is missing. */
export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly title = 'Forbidden';
}

/** 404: no such thing (or not visible to the caller). */
export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly title = 'Not found';
}

/** 409: the change conflicts with current state or an invariant. */
export class ConflictError extends DomainError {
  readonly status = 409;
  readonly title = 'Conflict';
}

/** 410: it existed but is no longer usable (expired, revoked, used). */
export class GoneError extends DomainError {
  readonly status = 410;
  readonly title = 'Gone';
}

/** 415: the body is not sent as JSON (`Content-Type` other than application/json). */
export class UnsupportedMediaTypeError extends DomainError {
  readonly status = 415;
  readonly title = 'Unsupported media type';
}

/** 422: well-formed but cannot be processed (e.g. idempotency key reused with another body). */
export class UnprocessableError extends DomainError {
  readonly status = 422;
  readonly title = 'Unprocessable request';
}

/** 429: slow down. */
export class TooManyError extends DomainError {
  readonly status = 429;
  readonly title = 'Too many requests';
}

/**
 * 409: one of the tenant's limits (DESIGN rule 16) would be exceeded; `limit` names it, `max` is
 * its value and `errors` names the field of the request that would exceed it.
 */
export class LimitError extends DomainError {
  readonly status = 409;
  readonly title = 'Limit reached';
  constructor(
    message: string,
    readonly limit: string,
    readonly max: number,
    readonly errors: FieldError[] = [],
    options: DomainErrorOptions = {},
  ) {
    super(message, { ...options, extra: { ...options.extra, limit, max } });
  }
}

/**
 * 503: a dependency (DynamoDB, Cognito, SES) is down, throttling or too slow for the request's
 * deadline. Nothing was decided; the client should retry after `retryAfterSeconds`.
 */
export class UnavailableError extends DomainError {
  readonly status = 503;
  readonly title = 'Service unavailable';
}

/** The conflict raised when a planned write lost a race: re-planning may succeed (retryable). */
export function raceLostError(): ConflictError {
  return new ConflictError('A concurrent change won; retry', { retryable: true });
}

/** Whether `error` is a lost race ({@link raceLostError}): a write whose condition named no error of its own. */
export function isRaceLost(error: unknown): error is ConflictError {
  return error instanceof ConflictError && error.retryable;
}
