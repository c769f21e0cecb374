/** Routes of the group capability: groups, their members and their role bindings. */
import { MANAGED } from '#shared/acl/management-permissions.js';
import {
  CreateGroupBody,
  GroupPage,
  GroupView,
  ListGroupsQuery,
  PatchGroupBody,
} from '#shared/groups/group-schemas.js';
import { BindRoleBody } from '#shared/members/member-schemas.js';
import type { RequiredPermission, RouteDefinition } from '#shared/routes/route-types.js';

const can = (action: RequiredPermission['action']) => ({
  kind: 'tenant' as const,
  tenantParam: 'tenantId',
  permissions: [{ resource: MANAGED.groups, action }],
});
const groups = '/v1/tenants/{tenantId}/groups';
const group = `${groups}/{groupId}`;
const tags = ['groups'];

export const groupRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: groups,
    fn: 'groups',
    auth: can('read'),
    summary: 'List groups with their rules and role bindings',
    status: 200,
    query: ListGroupsQuery,
    response: GroupPage,
    tags,
  },
  {
    method: 'POST',
    path: groups,
    fn: 'groups',
    auth: can('create'),
    summary: 'Create a group',
    status: 201,
    body: CreateGroupBody,
    response: GroupView,
    tags,
  },
  {
    method: 'GET',
    path: group,
    fn: 'groups',
    auth: can('read'),
    summary: 'Read a group with its rules and role bindings',
    status: 200,
    response: GroupView,
    tags,
  },
  {
    method: 'PATCH',
    path: group,
    fn: 'groups',
    auth: can('update'),
    summary: 'Rename a group or change its description',
    status: 200,
    body: PatchGroupBody,
    response: GroupView,
    tags,
  },
  {
    method: 'DELETE',
    path: group,
    fn: 'groups',
    auth: can('delete'),
    summary: 'Delete a custom group; its members leave it (409 if no superuser would remain)',
    status: 204,
    tags,
  },
  {
    method: 'PUT',
    path: `${group}/members/{userId}`,
    fn: 'groups',
    auth: can('update'),
    summary: 'Add a member to a group (the caller must hold what the group carries)',
    status: 204,
    tags,
  },
  {
    method: 'DELETE',
    path: `${group}/members/{userId}`,
    fn: 'groups',
    auth: can('update'),
    summary: 'Remove a member from a group (nobody leaves everyone)',
    status: 204,
    tags,
  },
  {
    method: 'PUT',
    path: `${group}/roles/{roleId}`,
    fn: 'groups',
    auth: can('update'),
    summary: 'Bind a role to a group, on everything or under a scope resource',
    status: 200,
    body: BindRoleBody,
    response: GroupView,
    tags,
  },
  {
    method: 'DELETE',
    path: `${group}/roles/{roleId}`,
    fn: 'groups',
    auth: can('update'),
    summary: 'Unbind a role from a group',
    status: 204,
    tags,
  },
];
