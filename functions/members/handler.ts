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
import { memberRoutes } from '#shared/routes/member-routes.js';

const deps = appDeps();
const noContent = () => httpResult(204);

export const handler = apiHandler('members', memberRoutes, {
  'members.list': async ({ params, query }) => listMembers(deps, params.tenantId, query),
  'members.add': async (input) =>
    addMember(deps, requireCaller(input), input.params.tenantId, input.body),
  'members.get': async ({ params }) => getMember(deps, params.tenantId, params.userId),
  'members.update': async (input) => {
    const { tenantId, userId } = input.params;
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
  'members.delete': async (input) => {
    const { tenantId, userId } = input.params;
    await deleteMember(deps, requireCaller(input), tenantId, userId);
    await revokeInvitesSentBy(deps, tenantId, userId);
    return noContent();
  },
  'members.bindRole': async (input) => {
    const { tenantId, userId, roleId } = input.params;
    return bindMemberRole(deps, requireCaller(input), tenantId, userId, roleId, input.body.scope);
  },
  'members.unbindRole': async (input) => {
    const { tenantId, userId, roleId } = input.params;
    await unbindMemberRole(deps, requireCaller(input), tenantId, userId, roleId);
    return noContent();
  },
  'members.permissions': async ({ params, query }) =>
    memberPermissions(deps, params.tenantId, params.userId, query),
  'members.logout': async (input) => {
    await forceLogout(deps, requireCaller(input), input.params.tenantId, input.params.userId);
    return noContent();
  },
  'members.createToken': async (input) => {
    const { tenantId, userId } = input.params;
    return createPersonalToken(deps, requireCaller(input), tenantId, userId, input.body);
  },
  'members.listTokens': async ({ params, query }) =>
    listTokensOfMember(deps, params.tenantId, params.userId, query),
  'members.revokeToken': async (input) => {
    const { tenantId, userId, tokenId } = input.params;
    await revokeMemberToken(deps, requireCaller(input), tenantId, userId, tokenId);
    return noContent();
  },
  'members.logoutByIdentifier': async (input) => {
    const { tenantId, identifier } = input.params;
    const caller = requireCaller(input);
    for (const userId of await resolveMemberIds(deps, tenantId, identifier))
      await forceLogout(deps, caller, tenantId, userId);
    return noContent();
  },
});
