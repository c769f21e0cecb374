/** Lambda entry for the audit listing. */
import { appDeps } from '#shared/app/deps.js';
import { listAudit } from '#shared/audit/audit-service.js';
import { apiHandler } from '#shared/http/api-handler.js';
import { auditRoutes } from '#shared/routes/audit-routes.js';

const deps = appDeps();

export const handler = apiHandler('audit', auditRoutes, {
  'audit.list': async ({ params, query }) => listAudit(deps, params.tenantId, query),
});
