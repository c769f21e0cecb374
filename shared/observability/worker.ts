/**
 * The observability of a worker (stream, schedule and event functions): the Lambda context in
 * every log line and its metrics flushed once per invocation, also when it
 * throws. The API functions get the same from their middy chain (shared/http/api-handler.ts).
 */
import type { Context } from 'aws-lambda';
import { logger } from '#shared/observability/logger.js';
import { flushMetrics } from '#shared/observability/metrics.js';

/** Wraps a worker's handler: `export const handler = observedWorker(async (event) => ...)`. */
export function observedWorker<E, R>(
  handler: (event: E, context?: Context) => Promise<R>,
): (event: E, context?: Context) => Promise<R> {
  return async (event, context) => {
    if (context) logger.addContext(context);
    try {
      return await handler(event, context);
    } finally {
      flushMetrics();
      logger.resetKeys();
    }
  };
}
