/** Lambda entry for the role routes. */
import { appDeps } from '#shared/app/deps.js';
import { parseInput } from '#shared/common/validation.js';
import { apiHandler, httpResult, requireCaller } from '#shared/http/api-handler.js';
import { RolePath } from '#shared/roles/role-schemas.js';
import {
  createRole,
  deleteRole,
  getRole,
  listRoles,
  replaceRole,
} from '#shared/roles/role-service.js';

const deps = appDeps();
const roles = '/v1/tenants/{tenantId}/roles';
const r = `${roles}/{roleId}`;
const tenantOf = (params: Record<string, string>) => String(params.tenantId);

export const handler = apiHandler('roles', {
  [`GET ${roles}`]: async ({ params, query }) => listRoles(deps, tenantOf(params), query),
  [`POST ${roles}`]: async (input) =>
    createRole(deps, requireCaller(input), tenantOf(input.params), input.body),
  [`GET ${r}`]: async ({ params }) =>
    getRole(deps, tenantOf(params), parseInput(RolePath, params, 'path').roleId),
  [`PUT ${r}`]: async (input) => {
    const { roleId } = parseInput(RolePath, input.params, 'path');
    return replaceRole(deps, requireCaller(input), tenantOf(input.params), roleId, input.body);
  },
  [`DELETE ${r}`]: async (input) => {
    const { roleId } = parseInput(RolePath, input.params, 'path');
    await deleteRole(deps, requireCaller(input), tenantOf(input.params), roleId);
    return httpResult(204);
  },
});
