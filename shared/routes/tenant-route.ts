/** The one way to declare a tenant route: its `auth` (tenant and permission) and its path parameters. */
import * as z from 'zod/mini';
import type { RequiredPermission, RouteAuth } from '#shared/routes/route-types.js';
import { TenantPath } from '#shared/tenants/tenant-schemas.js';

type TenantAuth = Extract<RouteAuth, { kind: 'tenant' }>;

/**
 * A member of the tenant in `{tenantId}` holding `action` on `resource`; with `self`, the
 * permission is waived when that path parameter is the caller's own userId.
 */
export function tenantRoute(
  resource: string,
  action: RequiredPermission['action'],
  options: { self?: string } = {},
): TenantAuth {
  return {
    kind: 'tenant',
    tenantParam: 'tenantId',
    permissions: [{ resource, action }],
    ...options,
  };
}

/** Any member of the tenant in `{tenantId}`: no permission, but the membership is checked. */
export function tenantMember(): TenantAuth {
  return { kind: 'tenant', tenantParam: 'tenantId', permissions: [] };
}

/** The path parameters of a tenant route: `{tenantId}` and those of `rest`. */
export function tenantPath<S extends z.core.$ZodShape = Record<never, never>>(
  rest?: z.ZodMiniObject<S>,
) {
  return z.extend(TenantPath, (rest?.shape ?? {}) as S);
}

/** The path parameters of a route without any. */
export const NoPath = z.object({});
