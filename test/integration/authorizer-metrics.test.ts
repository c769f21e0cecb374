/**
 * The authorizer's metrics, as a deployed authorizer writes them (EMF on stdout), against
 * DynamoDB Local: every decision counts as Allowed or Denied by reason, and only a decision that
 * could not be taken counts as AuthorizerFault, never a 401. The outage is real: the table
 * client points at a closed port.
 */
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RouteAuth } from '#shared/routes/route-types.js';
import { captureOutput, coldStartInLambda, metricsNamed } from '../support/lambda-output.js';
import { accessTokenClaims, createSigningKey } from '../support/signing-key.js';
import { stack } from '../support/stack-client.js';

const key = createSigningKey();
const issuer = 'https://issuer.test/pool-metrics';
const clientId = 'client-metrics';
const accessToken = () =>
  key.sign(
    accessTokenClaims(issuer, clientId, {
      sub: `user-${Math.random().toString(36).slice(2)}`,
      username: 'someone@example.test',
    }),
  );

const ROUTE = 'GET /v1/me';
const event = (token?: string) =>
  ({
    type: 'REQUEST',
    routeKey: ROUTE,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    requestContext: { requestId: 'apigw-req' },
  }) as unknown as APIGatewayRequestAuthorizerEventV2;

/** The authorizer's modules, loaded fresh (in Lambda unless told), reading the table at `endpoint`. */
async function deployedAuthorizer(
  mode: 'internal' | 'external',
  endpoint: string,
  inLambda = true,
) {
  if (inLambda) coldStartInLambda();
  else vi.resetModules();
  const { createAuthorizer } = await import('#shared/auth/authorizer.js');
  const { createSnapshotReader } = await import('#shared/auth/snapshot-reader.js');
  const { createAccessTokenVerifier } = await import('#shared/auth/token-verifier.js');
  const { createDocumentClient, sdkTransport } = await import('#shared/store/dynamo-client.js');
  const { flushMetrics } = await import('#shared/observability/metrics.js');
  const { systemClock } = await import('#shared/platform/clock.js');
  const db = createDocumentClient({
    AWS_REGION: stack.dynamodb.region,
    DYNAMODB_ENDPOINT: endpoint,
    DEPENDENCY_TIMEOUT_MS: 500,
  });
  const authorize = createAuthorizer({
    verifier: createAccessTokenVerifier({
      issuer,
      clientId,
      jwksUri: `${issuer}/.well-known/jwks.json`,
      jwks: key.jwks,
    }),
    snapshots: createSnapshotReader(sdkTransport(db), stack.dynamodb.tableName),
    requirements: (): RouteAuth => ({ kind: 'authenticated' }),
    clock: systemClock,
    mode,
  });
  return { authorize, flushMetrics };
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('authorizer metrics', () => {
  it('counts a request without a token as Denied, reason unauthenticated, not as a fault', async () => {
    const { authorize, flushMetrics } = await deployedAuthorizer(
      'internal',
      stack.dynamodb.endpoint,
    );
    const out = captureOutput();
    const result = await authorize(event());
    flushMetrics();
    out.stop();
    expect(result.context.decision).toBe('unauthenticated');
    expect(metricsNamed(out.emf(), 'Denied')).toMatchObject([
      {
        Denied: 1,
        reason: 'unauthenticated',
        service: 'gatehouse',
        stage: 'test',
        _aws: {
          CloudWatchMetrics: [
            { Namespace: 'Gatehouse', Dimensions: [['service', 'stage', 'reason']] },
          ],
        },
      },
    ]);
    expect(metricsNamed(out.emf(), 'AuthorizerFault')).toEqual([]);
    expect(metricsNamed(out.emf(), 'Allowed')).toEqual([]);
  });

  it('counts a valid session as Allowed, without a reason', async () => {
    const { authorize, flushMetrics } = await deployedAuthorizer(
      'internal',
      stack.dynamodb.endpoint,
    );
    const out = captureOutput();
    const result = await authorize(event(accessToken()));
    flushMetrics();
    out.stop();
    expect(result.context.decision).toBe('allow');
    const [allowed, ...more] = metricsNamed(out.emf(), 'Allowed');
    expect(more).toEqual([]);
    expect(allowed).toMatchObject({ Allowed: 1, stage: 'test' });
    expect(allowed).not.toHaveProperty('reason');
  });

  it('counts an unreachable table as AuthorizerFault and Denied, reason unavailable', async () => {
    const { authorize, flushMetrics } = await deployedAuthorizer('internal', 'http://127.0.0.1:9');
    const out = captureOutput();
    const result = await authorize(event(accessToken()));
    flushMetrics();
    out.stop();
    expect(result.context.decision).toBe('unavailable');
    expect(metricsNamed(out.emf(), 'AuthorizerFault')).toMatchObject([{ AuthorizerFault: 1 }]);
    expect(metricsNamed(out.emf(), 'Denied')).toMatchObject([{ reason: 'unavailable' }]);
  });

  it('external mode: a 401 is a thrown Unauthorized (a Lambda error) but never a fault', async () => {
    const { authorize, flushMetrics } = await deployedAuthorizer(
      'external',
      stack.dynamodb.endpoint,
    );
    const out = captureOutput();
    await expect(authorize(event('not-a-jwt'))).rejects.toThrow('Unauthorized');
    flushMetrics();
    out.stop();
    expect(metricsNamed(out.emf(), 'Denied')).toMatchObject([{ reason: 'unauthenticated' }]);
    expect(metricsNamed(out.emf(), 'AuthorizerFault')).toEqual([]);
  });

  it('writes no metrics outside Lambda (the local server runs this authorizer in-process)', async () => {
    const { authorize, flushMetrics } = await deployedAuthorizer(
      'internal',
      stack.dynamodb.endpoint,
      false,
    );
    const out = captureOutput();
    const result = await authorize(event());
    flushMetrics();
    out.stop();
    expect(result.context.decision).toBe('unauthenticated');
    expect(out.emf()).toEqual([]);
  });
});
