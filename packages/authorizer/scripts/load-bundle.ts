/**
 * Loads a built authorizer bundle in this process, as Lambda would: the bundle and a
 * routes.json staged together (the construct's own staging), the environment the construct
 * sets, then `import()` of index.mjs. For tests and the bench, against the local emulators.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { stageAuthorizerAsset } from '../src/prebuilt-bundle.js';
import { type RouteMap, routeMapFile } from '../src/route-map.js';

/** The local stack the bundle talks to (a subset of local/stack.ts StackInfo). */
export interface LocalTargets {
  cognito: { endpoint: string; region: string; userPoolId: string; clientId: string };
  dynamodb: { endpoint: string; region: string; tableName: string };
}

export interface PackagedAuthorizer {
  handler: (event: APIGatewayRequestAuthorizerEventV2) => Promise<{
    isAuthorized: boolean;
    context: Record<string, unknown>;
  }>;
  /** The staged directory (index.mjs, index.mjs.map, routes.json). */
  dir: string;
}

/**
 * Imports the bundle in `bundleDir` with `routes`, external mode, reading `targets`. The bundle
 * reads its environment once, at import (restored afterwards); each staging is a fresh module.
 */
export async function loadPackagedAuthorizer(
  bundleDir: string,
  routes: RouteMap,
  targets: LocalTargets,
  tenantParam = 'tenantId',
): Promise<PackagedAuthorizer> {
  const dir = stageAuthorizerAsset(routeMapFile(routes, tenantParam), bundleDir);
  const issuer = `${targets.cognito.endpoint}/${targets.cognito.userPoolId}`;
  const before = { ...process.env };
  Object.assign(process.env, {
    AWS_REGION: targets.dynamodb.region,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    AUTHORIZER_MODE: 'external',
    AUTHORIZER_ROUTES_FILE: 'routes.json',
    TABLE_NAME: targets.dynamodb.tableName,
    DYNAMODB_ENDPOINT: targets.dynamodb.endpoint,
    USER_POOL_ID: targets.cognito.userPoolId,
    USER_POOL_CLIENT_IDS: targets.cognito.clientId,
    TOKEN_ISSUER: issuer,
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
  });
  try {
    const mod = (await import(pathToFileURL(join(dir, 'index.mjs')).href)) as Pick<
      PackagedAuthorizer,
      'handler'
    >;
    return { handler: mod.handler, dir };
  } finally {
    // The bundle has read its configuration; the process (a local stack, maybe) keeps its own.
    for (const name of Object.keys(process.env)) if (!(name in before)) delete process.env[name];
    Object.assign(process.env, before);
  }
}

/** A payload 2.0 REQUEST event for `routeKey` with `path` parameters and a bearer token. */
export function requestEvent(
  routeKey: string,
  pathParameters: Record<string, string>,
  token?: string,
): APIGatewayRequestAuthorizerEventV2 {
  return {
    type: 'REQUEST',
    routeKey,
    routeArn: 'arn:aws:execute-api:local:000000000000:api/$default/GET/',
    headers: token ? { authorization: `Bearer ${token}` } : {},
    pathParameters,
    requestContext: { requestId: `req-${Math.random().toString(36).slice(2)}` },
  } as unknown as APIGatewayRequestAuthorizerEventV2;
}
