/**
 * Suppressed addresses as the invite use cases see them: an address whose mail hard-bounced or
 * was reported as spam gets no further mail from the tenant. A single invite (resend, direct
 * add) to it is a 409 naming the field, with nothing written and no mail counted; a bulk invite
 * answers `suppressed` for that address and invites the others.
 */
import type { StoreDeps } from '#shared/app/context.js';
import { ConflictError } from '#shared/errors/domain-errors.js';
import {
  findMailSuppression,
  type SuppressionReason,
} from '#shared/store/records/mail-suppression-record.js';

const WHY: Record<SuppressionReason, string> = {
  bounced: 'an earlier mail to it bounced permanently',
  complained: 'its recipient reported an earlier mail as spam',
};

/** The 409 of a mail to a suppressed address; `path` names the request field that holds it. */
export function suppressedAddressError(
  email: string,
  reason: SuppressionReason,
  path: string,
): ConflictError {
  const message = `${email} gets no more mail from this tenant: ${WHY[reason]}`;
  return new ConflictError(message, {
    extra: { reason: `address-${reason}`, errors: [{ path, message: WHY[reason] }] },
  });
}

/** Throws the 409 when the tenant suppressed `email`. */
export async function assertNotSuppressed(
  deps: StoreDeps,
  tenantId: string,
  email: string,
  path: string,
): Promise<void> {
  const suppression = await findMailSuppression(deps.table, tenantId, email);
  if (suppression) throw suppressedAddressError(email, suppression.reason, path);
}
