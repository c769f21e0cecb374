/**
 * What the caller may do in a tenant, as the route keys the authorizer would let through: every
 * tenant route of the generated route map, checked with the same binding and the same ACL engine
 * the authorizer uses, so the console offers exactly what the API will accept.
 */
import { isAllowed, type PermissionSet } from '#shared/acl/engine.js';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { bindPermissions } from '#shared/auth/route-requirements.js';
import { ForbiddenError, NotFoundError } from '#shared/errors/domain-errors.js';
import { grantable } from '#shared/policy/grant-guard.js';
import { loadTenantState } from '#shared/policy/tenant-state.js';
import { ROUTE_AUTH } from '#shared/routes/route-auth.js';
import type { RouteAuth } from '#shared/routes/route-types.js';

export interface RouteAbilities {
  /** Route keys allowed whatever the other path parameters name. */
  routes: string[];
  /** Route keys refused in general but allowed on the caller's own membership (`self`). */
  selfRoutes: string[];
}

/**
 * The tenant routes of `routeAuth` that `permissions` may call in `tenantId`. A route whose
 * permission names a path parameter other than the tenant's cannot be decided without the path:
 * it is never listed (Gatehouse's own routes have none).
 */
export function routeAbilities(
  permissions: PermissionSet,
  tenantId: string,
  routeAuth: Readonly<Record<string, RouteAuth>> = ROUTE_AUTH,
): RouteAbilities {
  const out: RouteAbilities = { routes: [], selfRoutes: [] };
  for (const [key, auth] of Object.entries(routeAuth)) {
    if (auth.kind !== 'tenant') continue;
    const needed = bindPermissions(auth.permissions, { [auth.tenantParam]: tenantId });
    const allowed = needed?.every((p) => isAllowed(permissions, p.resource, p.action)) ?? false;
    if (allowed) out.routes.push(key);
    else if (auth.self) out.selfRoutes.push(key);
  }
  return out;
}

/**
 * `GET /v1/me/tenants/{tenantId}/abilities`: the caller's abilities in the tenant, from the
 * member item and the policy read strongly consistent (a role removed a moment ago is gone from
 * the answer). A person asks, signed in or with their personal token; a service account's API
 * token is refused (403): it is no member, and its grants are read at
 * `GET .../service-accounts/{id}/permissions`. `grantable` lists the roles and groups the caller
 * may hand out (nobody grants more than they hold), for the console's pickers; each list only
 * when the caller may read that list (`GET .../roles`, `GET .../groups`).
 */
export async function describeAbilities(deps: StoreDeps, caller: Caller, tenantId: string) {
  if (caller.credential === 'api-token')
    throw new ForbiddenError('Service accounts have no member abilities: read their permissions');
  const state = await loadTenantState(deps, tenantId, caller);
  if (!state.actorPermissions || state.actor?.status !== 'active')
    throw new NotFoundError('Tenant not found');
  const permissions = state.actorPermissions;
  const abilities = routeAbilities(permissions, tenantId);
  // Role and group ids only to whoever may list them anyway: the answer reveals no name the
  // caller could not read (a plain member holding `apps full` learns of no role under apps).
  const listed = (kind: 'roles' | 'groups') =>
    abilities.routes.includes(`GET /v1/tenants/{tenantId}/${kind}`)
      ? { [kind]: grantable(permissions, state.compiled, state.policy, kind) }
      : {};
  return { tenantId, ...abilities, grantable: { ...listed('roles'), ...listed('groups') } };
}
