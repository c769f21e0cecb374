/** Lambda entry for the role routes. */
import { appDeps } from '#shared/app/deps.js';
import { apiHandler, httpResult, requireCaller } from '#shared/http/api-handler.js';
import {
  createRole,
  deleteRole,
  getRole,
  listRoles,
  replaceRole,
} from '#shared/roles/role-service.js';
import { roleRoutes } from '#shared/routes/role-routes.js';

const deps = appDeps();

export const handler = apiHandler('roles', roleRoutes, {
  'roles.list': async ({ params, query }) => listRoles(deps, params.tenantId, query),
  'roles.create': async (input) =>
    createRole(deps, requireCaller(input), input.params.tenantId, input.body),
  'roles.get': async ({ params }) => getRole(deps, params.tenantId, params.roleId),
  'roles.replace': async (input) => {
    const { tenantId, roleId } = input.params;
    return replaceRole(deps, requireCaller(input), tenantId, roleId, input.body);
  },
  'roles.delete': async (input) => {
    const { tenantId, roleId } = input.params;
    await deleteRole(deps, requireCaller(input), tenantId, roleId);
    return httpResult(204);
  },
});
