/** Lambda entry for the invite routes, including the public lookup and the optional-bearer accept. */
import { appDeps } from '#shared/app/deps.js';
import { identityFromEnv } from '#shared/app/identity-deps.js';
import type { AccessTokenVerifier } from '#shared/auth/token-verifier.js';
import { apiHandler, httpResult, requireCaller } from '#shared/http/api-handler.js';
import { accessTokenVerifier, bearerUser } from '#shared/invites/invite-bearer.js';
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
import { userSessionsValidAfter } from '#shared/sessions/sign-out.js';

const deps = appDeps();
const identity = identityFromEnv();
const invites = '/v1/tenants/{tenantId}/invites';
let verifier: Promise<AccessTokenVerifier> | undefined;
const getVerifier = () => {
  // A failed JWKS fetch (Cognito down) is not kept: the next request tries again.
  verifier ??= accessTokenVerifier(deps.env).catch((error: unknown) => {
    verifier = undefined;
    throw error;
  });
  return verifier;
};

export const handler = apiHandler('invites', {
  [`POST ${invites}`]: async (input) => {
    const tenantId = String(input.params.tenantId);
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
  [`GET ${invites}`]: async ({ params, query }) =>
    listInvites(deps, String(params.tenantId), query),
  [`GET ${invites}/{inviteId}`]: async ({ params }) =>
    getInvite(deps, String(params.tenantId), String(params.inviteId)),
  [`POST ${invites}/{inviteId}/resend`]: async (input) =>
    resendInvite(
      deps,
      requireCaller(input),
      String(input.params.tenantId),
      String(input.params.inviteId),
    ),
  [`DELETE ${invites}/{inviteId}`]: async (input) => {
    await revokeInvite(
      deps,
      requireCaller(input),
      String(input.params.tenantId),
      String(input.params.inviteId),
    );
    return httpResult(204);
  },
  'POST /v1/invites/lookup': async ({ body }) => lookupInvite(deps, body.token),
  'POST /v1/invites/accept': async ({ body, headers }) => {
    const user = await bearerUser(getVerifier, identity, headers.authorization, (userId) =>
      userSessionsValidAfter(deps, userId),
    );
    if (!user && body.password === undefined) throw passwordRequired();
    const accepter = user
      ? { kind: 'bearer' as const, ...user }
      : { kind: 'password' as const, password: String(body.password) };
    const result = await acceptInvite(deps, identity, body.token, accepter);
    return httpResult(result.status, result.body);
  },
});
