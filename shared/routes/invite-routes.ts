/** Routes of the invite capability: bulk invite, list, read, resend, revoke, and the public lookup and accept. */
import { MANAGED } from '#shared/acl/management-permissions.js';
import {
  AcceptInviteBody,
  AcceptView,
  CreateInvitesBody,
  CreateInvitesView,
  InvitePage,
  InviteView,
  ListInvitesQuery,
  LookupView,
  ResendView,
  TokenBody,
} from '#shared/invites/invite-schemas.js';
import type { RequiredPermission, RouteDefinition } from '#shared/routes/route-types.js';

const can = (action: RequiredPermission['action']) => ({
  kind: 'tenant' as const,
  tenantParam: 'tenantId',
  permissions: [{ resource: MANAGED.invites, action }],
});
const invites = '/v1/tenants/{tenantId}/invites';
const tags = ['invites'];

export const inviteRoutes: RouteDefinition[] = [
  {
    method: 'POST',
    path: invites,
    fn: 'invites',
    auth: can('create'),
    summary: 'Invite up to 100 addresses at once; per-address results; Idempotency-Key supported',
    status: 200,
    body: CreateInvitesBody,
    response: CreateInvitesView,
    tags,
  },
  {
    method: 'GET',
    path: invites,
    fn: 'invites',
    auth: can('read'),
    summary: 'List invites, newest first, optionally by status',
    status: 200,
    query: ListInvitesQuery,
    response: InvitePage,
    tags,
  },
  {
    method: 'GET',
    path: `${invites}/{inviteId}`,
    fn: 'invites',
    auth: can('read'),
    summary: 'Read one invite (status expired is derived from expiresAt)',
    status: 200,
    response: InviteView,
    tags,
  },
  {
    method: 'POST',
    path: `${invites}/{inviteId}/resend`,
    fn: 'invites',
    auth: can('update'),
    summary: 'Resend a pending or expired invite with a new token and expiry',
    status: 200,
    response: ResendView,
    tags,
  },
  {
    method: 'DELETE',
    path: `${invites}/{inviteId}`,
    fn: 'invites',
    auth: can('delete'),
    summary: 'Revoke an invite',
    status: 204,
    tags,
  },
  {
    method: 'POST',
    path: '/v1/invites/lookup',
    fn: 'invites',
    auth: { kind: 'public' },
    summary: 'What an invite token is for (the accept page)',
    status: 200,
    body: TokenBody,
    response: LookupView,
    tags,
  },
  {
    method: 'POST',
    path: '/v1/invites/accept',
    fn: 'invites',
    auth: { kind: 'optional' },
    summary:
      'Accept an invite with your bearer token (200), or with a password for a new account (201)',
    status: 200,
    body: AcceptInviteBody,
    response: AcceptView,
    tags,
  },
];
