/** Lambda entry for the member routes (including forced logout). */
import {
  createPersonalToken,
  listTokensOfMember,
  revokeMemberToken,
} from '#shared/api-tokens/personal-token-service.js';
import { appDeps } from '#shared/app/deps.js';
import { apiHandler, httpResult, requireCaller } from '#shared/http/api-handler.js';
import { revokeInvitesSentBy } from '#shared/invites/inviter-removal.js';
import { addMember } from '#shared/invites/member-add.js';
import { resolveMemberIds } from '#shared/members/member-lookup.js';
import {
  bindMemberRole,
  deleteMember,
  forceLogout,
  getMember,
  listMembers,
  memberPermissions,
  setMemberStatus,
  unbindMemberRole,
} from '#shared/members/member-service.js';

const deps = appDeps();
const m = '/v1/tenants/{tenantId}/members/{userId}';
const noContent = () => httpResult(204);

export const handler = apiHandler('members', {
  'GET /v1/tenants/{tenantId}/members': async ({ params, query }) =>
    listMembers(deps, String(params.tenantId), query),
  'POST /v1/tenants/{tenantId}/members': async (input) =>
    addMember(deps, requireCaller(input), String(input.params.tenantId), input.body),
  [`GET ${m}`]: async ({ params }) =>
    getMember(deps, String(params.tenantId), String(params.userId)),
  [`PATCH ${m}`]: async (input) => {
    const { tenantId, userId } = input.params as { tenantId: string; userId: string };
    const member = await setMemberStatus(
      deps,
      requireCaller(input),
      tenantId,
      userId,
      input.body.status,
    );
    if (member.status === 'disabled') await revokeInvitesSentBy(deps, tenantId, userId);
    return member;
  },
  [`DELETE ${m}`]: async (input) => {
    const { tenantId, userId } = input.params as { tenantId: string; userId: string };
    await deleteMember(deps, requireCaller(input), tenantId, userId);
    await revokeInvitesSentBy(deps, tenantId, userId);
    return noContent();
  },
  [`PUT ${m}/roles/{roleId}`]: async (input) =>
    bindMemberRole(
      deps,
      requireCaller(input),
      String(input.params.tenantId),
      String(input.params.userId),
      String(input.params.roleId),
      input.body.scope,
    ),
  [`DELETE ${m}/roles/{roleId}`]: async (input) => {
    await unbindMemberRole(
      deps,
      requireCaller(input),
      String(input.params.tenantId),
      String(input.params.userId),
      String(input.params.roleId),
    );
    return noContent();
  },
  [`GET ${m}/permissions`]: async ({ params, query }) =>
    memberPermissions(deps, String(params.tenantId), String(params.userId), query),
  [`POST ${m}/logout`]: async (input) => {
    await forceLogout(
      deps,
      requireCaller(input),
      String(input.params.tenantId),
      String(input.params.userId),
    );
    return noContent();
  },
  [`POST ${m}/tokens`]: async (input) =>
    createPersonalToken(
      deps,
      requireCaller(input),
      String(input.params.tenantId),
      String(input.params.userId),
      input.body,
    ),
  [`GET ${m}/tokens`]: async ({ params, query }) =>
    listTokensOfMember(deps, String(params.tenantId), String(params.userId), query),
  [`DELETE ${m}/tokens/{tokenId}`]: async (input) => {
    await revokeMemberToken(
      deps,
      requireCaller(input),
      String(input.params.tenantId),
      String(input.params.userId),
      String(input.params.tokenId),
    );
    return noContent();
  },
  'POST /v1/tenants/{tenantId}/logout/{identifier}': async (input) => {
    const tenantId = String(input.params.tenantId);
    const caller = requireCaller(input);
    for (const userId of await resolveMemberIds(deps, tenantId, String(input.params.identifier)))
      await forceLogout(deps, caller, tenantId, userId);
    return noContent();
  },
});
