/** Builds an authorizer from configuration: the token verifier for the pool, the snapshot reader, the route map. */

import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import {
  type AuthorizerDeps,
  createAuthorizer,
  type SimpleAuthorizerResult,
} from '#shared/auth/authorizer.js';
import { type ExternalAuthorizerResult, externalContext } from '#shared/auth/external-context.js';
import { createRestAuthorizer } from '#shared/auth/rest-authorizer.js';
import { externalRoutes, type RequirementResolver } from '#shared/auth/route-requirements.js';
import { createSnapshotReader } from '#shared/auth/snapshot-reader.js';
import { verifierFromEnv } from '#shared/auth/token-verifier.js';
import type { Env } from '#shared/config/env.js';
import type { Clock } from '#shared/platform/clock.js';
import type { RequiredPermission } from '#shared/routes/route-types.js';
import type { DocumentTransport } from '#shared/store/document-transport.js';

export type AuthorizerMode =
  | { mode: 'internal'; requirements: RequirementResolver }
  | {
      mode: 'external';
      tenantParam: string;
      routes: Readonly<Record<string, readonly RequiredPermission[]>>;
    };

/** The HTTP form's answer: the whole decision (internal) or only what a backend may see (external). */
export type AuthorizerAnswer = (
  event: APIGatewayRequestAuthorizerEventV2,
) => Promise<SimpleAuthorizerResult | ExternalAuthorizerResult>;

/**
 * Creates the authorizer in both API Gateway forms over one set of dependencies (the user
 * pool's verifier, see `verifierFromEnv`, the snapshot reader, the route map): `http` for HTTP
 * APIs (payload 2.0, simple responses), `rest` for REST APIs (an IAM policy, external mode). In
 * external mode the context is cut down to the backend's keys (shared/auth/external-context.ts).
 */
export async function buildAuthorizers(
  env: Env,
  deps: { transport: DocumentTransport; tableName: string; clock: Clock },
  config: AuthorizerMode,
): Promise<{ http: AuthorizerAnswer; rest: ReturnType<typeof createRestAuthorizer> }> {
  const verifier = await verifierFromEnv(env);
  const authorizerDeps: AuthorizerDeps = {
    verifier,
    snapshots: createSnapshotReader(deps.transport, deps.tableName),
    requirements:
      config.mode === 'external'
        ? externalRoutes(config.tenantParam, config.routes)
        : config.requirements,
    clock: deps.clock,
    mode: config.mode,
  };
  return authorizerForms(authorizerDeps);
}

/** Both forms over `deps`; in external mode the HTTP form's context is only the backend's keys. */
export function authorizerForms(deps: AuthorizerDeps): {
  http: AuthorizerAnswer;
  rest: ReturnType<typeof createRestAuthorizer>;
} {
  const decide = createAuthorizer(deps);
  const rest = createRestAuthorizer(deps);
  if (deps.mode === 'internal') return { http: decide, rest };
  return {
    http: async (event) => {
      const { isAuthorized, context } = await decide(event);
      return { isAuthorized, context: externalContext(context) };
    },
    rest,
  };
}
