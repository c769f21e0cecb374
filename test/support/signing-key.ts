/** A test RSA signing key and RS256 token minting, for verifiers configured in-test to trust it. */
import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import type { Jwks } from 'aws-jwt-verify/jwk';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export interface SigningKey {
  kid: string;
  /** The public half, as the JWKS a verifier is told to trust. */
  jwks: Jwks;
  /** Signs `payload` with RS256 (or builds an unsigned `alg: none` token). */
  sign(payload: Record<string, unknown>, header?: Record<string, unknown>): string;
}

export function createSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  return {
    kid,
    jwks: { keys: [jwk] } as unknown as Jwks,
    sign(payload, header = {}) {
      const head = { alg: 'RS256', typ: 'JWT', kid, ...header };
      const input = `${b64url(head)}.${b64url(payload)}`;
      if (head.alg === 'none') return `${input}.`;
      const signature = createSign('RSA-SHA256')
        .update(input)
        .sign(privateKey)
        .toString('base64url');
      return `${input}.${signature}`;
    },
  };
}

/**
 * The claims of a Cognito access token from `issuer` for `clientId`, signed in and issued now,
 * valid five minutes; `overrides` replace or remove (undefined) any of them.
 */
export function accessTokenClaims(
  issuer: string,
  clientId: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: 'user-1',
    username: 'user-1@example.test',
    iss: issuer,
    client_id: clientId,
    token_use: 'access',
    auth_time: now,
    iat: now,
    exp: now + 300,
    ...overrides,
  };
}
