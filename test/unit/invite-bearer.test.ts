/**
 * The accept route verifies its bearer itself: a token it refuses is 401, keys it cannot fetch
 * (Cognito down) are an outage (503), and a session from before sign-out everywhere is 401.
 * The verifier is a stand-in here: what is tested is how its outcomes are answered.
 */
import { FetchError, JwtExpiredError } from 'aws-jwt-verify/error';
import { describe, expect, it } from 'vitest';
import type { AccessTokenVerifier } from '#shared/auth/token-verifier.js';
import { UnauthorizedError, UnavailableError } from '#shared/errors/domain-errors.js';
import type { IdentityProvider } from '#shared/identity/identity-provider.js';
import { bearerUser } from '#shared/invites/invite-bearer.js';

const identity = {} as IdentityProvider;
const never = async () => 0;
const verifierThat = (verify: AccessTokenVerifier['verify']) => async () =>
  ({ verify }) as AccessTokenVerifier;

describe('the accept route bearer', () => {
  it('answers keys that cannot be fetched with 503, not 401', async () => {
    const down = verifierThat(async () => {
      throw new FetchError('https://cognito-idp/jwks.json', 'connect ECONNREFUSED');
    });
    await expect(bearerUser(down, identity, 'Bearer a.b.c', never)).rejects.toBeInstanceOf(
      UnavailableError,
    );
  });

  it('answers a refused token with 401', async () => {
    const refused = verifierThat(async () => {
      throw new JwtExpiredError('Token expired', 1);
    });
    await expect(bearerUser(refused, identity, 'Bearer a.b.c', never)).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
  });

  it('answers a session from before sign-out everywhere with 401 that says to sign in again', async () => {
    const ok = verifierThat(async () => ({
      sub: 'u-1',
      username: 'ann@example.com',
      authTime: 1_000,
      clientId: 'c',
      expiresAt: 4_000_000_000,
    }));
    const signedOutLater = async () => 1_000_500;
    await expect(bearerUser(ok, identity, 'Bearer a.b.c', signedOutLater)).rejects.toThrow(
      /sign in again/,
    );
    await expect(bearerUser(ok, identity, 'Bearer a.b.c', never)).resolves.toEqual({
      userId: 'u-1',
      email: 'ann@example.com',
    });
  });
});
