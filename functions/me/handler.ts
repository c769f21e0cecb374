/** Lambda entry for the caller's own routes. */
import { describeAbilities } from '#shared/abilities/route-abilities.js';
import {
  listPersonalTokens,
  revokePersonalToken,
} from '#shared/api-tokens/personal-token-service.js';
import { withEmail } from '#shared/app/caller-email.js';
import { appDeps } from '#shared/app/deps.js';
import { identityFromEnv } from '#shared/app/identity-deps.js';
import { bearerToken } from '#shared/auth/token-verifier.js';
import { UnauthorizedError } from '#shared/errors/domain-errors.js';
import { apiHandler, httpResult, requireCaller } from '#shared/http/api-handler.js';
import { leaveTenant } from '#shared/members/member-service.js';
import { tenantRoutes } from '#shared/routes/tenant-routes.js';
import { signOutEverywhere } from '#shared/sessions/sign-out.js';
import { describeMe } from '#shared/tenants/tenant-service.js';

const deps = appDeps();
const identity = identityFromEnv();

export const handler = apiHandler('me', tenantRoutes, {
  'me.get': async (input) => describeMe(deps, await withEmail(identity, requireCaller(input))),
  'me.abilities': async (input) =>
    describeAbilities(deps, requireCaller(input), input.params.tenantId),
  'me.listTokens': async (input) => listPersonalTokens(deps, requireCaller(input)),
  'me.revokeToken': async (input) => {
    await revokePersonalToken(deps, requireCaller(input), input.params.tokenId);
    return httpResult(204);
  },
  'me.leaveTenant': async (input) => {
    await leaveTenant(deps, requireCaller(input), input.params.tenantId);
    return httpResult(204);
  },
  'me.logout': async (input) => {
    const caller = requireCaller(input);
    // The authorizer verified this very token; GlobalSignOut needs it raw.
    const token = bearerToken(input.headers.authorization);
    if (!token) throw new UnauthorizedError('A bearer access token is required');
    await signOutEverywhere(deps, identity, caller, token);
    return httpResult(204);
  },
});
