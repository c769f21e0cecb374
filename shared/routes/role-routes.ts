/** Routes of the role capability: custom roles as named sets of permissions. */
import { MANAGED } from '#shared/acl/management-permissions.js';
import {
  CreateRoleBody,
  ListRolesQuery,
  PutRoleBody,
  RolePage,
  RoleView,
} from '#shared/roles/role-schemas.js';
import type { RequiredPermission, RouteDefinition } from '#shared/routes/route-types.js';

const can = (action: RequiredPermission['action']) => ({
  kind: 'tenant' as const,
  tenantParam: 'tenantId',
  permissions: [{ resource: MANAGED.roles, action }],
});
const roles = '/v1/tenants/{tenantId}/roles';
const role = `${roles}/{roleId}`;
const tags = ['roles'];

export const roleRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: roles,
    fn: 'roles',
    auth: can('read'),
    summary: 'List roles with their permissions',
    status: 200,
    query: ListRolesQuery,
    response: RolePage,
    tags,
  },
  {
    method: 'POST',
    path: roles,
    fn: 'roles',
    auth: can('create'),
    summary: 'Create a custom role (the caller must hold every permission in it)',
    status: 201,
    body: CreateRoleBody,
    response: RoleView,
    tags,
  },
  {
    method: 'GET',
    path: role,
    fn: 'roles',
    auth: can('read'),
    summary: 'Read a role with its permissions',
    status: 200,
    response: RoleView,
    tags,
  },
  {
    method: 'PUT',
    path: role,
    fn: 'roles',
    auth: can('update'),
    summary: 'Replace a custom role; bound members get the new permissions on their next request',
    status: 200,
    body: PutRoleBody,
    response: RoleView,
    tags,
  },
  {
    method: 'DELETE',
    path: role,
    fn: 'roles',
    auth: can('delete'),
    summary: 'Delete a custom role and every binding of it (409 if no superuser would remain)',
    status: 204,
    tags,
  },
];
