/** Routes of the member capability, including forced logout. */
import { MANAGED } from '#shared/acl/management-permissions.js';
import {
  CreatedPersonalTokenView,
  PersonalTokenPage,
} from '#shared/api-tokens/personal-token-schemas.js';
import {
  AddedMemberView,
  AddMemberBody,
  BindRoleBody,
  EffectivePermissionsView,
  ListMembersQuery,
  MemberDetailView,
  MemberPage,
  MemberView,
  PatchMemberBody,
  PermissionsQuery,
} from '#shared/members/member-schemas.js';
import type { RequiredPermission, RouteDefinition } from '#shared/routes/route-types.js';
import {
  CreateTokenBody,
  ListTokensQuery,
} from '#shared/service-accounts/service-account-schemas.js';

const can = (resource: string, action: RequiredPermission['action']) => ({
  kind: 'tenant' as const,
  tenantParam: 'tenantId',
  permissions: [{ resource, action }],
});
const member = '/v1/tenants/{tenantId}/members/{userId}';
const tags = ['members'];

export const memberRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: '/v1/tenants/{tenantId}/members',
    fn: 'members',
    auth: can(MANAGED.members, 'read'),
    summary: 'List members (filter by group, role or email prefix)',
    status: 200,
    query: ListMembersQuery,
    response: MemberPage,
    tags,
  },
  {
    method: 'POST',
    path: '/v1/tenants/{tenantId}/members',
    fn: 'members',
    auth: can(MANAGED.members, 'create'),
    summary:
      'Add a user directly by email, without an invite (created in Cognito with a one-time password if missing)',
    status: 201,
    body: AddMemberBody,
    response: AddedMemberView,
    tags,
  },
  {
    method: 'GET',
    path: member,
    fn: 'members',
    auth: { ...can(MANAGED.members, 'read'), self: 'userId' },
    summary: 'Read a member with groups, roles and direct rules',
    status: 200,
    response: MemberDetailView,
    tags,
  },
  {
    method: 'PATCH',
    path: member,
    fn: 'members',
    auth: can(MANAGED.members, 'update'),
    summary: 'Enable or disable a member (disabling ends their sessions)',
    status: 200,
    body: PatchMemberBody,
    response: MemberView,
    tags,
  },
  {
    method: 'DELETE',
    path: member,
    fn: 'members',
    auth: can(MANAGED.members, 'delete'),
    summary: 'Delete one member with their grants, group memberships and pending invites',
    status: 204,
    tags,
  },
  {
    method: 'PUT',
    path: `${member}/roles/{roleId}`,
    fn: 'members',
    auth: can(MANAGED.members, 'update'),
    summary: 'Bind a role to a member, on everything or under a scope resource',
    status: 200,
    body: BindRoleBody,
    response: MemberView,
    tags,
  },
  {
    method: 'DELETE',
    path: `${member}/roles/{roleId}`,
    fn: 'members',
    auth: can(MANAGED.members, 'update'),
    summary: 'Unbind a role from a member',
    status: 204,
    tags,
  },
  {
    method: 'GET',
    path: `${member}/permissions`,
    fn: 'members',
    auth: { ...can(MANAGED.members, 'read'), self: 'userId' },
    summary: 'Effective permissions of a member, each with its source (paged)',
    status: 200,
    query: PermissionsQuery,
    response: EffectivePermissionsView,
    tags,
  },
  {
    method: 'POST',
    path: `${member}/logout`,
    fn: 'members',
    auth: can(MANAGED.sessions, 'update'),
    summary: 'Force a logout: every token issued before now stops working in this tenant',
    status: 204,
    tags: ['sessions'],
  },
  {
    method: 'POST',
    path: '/v1/tenants/{tenantId}/logout/{identifier}',
    fn: 'members',
    auth: can(MANAGED.sessions, 'update'),
    summary: 'Force a logout by userId or email',
    status: 204,
    tags: ['sessions'],
  },
  {
    method: 'POST',
    path: `${member}/tokens`,
    fn: 'members',
    // Only the member themself, signed in (the handler refuses anyone else and API tokens).
    auth: { ...can(MANAGED.sessions, 'update'), self: 'userId' },
    summary:
      'Mint a personal API token for yourself in this tenant; the secret is in this response only',
    status: 201,
    body: CreateTokenBody,
    response: CreatedPersonalTokenView,
    tags: ['sessions', 'tokens'],
  },
  {
    method: 'GET',
    path: `${member}/tokens`,
    fn: 'members',
    auth: { ...can(MANAGED.members, 'read'), self: 'userId' },
    summary: "List a member's personal API tokens in this tenant (never the secret)",
    status: 200,
    query: ListTokensQuery,
    response: PersonalTokenPage,
    tags: ['sessions'],
  },
  {
    method: 'DELETE',
    path: `${member}/tokens/{tokenId}`,
    fn: 'members',
    auth: { ...can(MANAGED.sessions, 'update'), self: 'userId' },
    summary: "Revoke one of a member's personal API tokens at once",
    status: 204,
    tags: ['sessions'],
  },
];
