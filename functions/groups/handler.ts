/** Lambda entry for the group routes: groups, their members and their role bindings. */
import { appDeps } from '#shared/app/deps.js';
import { parseInput } from '#shared/common/validation.js';
import { GroupMemberPath, GroupPath, GroupRolePath } from '#shared/groups/group-schemas.js';
import {
  bindGroupRole,
  createGroup,
  deleteGroup,
  getGroup,
  listGroups,
  patchGroup,
  unbindGroupRole,
} from '#shared/groups/group-service.js';
import { apiHandler, httpResult, requireCaller } from '#shared/http/api-handler.js';
import { addToGroup, removeFromGroup } from '#shared/members/member-service.js';

const deps = appDeps();
const groups = '/v1/tenants/{tenantId}/groups';
const g = `${groups}/{groupId}`;
const noContent = () => httpResult(204);
const tenantOf = (params: Record<string, string>) => String(params.tenantId);

export const handler = apiHandler('groups', {
  [`GET ${groups}`]: async ({ params, query }) => listGroups(deps, tenantOf(params), query),
  [`POST ${groups}`]: async (input) =>
    createGroup(deps, requireCaller(input), tenantOf(input.params), input.body),
  [`GET ${g}`]: async ({ params }) =>
    getGroup(deps, tenantOf(params), parseInput(GroupPath, params, 'path').groupId),
  [`PATCH ${g}`]: async (input) => {
    const { groupId } = parseInput(GroupPath, input.params, 'path');
    return patchGroup(deps, requireCaller(input), tenantOf(input.params), groupId, input.body);
  },
  [`DELETE ${g}`]: async (input) => {
    const { groupId } = parseInput(GroupPath, input.params, 'path');
    await deleteGroup(deps, requireCaller(input), tenantOf(input.params), groupId);
    return noContent();
  },
  [`PUT ${g}/members/{userId}`]: async (input) => {
    const { groupId, userId } = parseInput(GroupMemberPath, input.params, 'path');
    await addToGroup(deps, requireCaller(input), tenantOf(input.params), groupId, userId);
    return noContent();
  },
  [`DELETE ${g}/members/{userId}`]: async (input) => {
    const { groupId, userId } = parseInput(GroupMemberPath, input.params, 'path');
    await removeFromGroup(deps, requireCaller(input), tenantOf(input.params), groupId, userId);
    return noContent();
  },
  [`PUT ${g}/roles/{roleId}`]: async (input) => {
    const { groupId, roleId } = parseInput(GroupRolePath, input.params, 'path');
    const caller = requireCaller(input);
    return bindGroupRole(deps, caller, tenantOf(input.params), groupId, roleId, input.body.scope);
  },
  [`DELETE ${g}/roles/{roleId}`]: async (input) => {
    const { groupId, roleId } = parseInput(GroupRolePath, input.params, 'path');
    await unbindGroupRole(deps, requireCaller(input), tenantOf(input.params), groupId, roleId);
    return noContent();
  },
});
