/**
 * The route table: every HTTP route of Gatehouse, declared once. The CDK stack, the local
 * server, the authorizer and the OpenAPI document are all built from this list.
 */

import { aclRoutes } from '#shared/routes/acl-routes.js';
import { auditRoutes } from '#shared/routes/audit-routes.js';
import { docsRoutes } from '#shared/routes/docs-routes.js';
import { groupRoutes } from '#shared/routes/group-routes.js';
import { inviteRoutes } from '#shared/routes/invite-routes.js';
import { memberRoutes } from '#shared/routes/member-routes.js';
import { roleRoutes } from '#shared/routes/role-routes.js';
import { type RouteDefinition, routeKey } from '#shared/routes/route-types.js';
import { serviceAccountRoutes } from '#shared/routes/service-account-routes.js';
import { tenantRoutes } from '#shared/routes/tenant-routes.js';

const routes = [
  ...docsRoutes,
  ...tenantRoutes,
  ...memberRoutes,
  ...inviteRoutes,
  ...groupRoutes,
  ...roleRoutes,
  ...aclRoutes,
  ...auditRoutes,
  ...serviceAccountRoutes,
] satisfies readonly RouteDefinition[];

export const routeTable: readonly RouteDefinition[] = routes;

/** Any route of the table, with its literal `id` and `fn` and its own schemas (for handler types). */
export type ApiRoute = (typeof routes)[number];

const duplicateIds = routeTable.map((r) => r.id).filter((id, i, ids) => ids.indexOf(id) !== i);
if (duplicateIds.length) throw new Error(`Route ids declared twice: ${duplicateIds.join(', ')}`);

const byKey = new Map(routeTable.map((r) => [routeKey(r), r]));

/** The route declared for an API Gateway route key (`POST /v1/tenants`), if any. */
export function findRoute(key: string): RouteDefinition | undefined {
  return byKey.get(key);
}
