/** Builds an authorizer from configuration: the token verifier for the pool, the snapshot reader, the route map. */

import type { StoreDeps } from '#shared/app/context.js';
import { type AuthorizerDeps, createAuthorizer } from '#shared/auth/authorizer.js';
import { externalRoutes, type RequirementResolver } from '#shared/auth/route-requirements.js';
import { createSnapshotReader } from '#shared/auth/snapshot-reader.js';
import { createAccessTokenVerifier, fetchJwks } from '#shared/auth/token-verifier.js';
import { type Env, tokenIssuer } from '#shared/config/env.js';
import type { RequiredPermission } from '#shared/routes/route-types.js';

export type AuthorizerMode =
  | { mode: 'internal'; requirements: RequirementResolver }
  | { mode: 'external'; tenantParam: string; routes: Record<string, RequiredPermission[]> };

/**
 * Creates the authorizer handler. Against cognito-local (an http issuer, which aws-jwt-verify
 * will not fetch from) the JWKS is fetched once here and cached in the verifier.
 */
export async function buildAuthorizer(env: Env, deps: StoreDeps, config: AuthorizerMode) {
  const issuer = tokenIssuer(env);
  const local = issuer.startsWith('http:');
  const jwksUri = env.JWKS_URI ?? `${issuer}/.well-known/jwks.json`;
  const verifier = createAccessTokenVerifier({
    issuer,
    clientId: env.USER_POOL_CLIENT_ID,
    jwksUri,
    ...(local ? { jwks: await fetchJwks(jwksUri) } : { userPoolId: env.USER_POOL_ID }),
  });
  const authorizerDeps: AuthorizerDeps = {
    verifier,
    snapshots: createSnapshotReader(deps.db, deps.tableName),
    requirements:
      config.mode === 'external'
        ? externalRoutes(config.tenantParam, config.routes)
        : config.requirements,
    clock: deps.clock,
    mode: config.mode,
  };
  return createAuthorizer(authorizerDeps);
}
