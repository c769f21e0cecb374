/** Which permissions a route needs, with `{param}` placeholders filled from the request path. */
import type { Action } from '#shared/acl/types.js';
import type { RequiredPermission, RouteAuth } from '#shared/routes/route-types.js';

export type RequirementResolver = (routeKey: string) => RouteAuth | undefined;

/** Fills `{name}` in each resource from path parameters; undefined when a value is missing. */
export function bindPermissions(
  permissions: RequiredPermission[],
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
    if (!ok) return undefined;
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
  routes: Record<string, RequiredPermission[]>,
): RequirementResolver {
  return (key) => {
    const permissions = routes[key];
    return permissions ? { kind: 'tenant', tenantParam, permissions } : undefined;
  };
}
