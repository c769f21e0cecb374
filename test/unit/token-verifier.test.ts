/**
 * The access-token verifier refuses what aws-jwt-verify lets through by default: a token
 * without `exp` would never expire. Signed with a local test key; no network.
 */
import { describe, expect, it } from 'vitest';
import { appClientIds, createAccessTokenVerifier } from '#shared/auth/token-verifier.js';
import { loadEnv } from '#shared/config/env.js';
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

describe('several app clients', () => {
  const several = createAccessTokenVerifier({
    issuer,
    clientId: ['client-console', clientId],
    jwksUri: `${issuer}/.well-known/jwks.json`,
    jwks: key.jwks,
  });

  it('accepts the tokens of every listed client and refuses any other', async () => {
    for (const id of ['client-console', clientId]) {
      const token = key.sign(accessTokenClaims(issuer, id));
      await expect(several.verify(token)).resolves.toMatchObject({ clientId: id });
    }
    const other = key.sign(accessTokenClaims(issuer, 'client-elsewhere'));
    await expect(several.verify(other)).rejects.toThrow(/wrong client/);
    // and the one-client verifier still refuses the second client
    const console = key.sign(accessTokenClaims(issuer, 'client-console'));
    await expect(verifier.verify(console)).rejects.toThrow(/wrong client/);
  });

  it('reads the list from USER_POOL_CLIENT_IDS, or the single USER_POOL_CLIENT_ID', () => {
    expect(
      appClientIds(loadEnv({ USER_POOL_CLIENT_IDS: 'a, b,,c', USER_POOL_CLIENT_ID: 'x' })),
    ).toEqual(['a', 'b', 'c']);
    expect(appClientIds(loadEnv({ USER_POOL_CLIENT_ID: 'x' }))).toEqual(['x']);
  });
});
