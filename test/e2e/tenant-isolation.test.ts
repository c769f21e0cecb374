/**
 * Rule 2, driven by the route table: nothing of tenant B is readable or writable with a token
 * or an id from tenant A. Every tenant route is called with B in the path by a superuser of A
 * (and with an API token of A), then with B's ids inside A's paths; each answer is 404 (401 for
 * the API token) and B's items and audit log are exactly as before. A new route is covered the
 * moment it is added to the route table.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  callRoute,
  fillPath,
  pathParams,
  type RouteDefinition,
  routeKey,
  routeParams,
  routePath,
  sampleBody,
  tenantRoutes,
} from '../support/route-samples.js';
import { api } from '../support/stack-client.js';
import { cognitoUserExists, snapshotTenant } from '../support/table-snapshot.js';
import { buildTenantFixture, type TenantFixture } from '../support/tenant-fixture.js';

let a: TenantFixture;
let b: TenantFixture;

beforeAll(async () => {
  [a, b] = await Promise.all([buildTenantFixture(), buildTenantFixture()]);
  // A's first service account gets everything an admin has in A, so its token is a real key
  // to A's management API: the question is only whether it opens anything of B.
  const bind = await api(
    'PUT',
    `/v1/tenants/${a.tenantId}/service-accounts/${a.params.serviceAccountId}/roles/admin`,
    { token: a.owner.accessToken, body: {} },
  );
  expect(bind.status).toBe(200);
  const probe = await api('GET', `/v1/tenants/${a.tenantId}/members`, { token: a.apiToken });
  expect(probe.status).toBe(200);
}, 180_000);

const ID_PARAMS = [
  'userId',
  'roleId',
  'groupId',
  'inviteId',
  'identifier',
  'serviceAccountId',
  'tokenId',
];

/** B's ids for every id parameter of `route`, in A's path (the tenant stays A). */
function bIdsInA(route: RouteDefinition): Record<string, string> {
  const params = { ...routeParams(route, a) };
  const ofB = routeParams(route, b);
  for (const p of ID_PARAMS) params[p] = ofB[p] ?? '';
  return params;
}

/**
 * Minting is for the member themself only: anyone else (a superuser included) is refused with
 * 403 before any lookup of the named user, so the answer is the same for any id and reveals
 * nothing of B.
 */
const SELF_ONLY = new Set(['POST /v1/tenants/{tenantId}/members/{userId}/tokens']);

function mentionsAny(value: unknown, markers: string[]): string[] {
  const text = JSON.stringify(value ?? null);
  return markers.filter((m) => text.includes(m));
}

