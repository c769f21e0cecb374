/**
 * The authorizer with its DynamoDB unreachable (a client pointed at a closed port; the token is
 * a real cognito-local one): internal mode decides `unavailable` (the handler answers 503),
 * external mode throws an error API Gateway turns into a 500, never a 401 or a cached 403, and
 * so does the REST form.
 */
import type {
  APIGatewayRequestAuthorizerEvent,
  APIGatewayRequestAuthorizerEventV2,
} from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { type AuthorizerDeps, createAuthorizer } from '#shared/auth/authorizer.js';
import { createRestAuthorizer } from '#shared/auth/rest-authorizer.js';
import { externalRoutes } from '#shared/auth/route-requirements.js';
import { createSnapshotReader } from '#shared/auth/snapshot-reader.js';
import { createAccessTokenVerifier, fetchJwks } from '#shared/auth/token-verifier.js';
import { systemClock } from '#shared/platform/clock.js';
import { createDocumentClient, sdkTransport } from '#shared/store/dynamo-client.js';
import { freePort } from '../../local/processes.js';
import { createUser, stack, type TestUser } from '../support/stack-client.js';

const issuer = `${stack.cognito.endpoint}/${stack.cognito.userPoolId}`;
const jwksUri = `${issuer}/.well-known/jwks.json`;
const route = 'GET /apps/{tenantId}/things';
let user: TestUser;
let depsFor: (mode: 'internal' | 'external') => AuthorizerDeps;
const authorizerFor = (mode: 'internal' | 'external') => createAuthorizer(depsFor(mode));

beforeAll(async () => {
  user = await createUser();
  const down = createDocumentClient({
    AWS_REGION: stack.dynamodb.region,
    DYNAMODB_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
  });
  const verifier = createAccessTokenVerifier({
    issuer,
    clientId: stack.cognito.clientId,
    jwksUri,
    jwks: await fetchJwks(jwksUri),
  });
  depsFor = (mode) => ({
    verifier,
    snapshots: createSnapshotReader(sdkTransport(down), stack.dynamodb.tableName),
    requirements: externalRoutes('tenantId', {
      [route]: [{ resource: 'apps:things', action: 'read' }],
    }),
    clock: systemClock,
    mode,
  });
});

const event = () =>
  ({
    type: 'REQUEST',
    routeKey: route,
    headers: { authorization: `Bearer ${user.accessToken}` },
    pathParameters: { tenantId: 'any' },
  }) as unknown as APIGatewayRequestAuthorizerEventV2;

describe('authorizer with DynamoDB down', () => {
  it('decides `unavailable` in internal mode, so Gatehouse answers 503', async () => {
    const result = await authorizerFor('internal')(event());
    expect(result.context.decision).toBe('unavailable');
  });

  it('throws a non-Unauthorized error in external mode (API Gateway: 500, not 401 or 403)', async () => {
    const failure = await authorizerFor('external')(event()).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(failure?.message).not.toBe('Unauthorized');
  });

  it('throws a non-Unauthorized error in the REST form too (500, no policy at all)', async () => {
    const restEvent = {
      type: 'REQUEST',
      methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:api/prod/GET/apps/any/things',
      resource: '/apps/{tenantId}/things',
      httpMethod: 'GET',
      headers: { Authorization: `Bearer ${user.accessToken}` },
      pathParameters: { tenantId: 'any' },
    } as unknown as APIGatewayRequestAuthorizerEvent;
    const failure = await createRestAuthorizer(depsFor('external'))(restEvent).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(failure?.message).not.toBe('Unauthorized');
  });
});
