/** Builds an authorizer from configuration: the token verifier for the pool, the snapshot reader, the route map. */

import type { WiredStoreDeps } from '#shared/app/store-deps.js';
import { type AuthorizerDeps, createAuthorizer } from '#shared/auth/authorizer.js';
import { externalRoutes, type RequirementResolver } from '#shared/auth/route-requirements.js';
import { createSnapshotReader } from '#shared/auth/snapshot-reader.js';
import { verifierFromEnv } from '#shared/auth/token-verifier.js';
import type { Env } from '#shared/config/env.js';
import type { RequiredPermission } from '#shared/routes/route-types.js';

export type AuthorizerMode =
  | { mode: 'internal'; requirements: RequirementResolver }
  | {
      mode: 'external';
      tenantParam: string;
      routes: Readonly<Record<string, readonly RequiredPermission[]>>;
    };

/** Creates the authorizer handler, with the user pool's verifier (see `verifierFromEnv`). */
export async function buildAuthorizer(env: Env, deps: WiredStoreDeps, config: AuthorizerMode) {
  const verifier = await verifierFromEnv(env);
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
