/** Lambda entry for the group routes: groups, their members and their role bindings. */
import { appDeps } from '#shared/app/deps.js';
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
import { groupRoutes } from '#shared/routes/group-routes.js';

const deps = appDeps();
const noContent = () => httpResult(204);

export const handler = apiHandler('groups', groupRoutes, {
  'groups.list': async ({ params, query }) => listGroups(deps, params.tenantId, query),
  'groups.create': async (input) =>
    createGroup(deps, requireCaller(input), input.params.tenantId, input.body),
  'groups.get': async ({ params }) => getGroup(deps, params.tenantId, params.groupId),
  'groups.update': async (input) => {
    const { tenantId, groupId } = input.params;
    return patchGroup(deps, requireCaller(input), tenantId, groupId, input.body);
  },
  'groups.delete': async (input) => {
    const { tenantId, groupId } = input.params;
    await deleteGroup(deps, requireCaller(input), tenantId, groupId);
    return noContent();
  },
  'groups.addMember': async (input) => {
    const { tenantId, groupId, userId } = input.params;
    await addToGroup(deps, requireCaller(input), tenantId, groupId, userId);
    return noContent();
  },
  'groups.removeMember': async (input) => {
    const { tenantId, groupId, userId } = input.params;
    await removeFromGroup(deps, requireCaller(input), tenantId, groupId, userId);
    return noContent();
  },
  'groups.bindRole': async (input) => {
    const { tenantId, groupId, roleId } = input.params;
    const caller = requireCaller(input);
    return bindGroupRole(deps, caller, tenantId, groupId, roleId, input.body.scope);
  },
  'groups.unbindRole': async (input) => {
    const { tenantId, groupId, roleId } = input.params;
    await unbindGroupRole(deps, requireCaller(input), tenantId, groupId, roleId);
    return noContent();
  },
});
