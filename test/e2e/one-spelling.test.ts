/**
 * Rule 15, driven by the route table: resource ids have one spelling. Every route that takes a
 * resource (a `{rid}` or `{prefix}` in the path, a resource or scope in the body, the
 * `resource` filter of the ACL listing) answers each bad spelling with a 400 problem naming the
 * field and writes nothing; the example service's authorizer denies (403) a bad `{appId+}`,
 * so `services/team1/../team2` never passes as a child of `services/team1`.
 * `{rid}` is URL-encoded once and decoded once: a `%2F` left after that is refused, not
 * decoded a second time.
 */
import { describe, expect, it } from 'vitest';
import { grantMemberRule } from '#shared/members/member-service.js';
import { domainDeps } from '../support/domain-deps.js';
import {
  type RouteDefinition,
  routeKey,
  routePath,
  routeTable,
  sampleBody,
} from '../support/route-samples.js';
import {
  type ApiResponse,
  api,
  createTenantWithOwner,
  createUser,
  join,
  uniqueEmail,
} from '../support/stack-client.js';
import { snapshotTenant } from '../support/table-snapshot.js';
import { useTenantFixture } from '../support/tenant-fixture.js';

const f = useTenantFixture();

/** Other spellings of a valid id, as the server sees them once decoded: each must be refused. */
function badSpellings(rid: string): [string, string][] {
  const [head, ...rest] = rid.split(':');
  const tail = rest.join(':');
  return [
    ['an empty level (a::b)', `${head}::${tail}`],
    ['a `.` level', `${head}:${tail}/./x`],
    ['a `..` level', `${head}:${tail}/../x`],
    ['a `..` level climbing out', `${rid}/../../other`],
    ['a lone `..`', '..'],
    ['a percent-encoded separator %2F', `${rid}%2Fx`],
    ['a percent-encoded colon %3A', `${head}%3A${tail}`],
    ['a double-encoded separator %252F', `${rid}%252Fx`],
    ['a trailing separator /', `${rid}/`],
    ['a trailing separator :', `${rid}:`],
    ['a leading separator', `:${rid}`],
    ['a fullwidth colon', `${head}\uff1a${tail}`],
    ['a division slash', `${rid}\u2215x`],
    ['a fullwidth solidus', `${rid}\uff0fx`],
    ['a NUL', `${rid}\u0000`],
    ['an escape sequence', `${rid}\u001b[2J`],
    ['a C1 control', `${rid}\u009b`],
    ['a bidi override', `${rid}\u202ex`],
    ['a zero-width joiner', `${rid}\u200dx`],
    ['a space', `${rid} x`],
  ];
}

/** What is wrong with the answer (undefined: a 400 problem naming `field`). */
function notA400(res: ApiResponse, field: string, what: string): string | undefined {
  const paths = ((res.body?.errors ?? []) as { path: string }[]).map((e) => e.path);
  if (res.status !== 400) return `${what}: status ${res.status} ${JSON.stringify(res.body)}`;
  if (res.headers.get('content-type') !== 'application/problem+json')
    return `${what}: content-type ${res.headers.get('content-type')}`;
  if (!paths.includes(field))
    return `${what}: errors ${JSON.stringify(paths)} do not name ${field}`;
  return undefined;
}

const RESOURCE_PARAMS = ['rid', 'prefix'];
const pathRoutes = routeTable.filter((r) => RESOURCE_PARAMS.some((p) => r.path.includes(`{${p}}`)));

/** Paths (in a sample body) of the strings that name a resource: the fixture's rid. */
function resourceLeaves(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (value === f.rid) return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => resourceLeaves(v, [...path, i]));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => resourceLeaves(v, [...path, k]));
  return [];
}

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = value;
  return copy;
}

