/** RFC 9457 problem+json responses: the one table from domain errors to HTTP. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError, InvalidError, LimitError } from '#shared/errors/domain-errors.js';
import { UnknownItemFormatError } from '#shared/store/records/item-format.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string }[];
  [extra: string]: unknown;
}

/** Builds a problem response; `type` is a stable URN per status family. */
export function problemResponse(
  status: number,
  title: string,
  detail: string,
  extra: Record<string, unknown> = {},
): APIGatewayProxyStructuredResultV2 {
  const body: ProblemBody = {
    type: `urn:gatehouse:problem:${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
    title,
    status,
    detail,
    ...extra,
  };
  const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE };
  if (typeof extra.retryAfterSeconds === 'number')
    headers['retry-after'] = String(extra.retryAfterSeconds);
  return { statusCode: status, headers, body: JSON.stringify(body) };
}

/** Maps any thrown value to a problem response; unknown errors become a generic 500. */
export function errorToProblem(error: unknown): APIGatewayProxyStructuredResultV2 {
  if (error instanceof InvalidError || error instanceof LimitError) {
    return problemResponse(error.status, error.title, error.message, {
      ...error.extra,
      errors: error.errors,
    });
  }
  if (error instanceof DomainError) {
    return problemResponse(error.status, error.title, error.message, error.extra);
  }
  if (error instanceof UnknownItemFormatError) {
    // Data written by a newer version (a rollback below a written format): refused, never read
    // and written back without the fields this version does not know. Not retryable: the fix is
    // to deploy the newer version again (docs/data-model.md, Item formats).
    return problemResponse(
      500,
      'Item format not supported',
      `This deployment cannot read data written by a newer version of Gatehouse (${error.kind} item); nothing was changed.`,
      { kind: error.kind },
    );
  }
  return problemResponse(
    500,
    'Internal error',
    'An unexpected error occurred; it has been logged.',
  );
}
