/**
 * Invites of a tenant: create many at once, list, read, resend, revoke, look up by token and
 * accept. Every change is one conditional transaction with its audit event; the raw token only
 * ever sits in the invite's outbox item, which the mailer deletes once the mail is sent. Each
 * use case lives in its own module; this one reads, and is the entry point of the handlers.
 */
import type { StoreDeps } from '#shared/app/context.js';
import type { InviteView } from '#shared/invites/invite-schemas.js';
import { loadInvite } from '#shared/invites/invite-writes.js';
import type { Page } from '#shared/store/pagination.js';
import { invitePage } from '#shared/store/records/invite-queries.js';
import { type InviteStatus, inviteView } from '#shared/store/records/invite-record.js';

export { acceptInvite, lookupInvite, passwordRequired } from '#shared/invites/invite-accept.js';
export { createInvites } from '#shared/invites/invite-create.js';
export { resendInvite } from '#shared/invites/invite-resend.js';
export { revokeInvite } from '#shared/invites/invite-revoke.js';

/** Reads one invite with its derived status. */
export async function getInvite(
  deps: StoreDeps,
  tenantId: string,
  inviteId: string,
): Promise<InviteView> {
  return inviteView(await loadInvite(deps, tenantId, inviteId), deps.clock.now());
}

/** Lists a tenant's invites, newest first, optionally by (derived) status, with cursor pagination. */
export async function listInvites(
  deps: StoreDeps,
  tenantId: string,
  query: { limit: number; cursor?: string; status?: InviteStatus },
): Promise<Page<InviteView>> {
  const page = await invitePage(deps.table, tenantId, query, deps.clock.now());
  const at = deps.clock.now();
  return { items: page.items.map((i) => inviteView(i, at)), nextCursor: page.nextCursor };
}
