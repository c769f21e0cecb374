/**
 * The authorizer's API-token path built in-test against DynamoDB Local: one read per decision in
 * the steady state, last-used written at most once a minute after the decision, expiry by an
 * injected clock, and refusals that do not depend on which check failed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '#shared/api-tokens/api-token-service.js';
import type { Caller } from '#shared/app/context.js';
import type { AccessTokenVerifier } from '#shared/auth/token-verifier.js';
import { fixedClock } from '#shared/platform/clock.js';
import {
  createServiceAccount,
  grantServiceAccountRule,
} from '#shared/service-accounts/service-account-service.js';
import { appDecider, countingClient, deleteThings, readThings } from '../support/authorizer-kit.js';
import { domainDeps } from '../support/domain-deps.js';
import { createTenantWithOwner, type TestUser, uniqueId } from '../support/stack-client.js';

/** API tokens never reach the JWT verifier; this one fails the test if they do. */
const noJwt: AccessTokenVerifier = {
  verify: async () => {
    throw new Error('the JWT verifier was called for an API token');
  },
};

const clock = fixedClock(new Date());
const deps = domainDeps(clock);
let tenantId: string;
let owner: TestUser;
let serviceAccountId: string;
let token: string;
let expiresAt: string;
const callerOf = (u: TestUser): Caller => ({
  userId: u.userId,
  email: u.email,
  credential: 'session',
});

beforeAll(async () => {
  ({ tenantId, owner } = await createTenantWithOwner());
  serviceAccountId = uniqueId('sa');
  await createServiceAccount(deps, callerOf(owner), tenantId, { serviceAccountId, name: 'Bot' });
  await grantServiceAccountRule(deps, callerOf(owner), tenantId, serviceAccountId, {
    resource: 'apps:things',
    action: 'read',
  });
  ({ token, expiresAt } = await createApiToken(deps, callerOf(owner), tenantId, serviceAccountId, {
    name: 'ci',
    expiresInDays: 1,
  }));
});

function tokenAuthorizer() {
  const { db, counts, total } = countingClient();
  const decideIn = appDecider(db, noJwt, clock);
  return {
    counts,
    total,
    decide: async (routeKey: string, t = token, tenant = tenantId) => decideIn(routeKey, tenant, t),
  };
}

const settle = () => new Promise((r) => setTimeout(r, 100));

describe('API token decisions', () => {
  it('allows with the account grants and passes the service account principal on', async () => {
    const { decide } = tokenAuthorizer();
    const ctx = await decide(readThings);
    expect(ctx).toMatchObject({
      decision: 'allow',
      tenantId,
      userId: `service-account:${serviceAccountId}`,
      email: '',
    });
    expect((await decide(deleteThings)).decision).toBe('forbidden');
  });

  it('reads once per decision in the steady state; last use is one write a minute, after deciding', async () => {
    const { decide, counts, total } = tokenAuthorizer();
    clock.advance(61_000);
    expect((await decide(readThings)).decision).toBe('allow');
    await settle();
    // cold: the batch read, the policy (not yet cached), and the fire-and-forget last-used write
    expect(counts).toEqual({ BatchGetItemCommand: 1, GetItemCommand: 1, UpdateItemCommand: 1 });

    const steady: number[] = [];
    for (let i = 0; i < 10; i++) {
      const before = total();
      expect((await decide(readThings)).decision).toBe('allow');
      await settle();
      steady.push(total() - before);
    }
    expect(steady).toEqual(Array(10).fill(1));

    // A minute later, one more last-used write (still not awaited by the decision).
    clock.advance(61_000);
    const before = { ...counts };
    expect((await decide(readThings)).decision).toBe('allow');
    await settle();
    expect((counts.BatchGetItemCommand ?? 0) - (before.BatchGetItemCommand ?? 0)).toBe(1);
    expect((counts.UpdateItemCommand ?? 0) - (before.UpdateItemCommand ?? 0)).toBe(1);
  });

  it('refuses the token once the clock passes its expiry', async () => {
    const { decide } = tokenAuthorizer();
    const saved = clock.now();
    clock.set(new Date(Date.parse(expiresAt) + 1));
    try {
      const ctx = await decide(readThings);
      expect(ctx.decision).toBe('unauthenticated');
      expect(ctx.reason).toContain('expired');
    } finally {
      clock.set(saved);
    }
    expect((await decide(readThings)).decision).toBe('allow');
  });

  it.each([
    ['a malformed token', () => 'ghs_not-a-token'],
    ['a token with the wrong secret', () => `${token.slice(0, -4)}AAAA`],
    ['a token naming another account', () => token.replace(serviceAccountId, 'someone-else')],
  ])('refuses %s as unauthenticated', async (_name, make) => {
    const { decide } = tokenAuthorizer();
    expect(make()).not.toBe(token);
    expect((await decide(readThings, make())).decision).toBe('unauthenticated');
  });

  it('refuses a malformed token without reading the table', async () => {
    const { decide, total } = tokenAuthorizer();
    expect((await decide(readThings, 'ghs_x.y_z')).decision).toBe('unauthenticated');
    expect(total()).toBe(0);
  });

  it('refuses the token in another tenant', async () => {
    const other = await createTenantWithOwner();
    const { decide } = tokenAuthorizer();
    expect((await decide(readThings, token, other.tenantId)).decision).toBe('unauthenticated');
  });
});
