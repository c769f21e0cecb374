/** Routes of the audit capability. */
import { MANAGED } from '#shared/acl/management-permissions.js';
import { AuditPage, ListAuditQuery } from '#shared/audit/audit-service.js';
import type { RouteDefinition } from '#shared/routes/route-types.js';

export const auditRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: '/v1/tenants/{tenantId}/audit',
    fn: 'audit',
    auth: {
      kind: 'tenant',
      tenantParam: 'tenantId',
      permissions: [{ resource: MANAGED.audit, action: 'read' }],
    },
    summary: 'Audit events, newest first (filter by actor, target and since)',
    status: 200,
    query: ListAuditQuery,
    response: AuditPage,
    tags: ['audit'],
  },
];
