/** Which permissions a route needs, with `{param}` placeholders filled from the request path. */
import { validateResourceId } from '#shared/acl/resource.js';
import type { Action } from '#shared/acl/types.js';
import type { RequiredPermission, RouteAuth } from '#shared/routes/route-types.js';

export type RequirementResolver = (routeKey: string) => RouteAuth | undefined;

/**
 * Fills `{name}` in each resource from path parameters. Undefined (the caller denies) when a
 * value is missing or the bound resource is not a valid id: a `.` or `..` level, an empty
 * level, a `%` left over from a double encoding or any other forbidden character must never
 * reach a check, where `services/team1/../team2` would pass as a child of `services/team1`.
 */
export function bindPermissions(
  permissions: readonly RequiredPermission[],
  params: Record<string, string | undefined>,
): { resource: string; action: Action }[] | undefined {
  const bound: { resource: string; action: Action }[] = [];
  for (const p of permissions) {
    let ok = true;
    const resource = p.resource.replace(/\{([A-Za-z0-9_]+)\}/g, (_m, name: string) => {
      const value = params[name];
      if (!value) ok = false;
      return value ?? '';
    });
    if (!ok || validateResourceId(resource) !== null) return undefined;
    bound.push({ resource, action: p.action });
  }
  return bound;
}

/**
 * A resolver for another API's routes: `{ "GET /t/{tenantId}/apps/{name}": [{resource, action}] }`,
 * all under one tenant path parameter. The key is the route as API Gateway names it (an HTTP
 * API's `routeKey`; a REST API's `httpMethod` and `resource` template); every key is hashed once
 * here, so finding a route costs the same in a map of 5 routes or of thousands (no scan, no
 * pattern matching: API Gateway has already matched the path to its template).
 */
export function externalRoutes(
  tenantParam: string,
  routes: Readonly<Record<string, readonly RequiredPermission[]>>,
): RequirementResolver {
  const byKey = new Map<string, RouteAuth>();
  for (const [key, permissions] of Object.entries(routes)) {
    byKey.set(key, { kind: 'tenant', tenantParam, permissions });
  }
  return (key) => byKey.get(key);
}