describe('every route that takes a resource id', () => {
  it('covers the resource routes of the route table', () => {
    // PUT/DELETE rules of users, groups and service accounts; PUT/DELETE namespaces.
    expect(pathRoutes.map(routeKey)).toHaveLength(8);
  });

  it('answers 400 naming path.rid / path.prefix to every bad spelling, writing nothing', async () => {
    const before = await snapshotTenant(f.tenantId);
    const found: string[] = [];
    for (const route of pathRoutes) {
      const param = RESOURCE_PARAMS.find((p) => route.path.includes(`{${p}}`)) ?? '';
      // A whole segment `..` never leaves the client: URL parsing resolves it before sending.
      for (const [name, bad] of badSpellings(f.rid).filter(([, v]) => v !== '..')) {
        const res = await api(route.method, routePath(route, f, { [param]: bad }), {
          token: f.owner.accessToken,
          body: sampleBody(route, f),
        });
        const problem = notA400(res, `path.${param}`, `${routeKey(route)} with ${name}`);
        if (problem) found.push(problem);
      }
    }
    expect(found).toEqual([]);
    expect(await snapshotTenant(f.tenantId)).toEqual(before);
  }, 120_000);

  it('answers 400 naming the field to a bad resource or scope in every body, writing nothing', async () => {
    const bodies = routeTable
      .filter((r: RouteDefinition) => r.body)
      .map((route) => ({ route, sample: sampleBody(route, f) }))
      .map((x) => ({ ...x, leaves: resourceLeaves(x.sample) }))
      .filter((x) => x.leaves.length > 0);
    // Role permissions (create, replace), scoped bindings (member, group, service account), check.
    expect(bodies.map((b) => routeKey(b.route)).sort()).toEqual(
      [
        'POST /v1/tenants/{tenantId}/roles',
        'PUT /v1/tenants/{tenantId}/roles/{roleId}',
        'PUT /v1/tenants/{tenantId}/members/{userId}/roles/{roleId}',
        'PUT /v1/tenants/{tenantId}/groups/{groupId}/roles/{roleId}',
        'PUT /v1/tenants/{tenantId}/service-accounts/{serviceAccountId}/roles/{roleId}',
        'POST /v1/tenants/{tenantId}/check',
      ].sort(),
    );
    const before = await snapshotTenant(f.tenantId);
    const found: string[] = [];
    for (const { route, sample, leaves } of bodies) {
      for (const leaf of leaves) {
        for (const [name, bad] of badSpellings(f.rid)) {
          const res = await api(route.method, routePath(route, f), {
            token: f.owner.accessToken,
            body: setAt(sample, leaf, bad),
          });
          const field = ['body', ...leaf].join('.');
          const problem = notA400(res, field, `${routeKey(route)} with ${name} at ${field}`);
          if (problem) found.push(problem);
        }
      }
    }
    expect(found).toEqual([]);
    expect(await snapshotTenant(f.tenantId)).toEqual(before);
  }, 120_000);

  it('answers 400 naming query.resource to a bad spelling in the ACL listing filter', async () => {
    const found: string[] = [];
    for (const [name, bad] of badSpellings(f.rid)) {
      const res = await api(
        'GET',
        `/v1/tenants/${f.tenantId}/acls?resource=${encodeURIComponent(bad)}`,
        { token: f.owner.accessToken },
      );
      const problem = notA400(res, 'query.resource', `GET acls?resource with ${name}`);
      if (problem) found.push(problem);
    }
    expect(found).toEqual([]);
  });
});

describe('{rid} is decoded exactly once', () => {
  it('grants under the id the client encoded once, and refuses a double-encoded one (L4)', async () => {
    const { tenantId, owner, t, as } = await createTenantWithOwner();
    const user = await createUser(uniqueEmail('once'));
    await join(tenantId, owner.accessToken, user);
    const once = encodeURIComponent('dcos:x/y');
    expect((await api('PUT', `${t}/acls/${once}/users/${user.userId}/read`, as)).status).toBe(204);
    // `dcos%253Ax` reaches the handler as `dcos%3Ax`: not a second spelling of `dcos:x`.
    const before = await snapshotTenant(tenantId);
    for (const raw of ['dcos%253Ax', 'dcos%253Ax%252Fy', 'dcos:x%252Fy']) {
      const res = await api('PUT', `${t}/acls/${raw}/users/${user.userId}/read`, as);
      expect(notA400(res, 'path.rid', raw)).toBeUndefined();
    }
    expect(await snapshotTenant(tenantId)).toEqual(before);
    const rules = await api('GET', `${t}/acls?principal=user:${user.userId}`, as);
    expect(rules.body.items).toEqual([
      { principal: `user:${user.userId}`, resource: 'dcos:x/y', action: 'read' },
    ]);
  });
});

describe('the example service: authorizer-bound {appId+}', () => {
  const apps = (t: string) => `/example/t/${t}/marathon/v2/apps`;

  it('denies every bad spelling of an app id to a member holding only services/team1 (M6)', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const user = await createUser(uniqueEmail('team1'));
    await join(tenantId, owner.accessToken, user);
    const granter = { userId: owner.userId, email: owner.email };
    for (const rule of [
      { resource: 'dcos:adminrouter:service:marathon', action: 'full' as const },
      { resource: 'dcos:service:marathon:marathon:services/team1', action: 'full' as const },
    ])
      await grantMemberRule(domainDeps(), granter, tenantId, user.userId, rule);
    const as = { token: user.accessToken };
    // The control: an app of team1 is the member's to create.
    expect((await api('PUT', `${apps(tenantId)}/team1/web`, as)).status).toBe(201);
    const bad = [
      'team1%2F..%2Fteam2%2Fdb',
      'team1/..%2Fteam2/db',
      'team1%2F.%2Fdb',
      'team1/%2E%2E/team2/db',
      'team1%252F..%252Fteam2%252Fdb',
      'team1%2Fdb%2F',
      'team1/db/',
      'team1//db',
      'team1%00',
      'team1%1B%5B2J',
      'team1%C2%9B',
      'team1%E2%80%AEdb',
      'team1%EF%BC%8Fdb',
    ];
    const found: string[] = [];
    for (const method of ['PUT', 'GET', 'DELETE']) {
      for (const appId of bad) {
        const res = await api(method, `${apps(tenantId)}/${appId}`, as);
        if (res.status !== 403) found.push(`${method} ${appId}: ${res.status}`);
      }
    }
    expect(found).toEqual([]);
    // Nothing was created in team2's name, even by the spellings the owner could try.
    const owners = { token: owner.accessToken };
    expect((await api('GET', `${apps(tenantId)}/team2/db`, owners)).status).toBe(404);
    expect((await api('PUT', `${apps(tenantId)}/team1%2F..%2Fteam2%2Fdb`, owners)).status).toBe(
      403,
    );
  });
});
