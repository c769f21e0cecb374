/**
 * Request deadlines: the time a Lambda invocation may still spend, carried through the async
 * call chain so every dependency call can stop before the function itself is cut off.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The timeout of every function unless its construct says otherwise (infra and the local server). */
export const FUNCTION_TIMEOUT_SECONDS = 10;

/** API Gateway's integration timeout (HTTP APIs cannot raise it). */
export const INTEGRATION_TIMEOUT_SECONDS = 30;

/** Time kept back from the Lambda timeout to turn a late dependency into a proper answer. */
const MAX_MARGIN_MS = 1000;

const storage = new AsyncLocalStorage<number>();

/** Runs `fn` with an absolute deadline (epoch ms) that dependency calls inside it respect. */
export function withDeadline<T>(deadline: number, fn: () => Promise<T>): Promise<T> {
  return storage.run(deadline, fn);
}

/** The deadline of an invocation: its remaining time minus a margin to answer in. */
export function lambdaDeadline(
  context: { getRemainingTimeInMillis(): number } | undefined,
  now = Date.now(),
): number | undefined {
  const remaining = context?.getRemainingTimeInMillis?.();
  if (remaining === undefined || !Number.isFinite(remaining) || remaining <= 0) return undefined;
  return now + remaining - Math.min(MAX_MARGIN_MS, remaining / 10);
}

/** Milliseconds left before the current deadline; undefined outside of one. */
export function remainingMs(now = Date.now()): number | undefined {
  const deadline = storage.getStore();
  return deadline === undefined ? undefined : deadline - now;
}
