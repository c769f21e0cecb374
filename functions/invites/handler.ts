/** Lambda entry for the invite routes, including the public lookup and the optional-bearer accept. */
import { appDeps } from '#shared/app/deps.js';
import { identityFromEnv } from '#shared/app/identity-deps.js';
import { type AccessTokenVerifier, verifierFromEnv } from '#shared/auth/token-verifier.js';
import { apiHandler, httpResult, requireCaller } from '#shared/http/api-handler.js';
import { bearerUser } from '#shared/invites/invite-bearer.js';
import { withIdempotency } from '#shared/invites/invite-idempotency.js';
import {
  acceptInvite,
  createInvites,
  getInvite,
  listInvites,
  lookupInvite,
  passwordRequired,
  resendInvite,
  revokeInvite,
} from '#shared/invites/invite-service.js';
import { inviteRoutes } from '#shared/routes/invite-routes.js';
import { userSessionsValidAfter } from '#shared/sessions/sign-out.js';

const deps = appDeps();
const identity = identityFromEnv();
let verifier: Promise<AccessTokenVerifier> | undefined;
const getVerifier = () => {
  // A failed JWKS fetch (Cognito down) is not kept: the next request tries again.
  verifier ??= verifierFromEnv(deps.env).catch((error: unknown) => {
    verifier = undefined;
    throw error;
  });
  return verifier;
};

/** Accepting without a bearer token creates an account: a password is then required. */
const withPassword = (password: string | undefined) => {
  if (password === undefined) throw passwordRequired();
  return { kind: 'password' as const, password };
};

export const handler = apiHandler('invites', inviteRoutes, {
  'invites.create': async (input) => {
    const { tenantId } = input.params;
    const caller = requireCaller(input);
    return withIdempotency(
      deps,
      tenantId,
      caller,
      'invites',
      input.headers['idempotency-key'],
      input.body,
      () => createInvites(deps, caller, tenantId, input.body),
    );
  },
  'invites.list': async ({ params, query }) => listInvites(deps, params.tenantId, query),
  'invites.get': async ({ params }) => getInvite(deps, params.tenantId, params.inviteId),
  'invites.resend': async (input) =>
    resendInvite(deps, requireCaller(input), input.params.tenantId, input.params.inviteId),
  'invites.revoke': async (input) => {
    await revokeInvite(deps, requireCaller(input), input.params.tenantId, input.params.inviteId);
    return httpResult(204);
  },
  'invites.lookup': async ({ body }) => lookupInvite(deps, body.token),
  'invites.accept': async ({ body, headers }) => {
    const user = await bearerUser(getVerifier, identity, headers.authorization, (userId) =>
      userSessionsValidAfter(deps, userId),
    );
    const accepter = user ? { kind: 'bearer' as const, ...user } : withPassword(body.password);
    const result = await acceptInvite(deps, identity, body.token, accepter);
    return httpResult(result.status, result.body);
  },
});
