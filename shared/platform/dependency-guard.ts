/**
 * The boundary of every AWS SDK client (DynamoDB, Cognito, SES): timeouts on each attempt, the
 * request's deadline on each call, and outages, throttling and timeouts turned into a 503
 * `UnavailableError`, so an unreachable dependency never reads as 403 or 500 and never hangs.
 */
import { DomainError, UnavailableError } from '#shared/errors/domain-errors.js';
import { remainingMs } from '#shared/platform/deadline.js';

/** Seconds a client is told to wait before retrying after a dependency failure. */
export const RETRY_AFTER_SECONDS = 2;

/** Below this much time left a call is not started: it could not finish anyway. */
const MIN_CALL_MS = 50;

/** Per-attempt limits of an SDK client (milliseconds). */
export interface DependencyTimeouts {
  /** TCP connect. */
  connectionTimeoutMs: number;
  /** Whole request and response of one attempt. */
  requestTimeoutMs: number;
  /** Attempts per call, the SDK's own retries included. */
  maxAttempts: number;
}

export const DEFAULT_TIMEOUTS: DependencyTimeouts = {
  connectionTimeoutMs: 1000,
  requestTimeoutMs: 3000,
  maxAttempts: 3,
};

/** The client configuration that enforces `timeouts` on every attempt. */
export function clientTimeouts(timeouts: DependencyTimeouts = DEFAULT_TIMEOUTS) {
  return {
    maxAttempts: timeouts.maxAttempts,
    requestHandler: {
      connectionTimeout: Math.min(timeouts.connectionTimeoutMs, timeouts.requestTimeoutMs),
      requestTimeout: timeouts.requestTimeoutMs,
      // Without it the handler only logs a warning when requestTimeout passes.
      throwOnRequestTimeout: true,
    },
  };
}

/**
 * An AWS SDK client's configuration: its region, the timeouts above on every attempt, and, when
 * `endpoint` is set, that local emulator with placeholder credentials.
 */
export function clientConfig(opts: {
  region: string;
  endpoint?: string;
  requestTimeoutMs?: number;
}) {
  return {
    region: opts.region,
    ...clientTimeouts({
      ...DEFAULT_TIMEOUTS,
      requestTimeoutMs: opts.requestTimeoutMs ?? DEFAULT_TIMEOUTS.requestTimeoutMs,
    }),
    ...(opts.endpoint
      ? { endpoint: opts.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  };
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'LimitExceededException',
]);
const NETWORK_NAMES = new Set(['TimeoutError', 'AbortError', 'RequestTimeout']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

/** Whether an error is the dependency throttling the caller (retried after a longer backoff). */
export function isThrottling(error: unknown): boolean {
  const e = error as SdkErrorShape | null;
  return e?.$retryable?.throttling === true || (e?.name !== undefined && THROTTLING.has(e.name));
}

/** Whether an error means the dependency was unreachable, failing, throttling or too slow. */
export function isDependencyFailure(error: unknown): boolean {
  if (!error || typeof error !== 'object' || error instanceof DomainError) return false;
  const e = error as SdkErrorShape;
  if (e.$fault === 'server' || e.$retryable?.throttling) return true;
  if (e.name && (THROTTLING.has(e.name) || NETWORK_NAMES.has(e.name))) return true;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  return (e.$metadata?.httpStatusCode ?? 0) >= 500;
}

/** The 503 to throw for a failed call to `service`. */
export function unavailable(service: string, cause?: unknown): UnavailableError {
  return new UnavailableError(`${service} is unavailable or too slow; retry shortly`, {
    cause,
    extra: { retryAfterSeconds: RETRY_AFTER_SECONDS },
  });
}

function raceDeadline<T>(call: Promise<T>, ms: number, service: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unavailable(service, new Error('deadline exceeded'))), ms);
  });
  return Promise.race([call, late]).finally(() => clearTimeout(timer));
}

// biome-ignore lint/suspicious/noExplicitAny: the SDK's middleware arguments differ per client
type Next = (args: any) => Promise<any>;
interface GuardableClient {
  middlewareStack: {
    add(
      middleware: (next: Next) => Next,
      options: { step: 'initialize'; name: string; override?: boolean },
    ): void;
  };
}

/**
 * Runs one call to `service` under the guard: it starts only with time left before the request's
 * deadline, is abandoned when that deadline passes, and a dependency failure becomes
 * `UnavailableError`. Service errors (conditional check failures, not found...) pass through
 * unchanged.
 */
export async function guardedCall<T>(service: string, call: () => Promise<T>): Promise<T> {
  const left = remainingMs();
  if (left !== undefined && left < MIN_CALL_MS) throw unavailable(service);
  try {
    return await (left === undefined ? call() : raceDeadline(call(), left, service));
  } catch (error) {
    throw isDependencyFailure(error) ? unavailable(service, error) : error;
  }
}

/** Adds {@link guardedCall} to every call of an SDK client. */
export function guardClient<C extends GuardableClient>(client: C, service: string): C {
  client.middlewareStack.add((next) => (args) => guardedCall(service, () => next(args)), {
    step: 'initialize',
    name: 'gatehouseDependencyGuard',
    override: true,
  });
  return client;
}
