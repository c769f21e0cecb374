/** Lambda entry for the caller's own routes. */
import { withEmail } from '#shared/app/caller-email.js';
import { appDeps } from '#shared/app/deps.js';
import { identityFromEnv } from '#shared/app/identity-deps.js';
import { apiHandler, requireCaller } from '#shared/http/api-handler.js';
import { describeMe } from '#shared/tenants/tenant-service.js';

const deps = appDeps();
const identity = identityFromEnv();

export const handler = apiHandler('me', {
  'GET /v1/me': async (input) => describeMe(deps, await withEmail(identity, requireCaller(input))),
});