function queryShape(route: RouteDefinition): Record<string, unknown> {
  return (route.query as unknown as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
}

describe('tenant B in the path, a caller of tenant A', () => {
  it('answers 404 problem+json to a superuser of A on every tenant route of B, and B does not change', async () => {
    expect(tenantRoutes.length).toBeGreaterThan(40);
    const before = await snapshotTenant(b.tenantId);
    for (const route of tenantRoutes) {
      const key = routeKey(route);
      const body = sampleBody(route, b);
      const res = await api(route.method, routePath(route, b), {
        token: a.owner.accessToken,
        body,
      });
      expect.soft(res.status, key).toBe(404);
      expect.soft(res.headers.get('content-type'), key).toBe('application/problem+json');
      expect.soft(mentionsAny(res.body, b.markers), `${key} leaks B`).toEqual([]);
      expect(await snapshotTenant(b.tenantId), `${key} changed tenant B`).toEqual(before);
      const email = (body as { email?: string } | undefined)?.email;
      if (email) expect(await cognitoUserExists(email), `${key} created a user`).toBe(false);
    }
  });

  it('answers 401 to an API token of A (holding admin in A) on every tenant route of B, and B does not change', async () => {
    const before = await snapshotTenant(b.tenantId);
    for (const route of tenantRoutes) {
      const key = routeKey(route);
      const res = await callRoute(route, b, { token: a.apiToken });
      expect.soft(res.status, key).toBe(401);
      expect.soft(mentionsAny(res.body, b.markers), `${key} leaks B`).toEqual([]);
      expect(await snapshotTenant(b.tenantId), `${key} changed tenant B`).toEqual(before);
    }
  });

  it('keeps the caller of A working in A (the control: the token and ids are good)', async () => {
    const res = await api('GET', `/v1/tenants/${a.tenantId}/members/${a.member.userId}`, {
      token: a.owner.accessToken,
    });
    expect(res.status).toBe(200);
    expect(res.body.userId).toBe(a.member.userId);
  });
}, 300_000);

describe("B's ids inside A's paths", () => {
  it('answers 404 to every route that names a member, group, role, invite, account or token of B, and neither tenant changes', async () => {
    const routes = tenantRoutes.filter((r) =>
      pathParams(r.path).some((p) => ID_PARAMS.includes(p)),
    );
    expect(routes.length).toBeGreaterThan(30);
    const beforeA = await snapshotTenant(a.tenantId);
    const beforeB = await snapshotTenant(b.tenantId);
    for (const route of routes) {
      const key = routeKey(route);
      const params = bIdsInA(route);
      const res = await api(route.method, fillPath(route.path, params), {
        token: a.owner.accessToken,
        body: sampleBody(route, a),
      });
      expect.soft(res.status, key).toBe(SELF_ONLY.has(key) ? 403 : 404);
      expect
        .soft(
          mentionsAny(
            res.body,
            b.markers.filter((m) => !Object.values(params).includes(m)),
          ),
          `${key} leaks B`,
        )
        .toEqual([]);
      expect(await snapshotTenant(b.tenantId), `${key} changed tenant B`).toEqual(beforeB);
      expect(await snapshotTenant(a.tenantId), `${key} changed tenant A`).toEqual(beforeA);
    }
  });

  it("does not resolve B's members or service accounts in A's check API", async () => {
    const check = (body: unknown) =>
      api('POST', `/v1/tenants/${a.tenantId}/check`, { token: a.owner.accessToken, body });
    const single = [
      { userId: b.member.userId, resource: b.rid, action: 'read' },
      { email: b.member.email, resource: b.rid, action: 'read' },
      { serviceAccountId: b.params.serviceAccountId, resource: b.rid, action: 'read' },
    ];
    for (const body of single) {
      const res = await check(body);
      expect(res.status, JSON.stringify(body)).toBe(404);
    }
    const batch = await check({ checks: single });
    expect(batch.status).toBe(200);
    expect(batch.body.results.map((r: { allowed: boolean }) => r.allowed)).toEqual([
      false,
      false,
      false,
    ]);
    // Looking B's member up by email must not reveal their user id.
    expect(JSON.stringify(batch.body.results[1])).not.toContain(b.member.userId);
  });

  it("finds nothing of B through A's list filters", async () => {
    const t = `/v1/tenants/${a.tenantId}`;
    const enc = encodeURIComponent;
    for (const path of [
      `${t}/members?email=${enc(b.member.email)}`,
      `${t}/members?group=${b.groupId}`,
      `${t}/members?role=${b.roleId}`,
      `${t}/acls?principal=user:${b.member.userId}`,
      `${t}/acls?principal=group:${b.groupId}`,
      `${t}/acls?resource=${enc(b.rid)}`,
      `${t}/audit?actor=${b.owner.userId}`,
      `${t}/audit?target=member:${b.member.userId}`,
    ]) {
      const res = await api('GET', path, { token: a.owner.accessToken });
      expect(res.status, path).toBe(200);
      expect(res.body.items, path).toEqual([]);
    }
  });

  it('shows nothing of B on any read route of A', async () => {
    const reads = tenantRoutes.filter((r) => r.method === 'GET');
    for (const route of reads) {
      const key = routeKey(route);
      const res = await api('GET', routePath(route, a), {
        token: a.owner.accessToken,
      });
      expect.soft(res.status, key).toBe(200);
      expect.soft(mentionsAny(res.body, b.markers), `${key} shows B`).toEqual([]);
    }
  });
});

describe('personal tokens across tenants', () => {
  it('lets nobody of A mint, list or revoke personal tokens in B, under the member or /v1/me, and B does not change', async () => {
    const before = await snapshotTenant(b.tenantId);
    const as = { token: a.owner.accessToken };
    const inB = `/v1/tenants/${b.tenantId}/members`;
    // Not a member of B: neither for themself nor for B's member.
    for (const userId of [a.owner.userId, b.member.userId]) {
      const mint = await api('POST', `${inB}/${userId}/tokens`, {
        ...as,
        body: { name: 'intruder' },
      });
      expect(mint.status, userId).toBe(404);
      expect(mentionsAny(mint.body, b.markers), `mint for ${userId} leaks B`).toEqual([]);
    }
    const listInB = await api('GET', `${inB}/${b.member.userId}/tokens`, as);
    expect(listInB.status).toBe(404);
    expect(mentionsAny(listInB.body, b.markers)).toEqual([]);
    // /v1/me/tokens takes no tenant: asking for B is refused, and the caller's own list
    // (every tenant of theirs) shows nothing of B.
    const asked = await api('GET', `/v1/me/tokens?tenantId=${b.tenantId}`, as);
    expect(asked.status).toBe(400);
    expect(asked.body.errors?.[0]?.path).toBe('query.tenantId');
    const list = await api('GET', '/v1/me/tokens', as);
    expect(list.status).toBe(200);
    expect(mentionsAny(list.body, b.markers)).toEqual([]);
    for (const tokenId of b.personalTokenIds) {
      const revoke = await api('DELETE', `/v1/me/tokens/${tokenId}`, as);
      expect(revoke.status, tokenId).toBe(404);
      const revokeInB = await api('DELETE', `${inB}/${b.member.userId}/tokens/${tokenId}`, as);
      expect(revokeInB.status, tokenId).toBe(404);
    }
    expect(await snapshotTenant(b.tenantId)).toEqual(before);
    const mine = await api('GET', '/v1/me/tokens', { token: b.member.accessToken });
    expect(mine.body.items.map((i: { tokenId: string }) => i.tokenId).sort()).toEqual(
      [...b.personalTokenIds].sort(),
    );
  });
});

describe('cursors', () => {
  it('refuses a cursor of B on every paginated list of A, or at least shows nothing of B with it', async () => {
    const lists = tenantRoutes.filter((r) => r.method === 'GET' && 'cursor' in queryShape(r));
    expect(lists.length).toBeGreaterThanOrEqual(7);
    for (const route of lists) {
      const key = routeKey(route);
      const page = await api('GET', `${routePath(route, b)}?limit=1`, {
        token: b.owner.accessToken,
      });
      expect(page.status, key).toBe(200);
      expect(page.body.nextCursor, `${key}: B needs a second page`).toEqual(expect.any(String));
      const res = await api(
        'GET',
        `${routePath(route, a)}?cursor=${encodeURIComponent(page.body.nextCursor)}`,
        { token: a.owner.accessToken },
      );
      if (res.status === 400) {
        expect.soft(res.body.errors?.[0]?.path, key).toBe('query.cursor');
      } else {
        expect.soft(res.status, key).toBe(200);
        expect.soft(mentionsAny(res.body, b.markers), `${key} shows B`).toEqual([]);
      }
    }
  });
});
