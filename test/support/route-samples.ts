/**
 * Drives the route table itself: fills any route's path from a fixture, and gives a valid sample
 * body for every route that takes one. Tests iterate over `routeTable`, so a new route must get
 * its sample here (or the test that meets it fails) and cannot escape the invariants.
 */
import { routeTable } from '#shared/routes/route-table.js';
import { type RouteDefinition, routeKey } from '#shared/routes/route-types.js';
import { type ApiResponse, api, uniqueEmail, uniqueId } from './stack-client.js';
import type { TenantFixture } from './tenant-fixture.js';

export type { RouteDefinition };
export { routeKey, routeTable };

/** Fills `{param}` placeholders (URL-encoded); throws on a parameter the fixture cannot name. */
export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/\{([A-Za-z0-9_]+)\+?\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined)
      throw new Error(`no value for path parameter {${name}} of ${path}: add it to the fixture`);
    return encodeURIComponent(value);
  });
}

/**
 * The fixture's value for every path parameter of `route`: `{tokenId}` names a personal token
 * on member and `/v1/me` token routes, a service account token elsewhere.
 */
export function routeParams(route: RouteDefinition, f: TenantFixture): Record<string, string> {
  const personal = /\/members\/\{userId\}\/tokens\/|^\/v1\/me\/tokens\//.test(route.path);
  return personal ? { ...f.params, tokenId: f.personalTokenIds[0] ?? '' } : f.params;
}

/** `route`'s path naming the fixture's things, but for the parameters `overrides` names. */
export function routePath(
  route: RouteDefinition,
  f: TenantFixture,
  overrides: Record<string, string> = {},
): string {
  return fillPath(route.path, { ...routeParams(route, f), ...overrides });
}

/** Calls `route` on the fixture's things with its sample body, unless `options` gives another. */
export function callRoute(
  route: RouteDefinition,
  f: TenantFixture,
  options: { token?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<ApiResponse> {
  return api(route.method, routePath(route, f), { body: sampleBody(route, f), ...options });
}

/** The names of a route's path parameters. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/\{([A-Za-z0-9_]+)\+?\}/g)].map((m) => m[1] ?? '');
}

/** Valid bodies, by route key, naming the fixture's things. Every field of each schema is present. */
const samples: Record<string, (f: TenantFixture) => unknown> = {
  'POST /v1/tenants': () => ({ tenantId: uniqueId('t'), name: 'Sample tenant' }),
  'PATCH /v1/tenants/{tenantId}': () => ({
    name: 'Renamed',
    settings: {
      inviteTtlHours: 24,
      defaultGroups: ['everyone'],
      defaultRoles: ['member'],
      maxResendsPerHour: 3,
    },
  }),
  'POST /v1/tenants/{tenantId}/members': () => ({
    email: uniqueEmail('sample'),
    roles: ['member'],
    groups: ['everyone'],
  }),
  'PATCH /v1/tenants/{tenantId}/members/{userId}': () => ({ status: 'disabled' }),
  'PUT /v1/tenants/{tenantId}/namespaces/{prefix}': () => ({ actions: ['read', 'full'] }),
  'PUT /v1/tenants/{tenantId}/members/{userId}/roles/{roleId}': (f) => ({ scope: f.rid }),
  'POST /v1/tenants/{tenantId}/invites': () => ({
    emails: [uniqueEmail('sample')],
    roles: ['member'],
    groups: ['everyone'],
    message: 'Welcome aboard',
  }),
  'POST /v1/invites/lookup': (f) => ({ token: f.inviteTokens[0] }),
  'POST /v1/invites/accept': (f) => ({ token: f.inviteTokens[0], password: 'Sample-pass-123' }),
  'POST /v1/tenants/{tenantId}/groups': () => ({
    groupId: uniqueId('g'),
    name: 'Sample group',
    description: 'A sample',
  }),
  'PATCH /v1/tenants/{tenantId}/groups/{groupId}': () => ({
    name: 'Renamed',
    description: 'Changed',
  }),
  'PUT /v1/tenants/{tenantId}/groups/{groupId}/roles/{roleId}': (f) => ({ scope: f.rid }),
  'POST /v1/tenants/{tenantId}/roles': (f) => ({
    roleId: uniqueId('r'),
    name: 'Sample role',
    permissions: [{ resource: f.rid, action: 'read' }],
  }),
  'PUT /v1/tenants/{tenantId}/roles/{roleId}': (f) => ({
    name: 'Replaced',
    permissions: [{ resource: f.rid, action: 'update' }],
  }),
  'POST /v1/tenants/{tenantId}/check': (f) => ({
    checks: [{ userId: f.member.userId, resource: f.rid, action: 'read' }],
  }),
  'POST /v1/tenants/{tenantId}/service-accounts': () => ({
    serviceAccountId: uniqueId('sa'),
    name: 'Sample account',
    description: 'A sample',
  }),
  'PATCH /v1/tenants/{tenantId}/service-accounts/{serviceAccountId}': () => ({
    name: 'Renamed',
    description: 'Changed',
    status: 'disabled',
  }),
  'PUT /v1/tenants/{tenantId}/service-accounts/{serviceAccountId}/roles/{roleId}': (f) => ({
    scope: f.rid,
  }),
  'POST /v1/tenants/{tenantId}/service-accounts/{serviceAccountId}/tokens': () => ({
    name: 'sample',
    expiresInDays: 7,
  }),
  'POST /v1/tenants/{tenantId}/members/{userId}/tokens': () => ({
    name: 'sample',
    expiresInDays: 7,
  }),
};

/**
 * A valid body for a route that declares one (checked against the route's own schema, so the
 * sample cannot rot), undefined for routes without a body.
 */
export function sampleBody(route: RouteDefinition, f: TenantFixture): unknown {
  if (!route.body) return undefined;
  const make = samples[routeKey(route)];
  if (!make) throw new Error(`no sample body for ${routeKey(route)}: add one to route-samples.ts`);
  const body = make(f);
  const parsed = route.body.safeParse(body);
  if (!parsed.success)
    throw new Error(`the sample body of ${routeKey(route)} is invalid: ${parsed.error.message}`);
  return body;
}

/** Routes that take the tenant from the path (every one must keep tenants apart). */
export const tenantRoutes = routeTable.filter((r) => r.auth.kind === 'tenant');

/** POST routes that change nothing (a check, a token lookup). */
export const READ_ONLY_POSTS = new Set([
  'POST /v1/tenants/{tenantId}/check',
  'POST /v1/invites/lookup',
]);

export function isMutating(route: RouteDefinition): boolean {
  return route.method !== 'GET' && !READ_ONLY_POSTS.has(routeKey(route));
}
