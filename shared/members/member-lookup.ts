/** Resolves a member identifier that may be a userId or an email (any case). */
import type { StoreDeps } from '#shared/app/context.js';
import { NotFoundError } from '#shared/errors/domain-errors.js';
import { normalizeEmail } from '#shared/identity/identity-provider.js';
import { findMemberByEmail, loadMember } from '#shared/members/member-service.js';

export async function resolveMemberId(
  deps: StoreDeps,
  tenantId: string,
  identifier: string,
): Promise<string> {
  if (identifier.includes('@')) {
    const m = await findMemberByEmail(deps, tenantId, normalizeEmail(identifier));
    if (!m) throw new NotFoundError(`No member with email ${normalizeEmail(identifier)}`);
    return m.userId;
  }
  return (await loadMember(deps, tenantId, identifier)).userId;
}
