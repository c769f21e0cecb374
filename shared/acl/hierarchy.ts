/**
 * Rule 12, "nobody acts against someone who holds more" (pure): deleting, disabling, demoting,
 * logging out or revoking the tokens of a principal needs the caller to hold every permission
 * the target holds. A superuser outranks everyone; only a superuser acts against a superuser.
 */
import { effectiveRules, isAllowed, isSuperuser, type PermissionSet } from '#shared/acl/engine.js';
import { ForbiddenError } from '#shared/errors/domain-errors.js';

/** Throws 403 unless `caller` holds everything `target` holds. `what` names the act. */
export function assertOutranks(
  caller: PermissionSet | undefined,
  target: PermissionSet,
  what: string,
): void {
  if (!caller) throw new ForbiddenError(`Only members can ${what}`);
  if (isSuperuser(caller)) return;
  if (isSuperuser(target)) {
    throw new ForbiddenError(`Only a superuser can ${what} a superuser`);
  }
  for (const rule of effectiveRules(target)) {
    if (!isAllowed(caller, rule.resource, rule.action)) {
      throw new ForbiddenError(
        `You cannot ${what} someone who holds ${rule.resource} ${rule.action}: you do not hold it`,
      );
    }
  }
}
