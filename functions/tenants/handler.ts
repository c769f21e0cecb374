/** Lambda entry for the tenant routes. */
import { withEmail } from '#shared/app/caller-email.js';
import { appDeps } from '#shared/app/deps.js';
import { identityFromEnv } from '#shared/app/identity-deps.js';
import { apiHandler, requireCaller } from '#shared/http/api-handler.js';
import { createTenant, getTenant, patchTenant } from '#shared/tenants/tenant-service.js';

const deps = appDeps();
const identity = identityFromEnv();

export const handler = apiHandler('tenants', {
  'POST /v1/tenants': async (input) =>
    createTenant(deps, await withEmail(identity, requireCaller(input)), input.body),
  'GET /v1/tenants/{tenantId}': async ({ params }) => getTenant(deps, String(params.tenantId)),
  'PATCH /v1/tenants/{tenantId}': async (input) =>
    patchTenant(deps, requireCaller(input), String(input.params.tenantId), input.body),
});
