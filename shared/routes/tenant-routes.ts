/** Routes of the tenant and caller capability. */
import { MANAGED } from '#shared/acl/management-permissions.js';
import {
  ListPersonalTokensQuery,
  PersonalTokenPage,
} from '#shared/api-tokens/personal-token-schemas.js';
import type { RouteDefinition } from '#shared/routes/route-types.js';
import {
  CreateTenantBody,
  MeView,
  PatchTenantBody,
  TenantView,
} from '#shared/tenants/tenant-schemas.js';

const tenant = 'tenantId';

export const tenantRoutes: RouteDefinition[] = [
  {
    method: 'POST',
    path: '/v1/tenants',
    fn: 'tenants',
    auth: { kind: 'authenticated' },
    summary: 'Create a tenant; the caller becomes its first superuser',
    status: 201,
    body: CreateTenantBody,
    response: TenantView,
    tags: ['tenants'],
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenantId}',
    fn: 'tenants',
    auth: {
      kind: 'tenant',
      tenantParam: tenant,
      permissions: [{ resource: MANAGED.tenant, action: 'read' }],
    },
    summary: 'Read a tenant and its settings',
    status: 200,
    response: TenantView,
    tags: ['tenants'],
  },
  {
    method: 'PATCH',
    path: '/v1/tenants/{tenantId}',
    fn: 'tenants',
    auth: {
      kind: 'tenant',
      tenantParam: tenant,
      permissions: [{ resource: MANAGED.tenant, action: 'update' }],
    },
    summary: 'Rename a tenant or change its settings',
    status: 200,
    body: PatchTenantBody,
    response: TenantView,
    tags: ['tenants'],
  },
  {
    method: 'GET',
    path: '/v1/me',
    fn: 'me',
    auth: { kind: 'authenticated' },
    summary: 'The caller and the tenants they belong to',
    status: 200,
    response: MeView,
    tags: ['me'],
  },
  {
    method: 'POST',
    path: '/v1/me/logout',
    fn: 'me',
    auth: { kind: 'authenticated' },
    summary: 'Sign out everywhere: Cognito GlobalSignOut and a forced logout in every tenant',
    status: 204,
    tags: ['me', 'sessions'],
  },
  {
    method: 'DELETE',
    path: '/v1/me/tenants/{tenantId}',
    fn: 'me',
    // Any member may leave: no permission, but the authorizer still checks the membership
    // (404 for a non-member), its status and forced logout.
    auth: { kind: 'tenant', tenantParam: tenant, permissions: [] },
    summary:
      'Leave a tenant: your membership, grants, personal tokens and pending invites there are removed (409 for its last superuser)',
    status: 204,
    tags: ['me'],
  },
  {
    method: 'GET',
    path: '/v1/me/tokens',
    fn: 'me',
    auth: { kind: 'authenticated' },
    summary: 'List your personal API tokens in every tenant (never the secret)',
    status: 200,
    query: ListPersonalTokensQuery,
    response: PersonalTokenPage,
    tags: ['me', 'tokens'],
  },
  {
    method: 'DELETE',
    path: '/v1/me/tokens/{tokenId}',
    fn: 'me',
    auth: { kind: 'authenticated' },
    summary: 'Revoke one of your personal API tokens at once',
    status: 204,
    tags: ['me', 'tokens'],
  },
];
