/** Routes of the audit capability. */
import { MANAGED } from '#shared/acl/management-permissions.js';
import { AuditPage, ListAuditQuery } from '#shared/audit/audit-service.js';
import type { RouteDefinition } from '#shared/routes/route-types.js';
import { tenantPath, tenantRoute } from '#shared/routes/tenant-route.js';

export const auditRoutes = [
  {
    id: 'audit.list',
    method: 'GET',
    path: '/v1/tenants/{tenantId}/audit',
    fn: 'audit',
    auth: tenantRoute(MANAGED.audit, 'read'),
    summary: 'Audit events, newest first (filter by actor, target, action, since and until)',
    status: 200,
    params: tenantPath(),
    query: ListAuditQuery,
    response: AuditPage,
    tags: ['audit'],
  },
] satisfies RouteDefinition[];
