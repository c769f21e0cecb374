/** Optimistic writes: retry a re-planned transaction while a concurrent change keeps winning. */
import { isRaceLost, raceLostError } from '#shared/errors/domain-errors.js';
import { remainingMs } from '#shared/platform/deadline.js';

/** How long an optimistic write keeps retrying outside of a request deadline. */
const RETRY_BUDGET_MS = 5000;
/** Time kept back from the request deadline for the answer (and a last attempt). */
const RETRY_MARGIN_MS = 1000;

/** The writes in flight in this process per item key, chained so they run one after another. */
const inFlight = new Map<string, Promise<unknown>>();

/** Runs `fn` after every earlier call with the same key in this process has settled. */
async function oneAtATime<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = inFlight.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.catch(() => undefined);
  inFlight.set(key, tail);
  try {
    return await run;
  } finally {
    if (inFlight.get(key) === tail) inFlight.delete(key);
  }
}

/**
 * Retries an optimistic operation (fresh reads each time) while a concurrent change keeps
 * winning the race, with exponential backoff and full jitter so parallel writers to one item
 * spread out, until the request's deadline (or `budgetMs` outside of one). Then the conflict
 * propagates: 409, and the client may retry. With `serializeOn`, writers of that key in this
 * process take turns instead of racing (a lost race costs a whole transaction).
 */
export async function withOptimisticRetry<T>(
  attempt: () => Promise<T>,
  options: { budgetMs?: number; serializeOn?: string } = {},
): Promise<T> {
  const retry = async () => {
    const left = remainingMs();
    const budget = options.budgetMs ?? RETRY_BUDGET_MS;
    const until = Date.now() + (left === undefined ? budget : Math.max(0, left - RETRY_MARGIN_MS));
    for (let i = 1; ; i++) {
      try {
        return await attempt();
      } catch (error) {
        const retryable = isRaceLost(error);
        const wait = Math.random() * Math.min(500, 10 * 2 ** i);
        if (!retryable || Date.now() + wait >= until) throw error;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  };
  return options.serializeOn ? oneAtATime(options.serializeOn, retry) : retry();
}

/** The conflict to raise when a planned transaction lost a race; re-planning may succeed. */
export const raceLost = raceLostError;
