/** Routes of the role capability: custom roles as named sets of permissions. */
import { MANAGED } from '#shared/acl/management-permissions.js';
import {
  CreateRoleBody,
  ListRolesQuery,
  PutRoleBody,
  RolePage,
  RolePath,
  RoleView,
} from '#shared/roles/role-schemas.js';
import type { RouteDefinition } from '#shared/routes/route-types.js';
import { tenantPath, tenantRoute } from '#shared/routes/tenant-route.js';

const roles = '/v1/tenants/{tenantId}/roles';
const role = `${roles}/{roleId}`;
const tags = ['roles'];

export const roleRoutes = [
  {
    id: 'roles.list',
    method: 'GET',
    path: roles,
    fn: 'roles',
    auth: tenantRoute(MANAGED.roles, 'read'),
    summary: 'List roles with their permissions',
    status: 200,
    params: tenantPath(),
    query: ListRolesQuery,
    response: RolePage,
    tags,
  },
  {
    id: 'roles.create',
    method: 'POST',
    path: roles,
    fn: 'roles',
    auth: tenantRoute(MANAGED.roles, 'create'),
    summary: 'Create a custom role (the caller must hold every permission in it)',
    status: 201,
    params: tenantPath(),
    body: CreateRoleBody,
    response: RoleView,
    tags,
  },
  {
    id: 'roles.get',
    method: 'GET',
    path: role,
    fn: 'roles',
    auth: tenantRoute(MANAGED.roles, 'read'),
    summary: 'Read a role with its permissions',
    status: 200,
    params: tenantPath(RolePath),
    response: RoleView,
    tags,
  },
  {
    id: 'roles.replace',
    method: 'PUT',
    path: role,
    fn: 'roles',
    auth: tenantRoute(MANAGED.roles, 'update'),
    summary: 'Replace a custom role; bound members get the new permissions on their next request',
    status: 200,
    params: tenantPath(RolePath),
    body: PutRoleBody,
    response: RoleView,
    tags,
  },
  {
    id: 'roles.delete',
    method: 'DELETE',
    path: role,
    fn: 'roles',
    auth: tenantRoute(MANAGED.roles, 'delete'),
    summary: 'Delete a custom role and every binding of it (409 if no superuser would remain)',
    status: 204,
    params: tenantPath(RolePath),
    tags,
  },
] satisfies RouteDefinition[];
