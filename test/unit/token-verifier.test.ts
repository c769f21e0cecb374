/**
 * The access-token verifier refuses what aws-jwt-verify lets through by default: a token
 * without `exp` would never expire. Signed with a local test key; no network.
 */
import { describe, expect, it } from 'vitest';
import { createAccessTokenVerifier } from '#shared/auth/token-verifier.js';
import { accessTokenClaims, createSigningKey } from '../support/signing-key.js';

const key = createSigningKey();
const issuer = 'https://issuer.test/pool-verifier';
const clientId = 'client-verifier';
const now = () => Math.floor(Date.now() / 1000);
const claims = (overrides: Record<string, unknown> = {}) =>
  accessTokenClaims(issuer, clientId, overrides);
const verifier = createAccessTokenVerifier({
  issuer,
  clientId,
  jwksUri: `${issuer}/.well-known/jwks.json`,
  jwks: key.jwks,
});

describe('access token verifier', () => {
  it('accepts a well-formed token (the control)', async () => {
    await expect(verifier.verify(key.sign(claims()))).resolves.toMatchObject({ sub: 'user-1' });
  });

  it.each([
    ['without exp', claims({ exp: undefined })],
    ['with exp as a string', claims({ exp: String(now() + 300) })],
    ['with exp null', claims({ exp: null })],
  ])('refuses a token %s', async (_name, payload) => {
    await expect(verifier.verify(key.sign(payload))).rejects.toThrow();
  });
});
