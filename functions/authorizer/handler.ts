/** Lambda entry of the REQUEST authorizer, for Gatehouse's API (internal) or another API (external). */
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  APIGatewayRequestAuthorizerEvent,
  APIGatewayRequestAuthorizerEventV2,
  Context,
} from 'aws-lambda';
import { ROUTE_MAP_FILE, readRouteMapFile } from '#authorizer/route-map.js';
import { authorizerDeps } from '#shared/app/authorizer-deps.js';
import { buildAuthorizers } from '#shared/auth/authorizer-factory.js';
import { isRestAuthorizerEvent, restRouteKey } from '#shared/auth/rest-authorizer.js';
import { logger } from '#shared/observability/logger.js';
import { flushMetrics, recordAuthorizerFault } from '#shared/observability/metrics.js';
import { lambdaDeadline, withDeadline } from '#shared/platform/deadline.js';
import { findRoute } from '#shared/routes/route-auth.js';

const deps = authorizerDeps();
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

let authorize: Awaited<ReturnType<typeof buildAuthorizers>> | undefined;

/** The authorizer in both forms, built on the first call (it fetches the pool's keys); a failure is a fault. */
async function authorizer() {
  try {
    authorize ??= await buildAuthorizers(env, deps, config);
    return authorize;
  } catch (error) {
    recordAuthorizerFault();
    throw error;
  }
}

/** HTTP APIs send payload 2.0 events; REST APIs their REQUEST event (with a method ARN). */
export const handler = async (
  event: APIGatewayRequestAuthorizerEventV2 | APIGatewayRequestAuthorizerEvent,
  context?: Context,
) => {
  if (context) logger.addContext(context);
  // API Gateway's request id: the integration's log lines carry the same correlation id.
  const requestId = event.requestContext?.requestId;
  if (requestId) logger.setCorrelationId(requestId);
  const rest = isRestAuthorizerEvent(event);
  logger.appendKeys({ routeKey: rest ? restRouteKey(event) : event.routeKey });
  try {
    const forms = await authorizer();
    const run = () => (rest ? forms.rest(event) : forms.http(event));
    // The snapshot read ends before the authorizer's own timeout, so an outage decides `unavailable`.
    const deadline = lambdaDeadline(context);
    return await (deadline === undefined ? run() : withDeadline<unknown>(deadline, run));
  } finally {
    flushMetrics();
    logger.resetKeys();
  }
};
