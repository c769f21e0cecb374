/**
 * Verifies Cognito access tokens with aws-jwt-verify: signature, issuer, expiry (required),
 * `token_use` = access and `client_id`. Every rejection is a JwtBaseError or TokenRejectedError.
 */

import { createHash } from 'node:crypto';
import { CognitoJwtVerifier, JwtVerifier } from 'aws-jwt-verify';
import { FetchError } from 'aws-jwt-verify/error';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { type Env, tokenIssuer } from '#shared/config/env.js';
import { BoundedCache } from '#shared/platform/bounded-cache.js';
import { isDependencyFailure, unavailable } from '#shared/platform/dependency-guard.js';

export interface AccessClaims {
  sub: string;
  /** The Cognito username; Gatehouse creates users with the normalized email as username. */
  username: string;
  /** Original sign-in time (epoch seconds); Cognito keeps it across refresh. */
  authTime: number;
  clientId: string;
  /** `exp` (epoch seconds): the token is refused from this second on. */
  expiresAt: number;
}

export interface AccessTokenVerifier {
  verify(token: string): Promise<AccessClaims>;
}

/** A token that verified cryptographically but is not a usable access token. */
export class TokenRejectedError extends Error {}

function claimsFrom(payload: Record<string, unknown>): AccessClaims {
  const { sub, username, auth_time: authTime, client_id: clientId, exp } = payload;
  if (typeof sub !== 'string' || !sub) throw new TokenRejectedError('missing sub');
  // aws-jwt-verify checks `exp` only when it is there: a token without one would never expire.
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new TokenRejectedError('missing exp');
  if (typeof authTime !== 'number') throw new TokenRejectedError('missing auth_time');
  return {
    sub,
    username: typeof username === 'string' ? username : '',
    authTime,
    clientId: String(clientId ?? ''),
    expiresAt: exp,
  };
}

export interface VerifierOptions {
  issuer: string;
  /** The app client (or clients) whose access tokens are accepted. */
  clientId: string | readonly string[];
  /** Where to fetch keys; for an http (local) issuer the keys must be passed in `jwks`. */
  jwksUri?: string;
  /** Pre-fetched keys, for issuers aws-jwt-verify will not fetch from (cognito-local is http). */
  jwks?: Jwks;
  /** For AWS: the user pool id, which selects the CognitoJwtVerifier. */
  userPoolId?: string;
}

/** Builds the verifier; keys are cached across invocations by aws-jwt-verify. */
export function createAccessTokenVerifier(options: VerifierOptions): AccessTokenVerifier {
  const clientIds = typeof options.clientId === 'string' ? [options.clientId] : options.clientId;
  if (options.userPoolId && !options.jwks) {
    const cognito = CognitoJwtVerifier.create({
      userPoolId: options.userPoolId,
      tokenUse: 'access',
      clientId: typeof options.clientId === 'string' ? options.clientId : [...options.clientId],
    });
    return { verify: async (token) => claimsFrom((await cognito.verify(token)) as never) };
  }
  const generic = JwtVerifier.create({
    issuer: options.issuer,
    audience: null,
    jwksUri: options.jwksUri ?? `${options.issuer}/.well-known/jwks.json`,
    customJwtCheck: ({ payload }) => {
      if (payload.token_use !== 'access') throw new TokenRejectedError('not an access token');
      if (!clientIds.includes(String(payload.client_id))) {
        throw new TokenRejectedError('wrong client');
      }
    },
  });
  if (options.jwks) generic.cacheJwks(options.jwks);
  return {
    verify: async (token) => claimsFrom((await generic.verify(token)) as Record<string, unknown>),
  };
}

/** How many verified tokens a warm container remembers (a few hundred bytes each). */
export const VERIFIED_TOKEN_CACHE_ENTRIES = 2000;

/**
 * Remembers the tokens `inner` verified, by the SHA-256 of the token, until their `exp`: the same
 * token sent again within its lifetime skips the signature check (an RSA verification and two
 * JSON parses per request). Only the cryptographic check is remembered, never a decision: forced
 * logout, sign-out everywhere, a removed or disabled membership and revoked permissions are read
 * from the table on every request after this, exactly as for a token seen for the first time. A
 * refused token is never remembered. `nowMs` is the clock expiry is judged by.
 */
export function withVerifiedTokenCache(
  inner: AccessTokenVerifier,
  options: { nowMs?: () => number; maxEntries?: number } = {},
): AccessTokenVerifier {
  const nowMs = options.nowMs ?? Date.now;
  const verified = new BoundedCache<string, AccessClaims>(
    options.maxEntries ?? VERIFIED_TOKEN_CACHE_ENTRIES,
    Number.MAX_SAFE_INTEGER,
    () => 1,
  );
  return {
    verify: async (token) => {
      const key = createHash('sha256').update(token).digest('base64url');
      const known = verified.get(key);
      if (known && nowMs() < known.expiresAt * 1000) return known;
      verified.delete(key);
      const claims = await inner.verify(token);
      if (nowMs() < claims.expiresAt * 1000) verified.set(key, claims);
      return claims;
    },
  };
}

/**
 * The verifier of the configured user pool, as the authorizer and the accept route both use it
 * (with the verified-token cache above): against an http issuer (cognito-local, which
 * aws-jwt-verify will not fetch from) the JWKS is fetched once here and cached in the verifier.
 */
export async function verifierFromEnv(env: Env): Promise<AccessTokenVerifier> {
  const issuer = tokenIssuer(env);
  const local = issuer.startsWith('http:');
  const jwksUri = env.JWKS_URI ?? `${issuer}/.well-known/jwks.json`;
  return withVerifiedTokenCache(
    createAccessTokenVerifier({
      issuer,
      clientId: appClientIds(env),
      jwksUri,
      ...(local ? { jwks: await fetchJwks(jwksUri) } : { userPoolId: env.USER_POOL_ID }),
    }),
  );
}

/** The accepted app clients: USER_POOL_CLIENT_IDS (comma-separated) or USER_POOL_CLIENT_ID. */
export function appClientIds(env: Env): string[] {
  const list = env.USER_POOL_CLIENT_IDS?.split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  return list?.length ? list : [env.USER_POOL_CLIENT_ID];
}

/** The token of an `Authorization: Bearer <token>` header; undefined for any other value. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
}

/** Fetches a JWKS over plain http (local emulators only). */
export async function fetchJwks(uri: string): Promise<Jwks> {
  const res = await fetch(uri);
  if (!res.ok) throw new Error(`JWKS fetch failed: ${res.status}`);
  return (await res.json()) as Jwks;
}

/**
 * Whether a verification failed because the signing keys could not be fetched (Cognito or the
 * network is down), as opposed to a token being refused: an outage (503), not a 401.
 */
export function isJwksUnavailable(error: unknown): boolean {
  return error instanceof FetchError || isDependencyFailure(error);
}

/**
 * The claims of `token`, or undefined when it is refused. When the signing keys could not be
 * fetched nothing was decided about the token: that is an outage (UnavailableError, 503), never
 * a 401 telling the caller to sign in again.
 */
export async function verifiedClaims(
  verifier: AccessTokenVerifier,
  token: string,
): Promise<AccessClaims | undefined> {
  try {
    return await verifier.verify(token);
  } catch (error) {
    if (isJwksUnavailable(error)) throw unavailable('Cognito JWKS', error);
    return undefined;
  }
}
