/**
 * Rule 14: deleting or disabling a member revokes the invites they sent. Accepting re-checks the
 * inviter's authority anyway (invite-service.ts), so this is the visible half: the invites show
 * as `revoked` at once (audited, by `system`), their links stop working and their outbox mail is
 * dropped. Runs after the member change committed; an invite the person is meanwhile accepting
 * either commits first (and the accept's own inviter check then refuses it) or is revoked here.
 */
import type { StoreDeps } from '#shared/app/context.js';
import { ConflictError, NotFoundError } from '#shared/errors/domain-errors.js';
import { revokeInvite } from '#shared/invites/invite-revoke.js';
import { logger } from '#shared/observability/logger.js';
import { invitesSentBy } from '#shared/store/records/invite-queries.js';

const SYSTEM = { userId: 'system', email: '' };

/** Revokes every pending invite `userId` sent in the tenant; returns how many were revoked. */
export async function revokeInvitesSentBy(
  deps: StoreDeps,
  tenantId: string,
  userId: string,
): Promise<number> {
  let revoked = 0;
  for (const { inviteId } of await invitesSentBy(deps.table, tenantId, userId)) {
    try {
      await revokeInvite(deps, SYSTEM, tenantId, inviteId);
      revoked++;
    } catch (error) {
      // Accepted or revoked meanwhile, or gone: nothing is left to revoke.
      if (!(error instanceof ConflictError || error instanceof NotFoundError)) throw error;
      logger.info('Invite changed while revoking the invites of a removed inviter', {
        tenantId,
        inviteId,
      });
    }
  }
  return revoked;
}
