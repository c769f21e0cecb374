/** Lambda entry of the REQUEST authorizer, for Gatehouse's API (internal) or another API (external). */
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIGatewayRequestAuthorizerEventV2, Context } from 'aws-lambda';
import { ROUTE_MAP_FILE, readRouteMapFile } from '#authorizer/route-map.js';
import { appDeps } from '#shared/app/deps.js';
import { buildAuthorizer } from '#shared/auth/authorizer-factory.js';
import { logger } from '#shared/observability/logger.js';
import { flushMetrics, recordAuthorizerFault } from '#shared/observability/metrics.js';
import { lambdaDeadline, withDeadline } from '#shared/platform/deadline.js';
import { findRoute } from '#shared/routes/route-table.js';

// No Powertools Tracer here: it would add about 120 KiB (the X-Ray SDK) to the bundle of the
// hottest function; Lambda's active tracing still traces each invocation.
const deps = appDeps();
const { env } = deps;

/** The route map file: a path from the configuration, or routes.json beside this bundle. */
function routeMapPath(file = ROUTE_MAP_FILE): string {
  return isAbsolute(file) ? file : fileURLToPath(new URL(file, import.meta.url));
}

// Read and validated once per cold start: a malformed route map fails the first call, not a decision.
const config =
  env.AUTHORIZER_MODE === 'external'
    ? {
        mode: 'external' as const,
        ...readRouteMapFile(routeMapPath(env.AUTHORIZER_ROUTES_FILE)),
      }
    : { mode: 'internal' as const, requirements: (key: string) => findRoute(key)?.auth };

let authorize: Awaited<ReturnType<typeof buildAuthorizer>> | undefined;

/** The authorizer, built on the first call (it fetches the pool's keys); a failure is a fault. */
async function authorizer() {
  try {
    authorize ??= await buildAuthorizer(env, deps, config);
    return authorize;
  } catch (error) {
    recordAuthorizerFault();
    throw error;
  }
}

export const handler = async (event: APIGatewayRequestAuthorizerEventV2, context?: Context) => {
  if (context) logger.addContext(context);
  // API Gateway's request id: the integration's log lines carry the same correlation id.
  const requestId = event.requestContext?.requestId;
  if (requestId) logger.setCorrelationId(requestId);
  logger.appendKeys({ routeKey: event.routeKey });
  try {
    const run = await authorizer();
    // The snapshot read ends before the authorizer's own timeout, so an outage decides `unavailable`.
    const deadline = lambdaDeadline(context);
    return await (deadline === undefined ? run(event) : withDeadline(deadline, () => run(event)));
  } finally {
    flushMetrics();
    logger.resetKeys();
  }
};
