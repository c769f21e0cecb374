/**
 * Forced logout survives token refresh. Real Cognito keeps the original sign-in time in
 * `auth_time` when it refreshes tokens (OIDC requires it); only `iat`/`exp` move. cognito-local
 * instead stamps a new auth_time on refresh (shown below), so its refreshed tokens cannot show
 * the real behaviour. Here tokens are minted with a test RSA key that an in-test authorizer is
 * configured to trust, carrying exactly what a refreshed Cognito token carries: the original
 * auth_time and a later iat.
 */
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAuthorizer } from '#shared/auth/authorizer.js';
import { externalRoutes } from '#shared/auth/route-requirements.js';
import { createSnapshotReader } from '#shared/auth/snapshot-reader.js';
import { createAccessTokenVerifier } from '#shared/auth/token-verifier.js';
import { systemClock } from '#shared/platform/clock.js';
import { sdkTransport } from '#shared/store/dynamo-client.js';
import { domainDeps } from '../support/domain-deps.js';
import { createSigningKey } from '../support/signing-key.js';
import {
  api,
  cognito,
  createTenantWithOwner,
  createUser,
  ddb,
  join,
  stack,
  type TestUser,
} from '../support/stack-client.js';

const key = createSigningKey();
const issuer = 'https://issuer.test/refresh-pool';
const clientId = 'refresh-client';
const route = 'GET /v1/tenants/{tenantId}';
const deps = domainDeps();

const authorize = createAuthorizer({
  verifier: createAccessTokenVerifier({
    issuer,
    clientId,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    jwks: key.jwks,
  }),
  snapshots: createSnapshotReader(sdkTransport(deps.db), deps.tableName),
  requirements: externalRoutes('tenantId', {
    [route]: [{ resource: 'gatehouse:tenant', action: 'read' }],
  }),
  clock: systemClock,
  mode: 'internal',
});

let tenantId: string;
let owner: TestUser;
let member: TestUser;

beforeAll(async () => {
  ({ tenantId, owner } = await createTenantWithOwner());
  member = await createUser();
  await join(tenantId, owner.accessToken, member);
});

/** A Cognito-shaped access token for the member, as issued at sign-in or on a refresh. */
function mint(times: { authTime: number; iat: number }) {
  return key.sign({
    sub: member.userId,
    username: member.email,
    iss: issuer,
    client_id: clientId,
    token_use: 'access',
    auth_time: times.authTime,
    iat: times.iat,
    exp: times.iat + 3600,
    jti: crypto.randomUUID(),
  });
}

async function decide(token: string) {
  const event = {
    type: 'REQUEST',
    routeKey: route,
    headers: { authorization: `Bearer ${token}` },
    pathParameters: { tenantId },
  } as unknown as APIGatewayRequestAuthorizerEventV2;
  return (await authorize(event)).context.decision;
}

async function sessionsValidAfter(): Promise<number> {
  const res = await ddb.send(
    new GetCommand({
      TableName: stack.dynamodb.tableName,
      Key: { pk: `TENANT#${tenantId}`, sk: `MEMBER#${member.userId}` },
      ConsistentRead: true,
    }),
  );
  return Number(res.Item?.sessionsValidAfter);
}

const seconds = () => Math.floor(Date.now() / 1000);

describe('forced logout and token refresh', () => {
  it('refuses a token refreshed after the logout (original auth_time, later iat) and allows a fresh sign-in', async () => {
    const signedInAt = seconds() - 600;
    const original = mint({ authTime: signedInAt, iat: signedInAt });
    // A refresh before the logout is fine: same auth_time, newer iat.
    expect(await decide(mint({ authTime: signedInAt, iat: seconds() }))).toBe('allow');
    expect(await decide(original)).toBe('allow');

    const res = await api('POST', `/v1/tenants/${tenantId}/members/${member.userId}/logout`, {
      token: owner.accessToken,
    });
    expect(res.status).toBe(204);
    const stamp = await sessionsValidAfter();

    // The client refreshes with its old refresh token: Cognito issues a new token whose iat is
    // after the logout but whose auth_time is still the original sign-in. The authorizer
    // compares auth_time (not iat) with sessionsValidAfter, so the refresh does not get back in.
    const refreshed = mint({ authTime: signedInAt, iat: seconds() });
    expect(await decide(refreshed)).toBe('unauthenticated');
    expect(await decide(original)).toBe('unauthenticated');

    // Only a new sign-in moves auth_time. auth_time has 1 s resolution, so a sign-in in the
    // same second as the logout is refused too; a sign-in from the next second on is allowed.
    const nextSecond = Math.floor(stamp / 1000) + 1;
    expect(await decide(mint({ authTime: nextSecond - 1, iat: nextSecond }))).toBe(
      'unauthenticated',
    );
    expect(await decide(mint({ authTime: nextSecond - 1, iat: nextSecond - 1 }))).toBe(
      'unauthenticated',
    );
    while (seconds() < nextSecond) await new Promise((r) => setTimeout(r, 50));
    expect(await decide(mint({ authTime: seconds(), iat: seconds() }))).toBe('allow');
  });

  it('documents the emulator gap: cognito-local stamps a new auth_time on refresh', async () => {
    const user = await createUser();
    const authTime = (token: string) =>
      Number(JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).auth_time);
    const before = authTime(user.accessToken);
    await new Promise((r) => setTimeout(r, 1100));
    const res = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: stack.cognito.clientId,
        AuthParameters: { REFRESH_TOKEN: user.refreshToken },
      }),
    );
    const refreshed = res.AuthenticationResult?.AccessToken ?? '';
    // Real Cognito would keep `before` here; if this ever holds locally, the minted tokens above
    // can be replaced by real refreshed ones.
    expect(authTime(refreshed)).toBeGreaterThan(before);
  });
});
