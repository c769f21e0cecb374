/** Lambda entry of the REQUEST authorizer, for Gatehouse's API (internal) or another API (external). */
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { ACTIONS } from '#shared/acl/types.js';
import { appDeps } from '#shared/app/deps.js';
import { createAuthorizer } from '#shared/auth/authorizer.js';
import { externalRoutes } from '#shared/auth/route-requirements.js';
import { createSnapshotReader } from '#shared/auth/snapshot-reader.js';
import { createAccessTokenVerifier, fetchJwks } from '#shared/auth/token-verifier.js';
import { tokenIssuer } from '#shared/config/env.js';
import { findRoute } from '#shared/routes/route-table.js';

const deps = appDeps();
const { env } = deps;

const RoutesSchema = z.record(
  z.string(),
  z.array(z.strictObject({ resource: z.string().min(1), action: z.enum(ACTIONS) })),
);

const requirements =
  env.AUTHORIZER_MODE === 'external'
    ? externalRoutes(
        env.AUTHORIZER_TENANT_PARAM,
        RoutesSchema.parse(JSON.parse(env.AUTHORIZER_ROUTES ?? '{}')),
      )
    : (key: string) => findRoute(key)?.auth;

let authorize: ReturnType<typeof createAuthorizer> | undefined;

async function build() {
  const issuer = tokenIssuer(env);
  const local = issuer.startsWith('http:');
  const jwksUri = env.JWKS_URI ?? `${issuer}/.well-known/jwks.json`;
  const verifier = createAccessTokenVerifier({
    issuer,
    clientId: env.USER_POOL_CLIENT_ID,
    jwksUri,
    ...(local ? { jwks: await fetchJwks(jwksUri) } : { userPoolId: env.USER_POOL_ID }),
  });
  return createAuthorizer({
    verifier,
    snapshots: createSnapshotReader(deps.db, deps.tableName),
    requirements,
    clock: deps.clock,
    mode: env.AUTHORIZER_MODE,
  });
}

export const handler = async (event: APIGatewayRequestAuthorizerEventV2) => {
  authorize ??= await build();
  return authorize(event);
};
