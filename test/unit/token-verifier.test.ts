/**
 * The access-token verifier refuses what aws-jwt-verify lets through by default: a token
 * without `exp` would never expire. Signed with a local test key; no network.
 */
import { describe, expect, it } from 'vitest';
import {
  type AccessTokenVerifier,
  appClientIds,
  createAccessTokenVerifier,
  withVerifiedTokenCache,
} from '#shared/auth/token-verifier.js';
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

describe('verified-token cache', () => {
  /** The real verifier, counting the tokens it was asked to verify. */
  function counted(): AccessTokenVerifier & { calls: number } {
    const counter = {
      calls: 0,
      verify: async (token: string) => {
        counter.calls++;
        return verifier.verify(token);
      },
    };
    return counter;
  }

  it('verifies a token once while it is valid, and refuses it again once it expires', async () => {
    const inner = counted();
    let clock = Date.now();
    const cached = withVerifiedTokenCache(inner, { nowMs: () => clock });
    const exp = now() + 60;
    const token = key.sign(claims({ exp }));
    await expect(cached.verify(token)).resolves.toMatchObject({ sub: 'user-1', expiresAt: exp });
    await expect(cached.verify(token)).resolves.toMatchObject({ sub: 'user-1' });
    expect(inner.calls).toBe(1);
    // At its exp the remembered verification no longer counts: the token is checked again, and
    // the real verifier (on the real clock) refuses it once it has expired.
    clock = exp * 1000;
    await cached.verify(token).catch(() => undefined);
    expect(inner.calls).toBe(2);
  });

  it('never remembers a refused token, nor serves one token for another', async () => {
    const inner = counted();
    const cached = withVerifiedTokenCache(inner);
    const good = key.sign(claims());
    const forged = `${good.slice(0, good.lastIndexOf('.'))}.${'A'.repeat(342)}`;
    await expect(cached.verify(good)).resolves.toMatchObject({ sub: 'user-1' });
    await expect(cached.verify(forged)).rejects.toThrow();
    await expect(cached.verify(forged)).rejects.toThrow();
    const other = key.sign(claims({ sub: 'user-2' }));
    await expect(cached.verify(other)).resolves.toMatchObject({ sub: 'user-2' });
    expect(inner.calls).toBe(4);
  });

  it('stays within its bound, forgetting the least recently used token', async () => {
    const inner = counted();
    const cached = withVerifiedTokenCache(inner, { maxEntries: 2 });
    const [a, b, c] = ['a', 'b', 'c'].map((sub) => key.sign(claims({ sub })));
    for (const token of [a, b, c, c, b]) await cached.verify(token as string);
    expect(inner.calls).toBe(3);
    await cached.verify(a as string);
    expect(inner.calls).toBe(4);
  });
});
