/** Routes of the DC/OS-style ACL API and the check API. */

import { MANAGED } from '#shared/acl/management-permissions.js';
import {
  AclPage,
  CheckBody,
  CheckResponse,
  ListAclsQuery,
  NamespaceBody,
  NamespacePage,
  NamespaceView,
} from '#shared/permissions/acl-schemas.js';
import type { RequiredPermission, RouteDefinition } from '#shared/routes/route-types.js';

const can = (action: RequiredPermission['action']) => ({
  kind: 'tenant' as const,
  tenantParam: 'tenantId',
  permissions: [{ resource: MANAGED.acls, action }],
});
const acls = '/v1/tenants/{tenantId}/acls';
const tags = ['acls'];

export const aclRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: acls,
    fn: 'acls',
    auth: can('read'),
    summary: 'List rules granted to users and groups (filter by principal and resource)',
    status: 200,
    query: ListAclsQuery,
    response: AclPage,
    tags,
  },
  {
    method: 'PUT',
    path: `${acls}/{rid}/users/{userId}/{action}`,
    fn: 'acls',
    auth: can('create'),
    summary: 'Grant a rule to a member (the caller must hold it)',
    status: 204,
    tags,
  },
  {
    method: 'DELETE',
    path: `${acls}/{rid}/users/{userId}/{action}`,
    fn: 'acls',
    auth: can('delete'),
    summary: "Revoke a member's rule",
    status: 204,
    tags,
  },
  {
    method: 'PUT',
    path: `${acls}/{rid}/groups/{groupId}/{action}`,
    fn: 'acls',
    auth: can('create'),
    summary: 'Grant a rule to a group: every member holds it from their next request',
    status: 204,
    tags,
  },
  {
    method: 'DELETE',
    path: `${acls}/{rid}/groups/{groupId}/{action}`,
    fn: 'acls',
    auth: can('delete'),
    summary: "Revoke a group's rule (409 if no superuser would remain)",
    status: 204,
    tags,
  },
  {
    method: 'POST',
    path: '/v1/tenants/{tenantId}/check',
    fn: 'acls',
    auth: can('read'),
    summary: 'May this member do this? One check or up to 100, each with its reason',
    status: 200,
    body: CheckBody,
    response: CheckResponse,
    tags,
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenantId}/namespaces',
    fn: 'acls',
    auth: can('read'),
    summary: 'List the resource namespaces and the actions each accepts',
    status: 200,
    response: NamespacePage,
    tags,
  },
  {
    method: 'PUT',
    path: '/v1/tenants/{tenantId}/namespaces/{prefix}',
    fn: 'acls',
    auth: can('update'),
    summary:
      'Register a namespace ({prefix} URL-encoded): later grants on it or under it may carry only these actions',
    status: 200,
    body: NamespaceBody,
    response: NamespaceView,
    tags,
  },
  {
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/namespaces/{prefix}',
    fn: 'acls',
    auth: can('delete'),
    summary: 'Remove a namespace: grants under it accept every action again',
    status: 204,
    tags,
  },
];
