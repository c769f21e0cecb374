/**
 * The authorizer built in-test against DynamoDB Local: the routes of an example app and a client
 * that counts its DynamoDB requests.
 */
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { createAuthorizer } from '#shared/auth/authorizer.js';
import { externalRoutes } from '#shared/auth/route-requirements.js';
import { createSnapshotReader } from '#shared/auth/snapshot-reader.js';
import type { AccessTokenVerifier } from '#shared/auth/token-verifier.js';
import { type Clock, systemClock } from '#shared/platform/clock.js';
import {
  createDocumentClient,
  type DocumentClient,
  sdkTransport,
} from '#shared/store/dynamo-client.js';
import { stack } from './stack-client.js';

export const readThings = 'GET /apps/{tenantId}/things';
export const deleteThings = 'DELETE /apps/{tenantId}/things';
export const requirements = externalRoutes('tenantId', {
  [readThings]: [{ resource: 'apps:things', action: 'read' }],
  [deleteThings]: [{ resource: 'apps:things', action: 'delete' }],
});

/** A document client on DynamoDB Local that counts the requests it sends, by command. */
export function countingClient() {
  const db = createDocumentClient({
    AWS_REGION: stack.dynamodb.region,
    DYNAMODB_ENDPOINT: stack.dynamodb.endpoint,
  });
  const counts: Record<string, number> = {};
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? 'unknown');
      counts[name] = (counts[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize' },
  );
  const total = () => Object.values(counts).reduce((a, b) => a + b, 0);
  return { db, counts, total };
}

/**
 * A fresh authorizer (cold caches) of the example app's routes, reading through `db`, as a
 * function from a request (route, tenant, bearer token) to the authorizer's context.
 */
export function appDecider(
  db: DocumentClient,
  verifier: AccessTokenVerifier,
  clock: Clock = systemClock,
) {
  const authorize = createAuthorizer({
    verifier,
    snapshots: createSnapshotReader(sdkTransport(db), stack.dynamodb.tableName),
    requirements,
    clock,
    mode: 'internal',
  });
  return async (routeKey: string, tenantId: string, token: string) => {
    const event = {
      type: 'REQUEST',
      routeKey,
      headers: { authorization: `Bearer ${token}` },
      pathParameters: { tenantId },
    } as unknown as APIGatewayRequestAuthorizerEventV2;
    return (await authorize(event)).context;
  };
}
