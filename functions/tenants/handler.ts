/** Lambda entry for the tenant routes. */
import { withEmail } from '#shared/app/caller-email.js';
import { appDeps } from '#shared/app/deps.js';
import { identityFromEnv } from '#shared/app/identity-deps.js';
import { apiHandler, requireCaller } from '#shared/http/api-handler.js';
import { tenantRoutes } from '#shared/routes/tenant-routes.js';
import { createTenant, getTenant, patchTenant } from '#shared/tenants/tenant-service.js';

const deps = appDeps();
const identity = identityFromEnv();

export const handler = apiHandler('tenants', tenantRoutes, {
  'tenants.create': async (input) =>
    createTenant(deps, await withEmail(identity, requireCaller(input)), input.body),
  'tenants.get': async ({ params }) => getTenant(deps, params.tenantId),
  'tenants.update': async (input) =>
    patchTenant(deps, requireCaller(input), input.params.tenantId, input.body),
});
