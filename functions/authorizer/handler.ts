/** Lambda entry of the REQUEST authorizer, for Gatehouse's API (internal) or another API (external). */
import type { APIGatewayRequestAuthorizerEventV2, Context } from 'aws-lambda';
import * as z from 'zod';
import { ACTIONS } from '#shared/acl/types.js';
import { appDeps } from '#shared/app/deps.js';
import { buildAuthorizer } from '#shared/auth/authorizer-factory.js';
import { lambdaDeadline, withDeadline } from '#shared/platform/deadline.js';
import { findRoute } from '#shared/routes/route-table.js';

const deps = appDeps();
const { env } = deps;

const RoutesSchema = z.record(
  z.string(),
  z.array(z.strictObject({ resource: z.string().min(1), action: z.enum(ACTIONS) })),
);

// Parsed at cold start: a malformed route map fails the deployment's first call, not a decision.
const config =
  env.AUTHORIZER_MODE === 'external'
    ? {
        mode: 'external' as const,
        tenantParam: env.AUTHORIZER_TENANT_PARAM,
        routes: RoutesSchema.parse(JSON.parse(env.AUTHORIZER_ROUTES ?? '{}')),
      }
    : { mode: 'internal' as const, requirements: (key: string) => findRoute(key)?.auth };

let authorize: Awaited<ReturnType<typeof buildAuthorizer>> | undefined;

export const handler = async (event: APIGatewayRequestAuthorizerEventV2, context?: Context) => {
  authorize ??= await buildAuthorizer(env, deps, config);
  const run = authorize;
  // The snapshot read ends before the authorizer's own timeout, so an outage decides `unavailable`.
  const deadline = lambdaDeadline(context);
  return deadline === undefined ? run(event) : withDeadline(deadline, () => run(event));
};
