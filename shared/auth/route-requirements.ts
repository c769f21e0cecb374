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
 * all under one tenant path parameter.
 */
export function externalRoutes(
  tenantParam: string,
  routes: Readonly<Record<string, readonly RequiredPermission[]>>,
): RequirementResolver {
  return (key) => {
    const permissions = routes[key];
    return permissions ? { kind: 'tenant', tenantParam, permissions } : undefined;
  };
}
