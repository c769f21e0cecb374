/** How dependency failures, deadlines and retry delays are classified and rendered (pure). */
import { describe, expect, it } from 'vitest';
import { ConflictError, UnavailableError } from '#shared/errors/domain-errors.js';
import { errorToProblem } from '#shared/http/problem.js';
import { backoffMs, type RetryPolicy } from '#shared/mail/outbox.js';
import { lambdaDeadline, remainingMs, withDeadline } from '#shared/platform/deadline.js';
import { isDependencyFailure, unavailable } from '#shared/platform/dependency-guard.js';

const sdkError = (fields: Record<string, unknown>) => Object.assign(new Error('x'), fields);

describe('dependency failures', () => {
  it('counts outages, timeouts, throttling and server faults, not client errors', () => {
    expect(isDependencyFailure(sdkError({ code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDependencyFailure(sdkError({ name: 'TimeoutError' }))).toBe(true);
    expect(isDependencyFailure(sdkError({ name: 'ProvisionedThroughputExceededException' }))).toBe(
      true,
    );
    expect(isDependencyFailure(sdkError({ $fault: 'server' }))).toBe(true);
    expect(isDependencyFailure(sdkError({ $metadata: { httpStatusCode: 503 } }))).toBe(true);
    expect(
      isDependencyFailure(sdkError({ name: 'ConditionalCheckFailedException', $fault: 'client' })),
    ).toBe(false);
    expect(isDependencyFailure(new TypeError('bug'))).toBe(false);
    expect(isDependencyFailure(new ConflictError('race'))).toBe(false);
  });

  it('renders a 503 problem with Retry-After, and a bug as a generic 500', () => {
    const res = errorToProblem(unavailable('DynamoDB', new Error('down')));
    expect(res.statusCode).toBe(503);
    expect(res.headers).toMatchObject({
      'content-type': 'application/problem+json',
      'retry-after': '2',
    });
    expect(JSON.parse(String(res.body))).toMatchObject({ status: 503 });
    expect(errorToProblem(new TypeError('x is undefined')).statusCode).toBe(500);
    expect(new UnavailableError('x').status).toBe(503);
  });

  it('keeps the internal retryable flag out of a 409 body', () => {
    const res = errorToProblem(
      new ConflictError('A concurrent change won; retry', { retryable: true }),
    );
    expect(res.statusCode).toBe(409);
    expect(JSON.parse(String(res.body))).not.toHaveProperty('retryable');
  });
});

describe('deadlines', () => {
  it('keeps a margin below the Lambda time left, and carries it through async calls', async () => {
    expect(lambdaDeadline({ getRemainingTimeInMillis: () => 10_000 }, 0)).toBe(9000);
    expect(lambdaDeadline({ getRemainingTimeInMillis: () => 2000 }, 0)).toBe(1800);
    expect(lambdaDeadline(undefined)).toBeUndefined();
    expect(remainingMs()).toBeUndefined();
    const left = await withDeadline(Date.now() + 5000, async () => {
      await Promise.resolve();
      return remainingMs();
    });
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(5000);
  });
});

describe('mail backoff', () => {
  const policy: RetryPolicy = {
    baseDelayMs: 60_000,
    maxDelayMs: 3_600_000,
    maxAttempts: 10,
    leaseMs: 60_000,
  };
  it('doubles from a minute up to an hour, within +-20% jitter', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 7, 8, 9].map((a) => backoffMs(policy, a, mid))).toEqual([
      60_000, 120_000, 240_000, 3_600_000, 3_600_000, 3_600_000,
    ]);
    expect(backoffMs(policy, 1, () => 0)).toBe(48_000);
    expect(backoffMs(policy, 1, () => 1)).toBe(72_000);
  });
});
