/**
 * Verifies an optional bearer on the public accept route, where no authorizer runs: absent is
 * fine, present-but-invalid is 401. The email comes from the token's username or from Cognito.
 */

import {
  type AccessTokenVerifier,
  bearerToken,
  isJwksUnavailable,
} from '#shared/auth/token-verifier.js';
import { UnauthorizedError } from '#shared/errors/domain-errors.js';
import type { IdentityProvider } from '#shared/identity/identity-provider.js';
import { normalizeEmail } from '#shared/identity/identity-provider.js';
import { unavailable } from '#shared/platform/dependency-guard.js';
import { SIGN_IN_AGAIN, signedInBefore } from '#shared/sessions/session-time.js';

export interface BearerUser {
  userId: string;
  email: string;
}

/**
 * The verified user behind an `Authorization` header, undefined without one; 401 when invalid,
 * or when the session began before the user signed out everywhere (`signedOutAt`, epoch ms):
 * the accept route verifies its bearer itself, so it applies the stamp itself too.
 */
export async function bearerUser(
  verifier: () => Promise<AccessTokenVerifier>,
  identity: IdentityProvider,
  authorization: string | undefined,
  signedOutAt: (userId: string) => Promise<number>,
): Promise<BearerUser | undefined> {
  if (authorization === undefined || authorization.trim() === '') return undefined;
  const token = bearerToken(authorization);
  if (!token)
    throw new UnauthorizedError('The Authorization header must be "Bearer <access token>"');
  let claims: Awaited<ReturnType<AccessTokenVerifier['verify']>>;
  try {
    claims = await (await verifier()).verify(token);
  } catch (error) {
    if (isJwksUnavailable(error)) throw unavailable('Cognito JWKS', error);
    throw new UnauthorizedError('The bearer token is not a valid access token', { cause: error });
  }
  if (signedInBefore(claims.authTime, await signedOutAt(claims.sub))) {
    throw new UnauthorizedError(
      `You signed out everywhere after this session began; ${SIGN_IN_AGAIN}`,
    );
  }
  if (claims.username.includes('@'))
    return { userId: claims.sub, email: normalizeEmail(claims.username) };
  const user = await identity.describeUser(claims.sub);
  if (!user?.email) throw new UnauthorizedError('The user no longer exists');
  return { userId: claims.sub, email: normalizeEmail(user.email) };
}
