/** Routes of the tenant and caller capability. */
import { MANAGED } from '#shared/acl/management-permissions.js';
import {
  ListPersonalTokensQuery,
  PersonalTokenPage,
  PersonalTokenPath,
} from '#shared/api-tokens/personal-token-schemas.js';
import type { RouteDefinition } from '#shared/routes/route-types.js';
import { NoPath, tenantMember, tenantPath, tenantRoute } from '#shared/routes/tenant-route.js';
import {
  AbilitiesView,
  CreateTenantBody,
  MeView,
  PatchTenantBody,
  TenantView,
} from '#shared/tenants/tenant-schemas.js';

export const tenantRoutes = [
  {
    id: 'tenants.create',
    method: 'POST',
    path: '/v1/tenants',
    fn: 'tenants',
    auth: { kind: 'authenticated' },
    summary: 'Create a tenant; the caller becomes its first superuser',
    status: 201,
    params: NoPath,
    body: CreateTenantBody,
    response: TenantView,
    tags: ['tenants'],
  },
  {
    id: 'tenants.get',
    method: 'GET',
    path: '/v1/tenants/{tenantId}',
    fn: 'tenants',
    auth: tenantRoute(MANAGED.tenant, 'read'),
    summary: 'Read a tenant and its settings',
    status: 200,
    params: tenantPath(),
    response: TenantView,
    tags: ['tenants'],
  },
  {
    id: 'tenants.update',
    method: 'PATCH',
    path: '/v1/tenants/{tenantId}',
    fn: 'tenants',
    auth: tenantRoute(MANAGED.tenant, 'update'),
    summary: 'Rename a tenant or change its settings',
    status: 200,
    params: tenantPath(),
    body: PatchTenantBody,
    response: TenantView,
    tags: ['tenants'],
  },
  {
    id: 'me.get',
    method: 'GET',
    path: '/v1/me',
    fn: 'me',
    auth: { kind: 'authenticated' },
    summary: 'The caller and the tenants they belong to',
    status: 200,
    params: NoPath,
    response: MeView,
    tags: ['me'],
  },
  {
    id: 'me.logout',
    method: 'POST',
    path: '/v1/me/logout',
    fn: 'me',
    auth: { kind: 'authenticated' },
    summary: 'Sign out everywhere: Cognito GlobalSignOut and a forced logout in every tenant',
    status: 204,
    params: NoPath,
    tags: ['me', 'sessions'],
  },
  {
    id: 'me.leaveTenant',
    method: 'DELETE',
    path: '/v1/me/tenants/{tenantId}',
    fn: 'me',
    // Any member may leave: no permission, but the authorizer still checks the membership
    // (404 for a non-member), its status and forced logout.
    auth: tenantMember(),
    summary:
      'Leave a tenant: your membership, grants, personal tokens and pending invites there are removed (409 for its last superuser)',
    status: 204,
    params: tenantPath(),
    tags: ['me'],
  },
  {
    id: 'me.abilities',
    method: 'GET',
    path: '/v1/me/tenants/{tenantId}/abilities',
    fn: 'me',
    // Any active member may ask (the authorizer checks the membership, its status and forced
    // logout); the answer is computed with the authorizer's own route map and ACL engine.
    auth: tenantMember(),
    summary:
      'What you may do in a tenant: the route keys (`METHOD /path`) the authorizer lets you call, and those allowed only on your own membership (service account tokens: 403)',
    status: 200,
    params: tenantPath(),
    response: AbilitiesView,
    tags: ['me'],
  },
  {
    id: 'me.listTokens',
    method: 'GET',
    path: '/v1/me/tokens',
    fn: 'me',
    auth: { kind: 'authenticated' },
    summary: 'List your personal API tokens in every tenant (never the secret)',
    status: 200,
    params: NoPath,
    query: ListPersonalTokensQuery,
    response: PersonalTokenPage,
    tags: ['me', 'tokens'],
  },
  {
    id: 'me.revokeToken',
    method: 'DELETE',
    path: '/v1/me/tokens/{tokenId}',
    fn: 'me',
    auth: { kind: 'authenticated' },
    summary: 'Revoke one of your personal API tokens at once',
    status: 204,
    params: PersonalTokenPath,
    tags: ['me', 'tokens'],
  },
] satisfies RouteDefinition[];
