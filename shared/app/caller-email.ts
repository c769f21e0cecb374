/** Completes a caller whose token carried no email (email sign-in pools) from the identity provider. */
import type { Caller } from '#shared/app/context.js';
import { UnauthorizedError } from '#shared/errors/domain-errors.js';
import type { IdentityProvider } from '#shared/identity/identity-provider.js';
import { normalizeEmail } from '#shared/identity/identity-provider.js';

export async function withEmail(identity: IdentityProvider, caller: Caller): Promise<Caller> {
  if (caller.email) return caller;
  const user = await identity.describeUser(caller.userId);
  if (!user?.email) throw new UnauthorizedError('The user no longer exists');
  return { ...caller, email: normalizeEmail(user.email) };
}
