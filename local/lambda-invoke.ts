/** One Lambda invocation as the local gateway makes it: a Lambda context and the time limits. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Context } from 'aws-lambda';
import {
  FUNCTION_TIMEOUT_SECONDS,
  INTEGRATION_TIMEOUT_SECONDS,
} from '#shared/platform/deadline.js';

/** The time limits API Gateway and Lambda put on one request (milliseconds). */
export interface GatewayLimits {
  /** A function's timeout (the infra default unless a construct sets another). */
  functionTimeoutMs: number;
  /** API Gateway's integration timeout. */
  integrationTimeoutMs: number;
}

export const AWS_LIMITS: GatewayLimits = {
  functionTimeoutMs: FUNCTION_TIMEOUT_SECONDS * 1000,
  integrationTimeoutMs: INTEGRATION_TIMEOUT_SECONDS * 1000,
};

function lambdaContext(name: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A time limit passed: `function` (Lambda ended it) or `integration` (API Gateway gave up). */
export class LimitExceeded extends Error {
  constructor(readonly limit: 'function' | 'integration') {
    super(`${limit} timeout`);
  }
}

/**
 * Runs one Lambda invocation under the function timeout (Lambda ends it: API Gateway answers
 * 500) and what is left of the integration timeout (API Gateway gives up: 503).
 */
export async function invokeWithin<T>(
  call: (context: Context) => Promise<T>,
  name: string,
  limits: GatewayLimits,
  integrationDeadline: number,
): Promise<T> {
  const integrationLeft = integrationDeadline - Date.now();
  const limit: LimitExceeded['limit'] =
    integrationLeft < limits.functionTimeoutMs ? 'integration' : 'function';
  const ms = Math.max(0, Math.min(integrationLeft, limits.functionTimeoutMs));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LimitExceeded(limit)), ms);
  });
  try {
    return await Promise.race([call(lambdaContext(name, limits.functionTimeoutMs)), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A request's headers as an event carries them: lower-cased, repeated ones joined by commas. */
export function requestHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  }
  return headers;
}
