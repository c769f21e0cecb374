/** The authorizer built in-test against DynamoDB Local and cognito-local: one read per decision, token rejections, no leaks. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '#shared/app/context.js';
import { createAccessTokenVerifier, fetchJwks } from '#shared/auth/token-verifier.js';
import { grantMemberRule, revokeMemberRule } from '#shared/members/member-service.js';
import { createRole } from '#shared/roles/role-service.js';
import { appDecider, countingClient, deleteThings, readThings } from '../support/authorizer-kit.js';
import { domainDeps } from '../support/domain-deps.js';
import { createSigningKey } from '../support/signing-key.js';
import {
  createTenantWithOwner,
  createUser,
  join,
  joinAsAdded,
  stack,
  type TestUser,
} from '../support/stack-client.js';

const issuer = `${stack.cognito.endpoint}/${stack.cognito.userPoolId}`;
const jwksUri = `${issuer}/.well-known/jwks.json`;
const deps = domainDeps();
let tenantId: string;
let owner: TestUser;
let member: TestUser;
const callerOf = (u: TestUser): Caller => ({ userId: u.userId, email: u.email });

beforeAll(async () => {
  ({ tenantId, owner } = await createTenantWithOwner());
  member = await createUser();
  await join(tenantId, owner.accessToken, member);
  await grantMemberRule(deps, callerOf(owner), tenantId, member.userId, {
    resource: 'apps:things',
    action: 'read',
  });
});

async function cognitoAuthorizer() {
  const { db, total } = countingClient();
  const verifier = createAccessTokenVerifier({
    issuer,
    clientId: stack.cognito.clientId,
    jwksUri,
    jwks: await fetchJwks(jwksUri),
  });
  const decideIn = appDecider(db, verifier);
  return {
    total,
    decide: async (routeKey: string, token: string, tenant = tenantId) =>
      decideIn(routeKey, tenant, token),
  };
}

describe('one DynamoDB request per decision', () => {
  it('reads once per decision in the steady state and twice right after a policy change', async () => {
    const { total, decide } = await cognitoAuthorizer();
    const measure = async () => {
      const before = total();
      const ctx = await decide(readThings, member.accessToken);
      expect(ctx.decision).toBe('allow');
      return total() - before;
    };
    expect(await measure()).toBe(2); // cold: the policy is not cached yet
    const steady = [];
    for (let i = 0; i < 10; i++) steady.push(await measure());
    expect(steady).toEqual(Array(10).fill(1));

    // A policy change (here: a new role, through the roles service, which writes the policy and
    // its version shards in one transaction) costs one extra read, once.
    await createRole(deps, callerOf(owner), tenantId, {
      roleId: 'viewer',
      name: 'Viewer',
      permissions: [{ resource: 'apps:things', action: 'read' }],
    });
    expect(await measure()).toBe(2);
    expect(await measure()).toBe(1);
  });

  it('stops a revoked permission on the next decision, still with one read', async () => {
    const { total, decide } = await cognitoAuthorizer();
    const other = await createUser();
    await joinAsAdded(tenantId, owner.accessToken, other);
    const rule = { resource: 'apps:things', action: 'read' } as const;
    await grantMemberRule(deps, callerOf(owner), tenantId, other.userId, rule);
    expect((await decide(readThings, other.accessToken)).decision).toBe('allow');
    await revokeMemberRule(deps, callerOf(owner), tenantId, other.userId, rule);
    const before = total();
    expect((await decide(readThings, other.accessToken)).decision).toBe('forbidden');
    expect(total() - before).toBe(1);
  });
});

describe('tokens the authorizer refuses', () => {
  const key = createSigningKey();
  const localIssuer = 'https://issuer.test/pool-under-test';
  const clientId = 'client-under-test';
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (overrides: Record<string, unknown> = {}) => ({
    sub: member.userId,
    username: member.email,
    iss: localIssuer,
    client_id: clientId,
    token_use: 'access',
    auth_time: now(),
    iat: now(),
    exp: now() + 300,
    jti: crypto.randomUUID(),
    ...overrides,
  });

  /** A second authorizer, trusting only the local test key (so we can sign any claim we like). */
  function localAuthorizer() {
    const { db, total } = countingClient();
    const decideIn = appDecider(
      db,
      createAccessTokenVerifier({
        issuer: localIssuer,
        clientId,
        jwksUri: `${localIssuer}/.well-known/jwks.json`,
        jwks: key.jwks,
      }),
    );
    return {
      total,
      decide: async (token: string) => decideIn(readThings, tenantId, token),
    };
  }

  it('allows a well-formed token signed by the trusted key (the control for the cases below)', async () => {
    const { decide } = localAuthorizer();
    expect((await decide(key.sign(claims()))).decision).toBe('allow');
  });

  it.each([
    ['expired', () => claims({ exp: now() - 60, iat: now() - 3600, auth_time: now() - 3600 })],
    ['from another issuer', () => claims({ iss: 'https://evil.test/pool' })],
    ['for another client', () => claims({ client_id: 'other-client' })],
    ['an ID token', () => claims({ token_use: 'id', aud: clientId, client_id: undefined })],
    ['without auth_time', () => claims({ auth_time: undefined })],
  ])('refuses a token %s as unauthenticated, without reading the table', async (_name, make) => {
    const { total, decide } = localAuthorizer();
    const ctx = await decide(key.sign(make()));
    expect(ctx.decision).toBe('unauthenticated');
    expect(total()).toBe(0);
  });

  it('refuses an alg:none token carrying valid claims', async () => {
    const { decide } = localAuthorizer();
    const ctx = await decide(key.sign(claims(), { alg: 'none' }));
    expect(ctx.decision).toBe('unauthenticated');
  });

  it('refuses a token signed by an untrusted key with the trusted kid', async () => {
    const { decide } = localAuthorizer();
    const stranger = createSigningKey();
    const ctx = await decide(stranger.sign(claims(), { kid: key.kid }));
    expect(ctx.decision).toBe('unauthenticated');
  });

  it('refuses a cognito-local token whose payload was tampered with', async () => {
    const { decide } = await cognitoAuthorizer();
    expect((await decide(readThings, member.accessToken)).decision).toBe('allow');
    const [h, p, s] = member.accessToken.split('.');
    const payload = JSON.parse(Buffer.from(p ?? '', 'base64url').toString());
    payload.auth_time += 3600;
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    expect((await decide(readThings, forged)).decision).toBe('unauthenticated');
  });

  it('refuses a cognito-local ID token where an access token is needed', async () => {
    const { decide } = await cognitoAuthorizer();
    expect((await decide(readThings, member.idToken)).decision).toBe('unauthenticated');
  });

  it('refuses cognito-local tokens when configured for another issuer or client', async () => {
    const { db } = countingClient();
    const jwks = await fetchJwks(jwksUri);
    for (const [iss, client] of [
      [`${stack.cognito.endpoint}/us-east-1_other`, stack.cognito.clientId],
      [issuer, 'another-client-id'],
    ] as const) {
      const decide = appDecider(
        db,
        createAccessTokenVerifier({ issuer: iss, clientId: client, jwksUri, jwks }),
      );
      const ctx = await decide(readThings, tenantId, member.accessToken);
      expect(ctx.decision).toBe('unauthenticated');
    }
  });
});

describe('permission decisions', () => {
  it('forbids a member without the permission the route needs', async () => {
    const { decide } = await cognitoAuthorizer();
    const ctx = await decide(deleteThings, member.accessToken);
    expect(ctx).toMatchObject({ decision: 'forbidden', tenantId, userId: member.userId });
  });

  it('does not leak a decision across routes (allowed, forbidden, allowed again)', async () => {
    const { decide } = await cognitoAuthorizer();
    const sequence = [];
    for (const route of [readThings, deleteThings, readThings, deleteThings, readThings]) {
      sequence.push((await decide(route, member.accessToken)).decision);
    }
    expect(sequence).toEqual(['allow', 'forbidden', 'allow', 'forbidden', 'allow']);
  });

  it('answers not-member for a tenant the caller does not belong to', async () => {
    const { decide } = await cognitoAuthorizer();
    const other = await createTenantWithOwner();
    expect((await decide(readThings, member.accessToken, other.tenantId)).decision).toBe(
      'not-member',
    );
  });
});
