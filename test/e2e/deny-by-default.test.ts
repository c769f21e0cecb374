/**
 * Rule 1, driven by the route table: without a valid token every protected route is 401; a
 * member without the permission a route needs gets 403, and a service account token without
 * grants gets 403, on every tenant route; none of these requests changes anything.
 */
import { describe, expect, it } from 'vitest';
import type { RequiredPermission } from '#shared/routes/route-types.js';
import {
  callRoute,
  fillPath,
  type RouteDefinition,
  routeKey,
  routeTable,
  tenantRoutes,
} from '../support/route-samples.js';
import { createSigningKey } from '../support/signing-key.js';
import { api, stack } from '../support/stack-client.js';
import { snapshotTenant } from '../support/table-snapshot.js';
import { useTenantFixture } from '../support/tenant-fixture.js';

const f = useTenantFixture();

/** Routes that need some token: everything but the public ones and the optional-bearer accept. */
const protectedRoutes = routeTable.filter(
  (r) => r.auth.kind === 'authenticated' || r.auth.kind === 'tenant',
);

/** Reference coverage, written here on purpose: a rule on R covers R and what is below it. */
function covers(rule: string, resource: string): boolean {
  return resource === rule || resource.startsWith(`${rule}:`) || resource.startsWith(`${rule}/`);
}

function holds(rules: { resource: string; action: string }[], p: RequiredPermission): boolean {
  return rules.some(
    (r) => covers(r.resource, p.resource) && (r.action === p.action || r.action === 'full'),
  );
}

/** A forged token: the pool's issuer and client and the right claims, signed by a key nobody trusts. */
function forgedToken(userId: string, email: string): string {
  const now = Math.floor(Date.now() / 1000);
  return createSigningKey().sign({
    sub: userId,
    username: email,
    iss: `${stack.cognito.endpoint}/${stack.cognito.userPoolId}`,
    client_id: stack.cognito.clientId,
    token_use: 'access',
    auth_time: now,
    iat: now,
    exp: now + 600,
  });
}

describe('no valid token: 401 on every protected route', () => {
  const cases: [string, () => Record<string, string>][] = [
    ['no Authorization header', () => ({})],
    ['a garbage bearer', () => ({ authorization: 'Bearer not.a.jwt' })],
    ['a non-bearer scheme', () => ({ authorization: `Basic ${btoa('a:b')}` })],
    ['an ID token', () => ({ authorization: `Bearer ${f.owner.idToken}` })],
    [
      'a token signed by an untrusted key',
      () => ({ authorization: `Bearer ${forgedToken(f.owner.userId, f.owner.email)}` }),
    ],
    ['a malformed API token', () => ({ authorization: 'Bearer ghs_nobody.nothing_secret' })],
  ];

  it.each(cases)('answers 401 problem+json to %s, and changes nothing', async (_name, headers) => {
    expect(protectedRoutes.length).toBeGreaterThan(40);
    const before = await snapshotTenant(f.tenantId);
    for (const route of protectedRoutes) {
      const key = routeKey(route);
      const res = await callRoute(route, f, { headers: headers() });
      expect.soft(res.status, key).toBe(401);
      expect.soft(res.headers.get('content-type'), key).toBe('application/problem+json');
    }
    expect(await snapshotTenant(f.tenantId)).toEqual(before);
  });
});

describe('a member without the permission: 403 on every tenant route', () => {
  it('lets a plain member reach only what the member role grants, 403 elsewhere, and nothing changes', async () => {
    const perms = await api(
      'GET',
      `/v1/tenants/${f.tenantId}/members/${f.plain.userId}/permissions`,
      { token: f.owner.accessToken },
    );
    expect(perms.status).toBe(200);
    const rules = perms.body.items as { resource: string; action: string }[];
    expect(perms.body.superuser).toBe(false);

    const before = await snapshotTenant(f.tenantId);
    const allowed: string[] = [];
    // Routes any member may take for themself (leaving, asking what they may do): their own
    // acts, tested on their own (test/e2e/leave-tenant.test.ts, test/e2e/abilities.test.ts).
    const ownActs = tenantRoutes.filter(
      (r) => (r.auth as { permissions: readonly unknown[] }).permissions.length === 0,
    );
    expect(ownActs.map(routeKey)).toEqual([
      'DELETE /v1/me/tenants/{tenantId}',
      'GET /v1/me/tenants/{tenantId}/abilities',
    ]);
    for (const route of tenantRoutes.filter((r) => !ownActs.includes(r))) {
      const key = routeKey(route);
      const auth = route.auth as Extract<RouteDefinition['auth'], { kind: 'tenant' }>;
      const may = auth.permissions.every((p) => holds(rules, p));
      // f.params names `member`, not `plain`: the self waiver of own-membership reads does not apply.
      const res = await callRoute(route, f, { token: f.plain.accessToken });
      if (may) {
        allowed.push(key);
        expect.soft(res.status, key).toBe(route.status);
      } else {
        expect.soft(res.status, key).toBe(403);
        expect.soft(res.headers.get('content-type'), key).toBe('application/problem+json');
      }
    }
    // DESIGN: `member` reads the tenant and one's own membership and permissions; nothing else.
    expect(allowed).toEqual(['GET /v1/tenants/{tenantId}']);
    expect(await snapshotTenant(f.tenantId)).toEqual(before);
  });

  it('lets a plain member read their own membership and permissions (the self waiver) but nobody else', async () => {
    const self = { ...f.params, userId: f.plain.userId };
    for (const path of [
      '/v1/tenants/{tenantId}/members/{userId}',
      '/v1/tenants/{tenantId}/members/{userId}/permissions',
    ]) {
      const own = await api('GET', fillPath(path, self), { token: f.plain.accessToken });
      expect(own.status, path).toBe(200);
      expect(own.body.userId).toBe(f.plain.userId);
      const other = await api('GET', fillPath(path, f.params), { token: f.plain.accessToken });
      expect(other.status, path).toBe(403);
    }
  });

  it('answers 403 to an API token whose account holds nothing, on every tenant route, and nothing changes', async () => {
    const before = await snapshotTenant(f.tenantId);
    for (const route of tenantRoutes) {
      const key = routeKey(route);
      const res = await callRoute(route, f, { token: f.bareApiToken });
      expect.soft(res.status, key).toBe(403);
    }
    expect(await snapshotTenant(f.tenantId)).toEqual(before);
  });
});
