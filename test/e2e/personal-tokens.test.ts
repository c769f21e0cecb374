import { describe, expect, it } from 'vitest';
import {
  addUser,
  api,
  createTenantWithOwner,
  joinAsAdded,
  signInAgain,
  type TestUser,
} from '../support/stack-client.js';
import { tenantItems } from '../support/table-snapshot.js';

const probe = (tenantId: string, token: string) => api('GET', `/v1/tenants/${tenantId}`, { token });

const tokensOf = (tenantId: string, userId: string) =>
  `/v1/tenants/${tenantId}/members/${userId}/tokens`;

async function mint(user: TestUser, tenantId: string, name = 'laptop') {
  const res = await api('POST', tokensOf(tenantId, user.userId), {
    token: user.accessToken,
    body: { name },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { tokenId: string; token: string; tenantId: string; expiresAt: string };
}

describe('personal API tokens', () => {
  it('shows the secret once, stores only its hash, and lists without it', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const minted = await mint(owner, tenantId);
    expect(minted.token).toMatch(/^ghm_[A-Za-z0-9-]+\.[0-9A-Z]{26}_[A-Za-z0-9_-]{43}$/);
    expect(minted.tenantId).toBe(tenantId);

    const listed = await api('GET', '/v1/me/tokens', { token: owner.accessToken });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([
      expect.objectContaining({ tokenId: minted.tokenId, tenantId, status: 'active' }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(minted.token.slice(-43));

    const secret = minted.token.slice(-43);
    const stored = JSON.stringify(await tenantItems(tenantId));
    expect(stored).toContain(minted.tokenId);
    expect(stored).not.toContain(secret);

    const audit = await api('GET', `/v1/tenants/${tenantId}/audit`, { token: owner.accessToken });
    expect(audit.body.items.map((e: { action: string }) => e.action)).toContain(
      'personal-token.create',
    );
  });

  it('carries the member permissions and no more, in its own tenant only', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const other = await createTenantWithOwner();
    const member = await addUser(tenantId, owner.accessToken);
    // The same person is also a member of a second tenant.
    const joined = await joinAsAdded(other.tenantId, other.owner.accessToken, member);
    expect(joined.status).toBe(200);
    const { token } = await mint(member, tenantId);

    expect((await probe(tenantId, token)).status).toBe(200);
    // A plain member may not list members, so neither may their token.
    const members = await api('GET', `/v1/tenants/${tenantId}/members`, { token });
    expect(members.status).toBe(403);
    // Bound to the tenant it was minted for.
    expect((await probe(other.tenantId, token)).status).toBe(401);
    // It cannot mint more tokens, and is not accepted outside tenant routes.
    const more = await api('POST', tokensOf(tenantId, member.userId), {
      token,
      body: { name: 'x' },
    });
    expect(more.status).toBe(403);
    expect((await api('GET', '/v1/me', { token })).status).toBe(401);
    expect((await api('GET', '/v1/me/tokens', { token })).status).toBe(401);
  });

  it('mints only for yourself, in a tenant you belong to, and refuses bad bodies', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const stranger = await createTenantWithOwner();
    const member = await addUser(tenantId, owner.accessToken);
    const elsewhere = await api('POST', tokensOf(stranger.tenantId, owner.userId), {
      token: owner.accessToken,
      body: { name: 'x' },
    });
    expect(elsewhere.status).toBe(404);
    // Not even a superuser mints a token that acts as someone else.
    const forOther = await api('POST', tokensOf(tenantId, member.userId), {
      token: owner.accessToken,
      body: { name: 'x' },
    });
    expect(forOther.status).toBe(403);
    const bad = await api('POST', tokensOf(tenantId, owner.userId), {
      token: owner.accessToken,
      body: { name: 'x', scopes: ['all'] },
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'body.scopes' })]);
    const items = JSON.stringify([
      ...(await tenantItems(tenantId)),
      ...(await tenantItems(stranger.tenantId)),
    ]);
    expect(items).not.toContain('UTOKEN#');
  });

  it('dies with a forced logout, and the old session cannot mint a replacement', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const member = await addUser(tenantId, owner.accessToken);
    const { token } = await mint(member, tenantId);
    expect((await probe(tenantId, token)).status).toBe(200);

    const out = await api('POST', `/v1/tenants/${tenantId}/members/${member.userId}/logout`, {
      token: owner.accessToken,
    });
    expect(out.status).toBe(204);
    const loggedOutAt = Date.now();
    expect((await probe(tenantId, token)).status).toBe(401);

    // The access token from before the logout is still valid at Cognito, but not here.
    const replacement = await api('POST', tokensOf(tenantId, member.userId), {
      token: member.accessToken,
      body: { name: 'again' },
    });
    expect(replacement.status).toBe(401);

    // After a fresh sign-in, a new token works; the old one stays dead.
    const fresh = await signInAgain(member, loggedOutAt);
    const renewed = await mint(fresh, tenantId, 'again');
    expect((await probe(tenantId, renewed.token)).status).toBe(200);
    expect((await probe(tenantId, token)).status).toBe(401);
  });

  it('dies when the membership is disabled or deleted, leaving no token items behind', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const member = await addUser(tenantId, owner.accessToken);
    const { token } = await mint(member, tenantId);
    const path = `/v1/tenants/${tenantId}/members/${member.userId}`;

    const disabled = await api('PATCH', path, {
      token: owner.accessToken,
      body: { status: 'disabled' },
    });
    expect(disabled.status).toBe(200);
    expect((await probe(tenantId, token)).status).toBe(401);
    await api('PATCH', path, { token: owner.accessToken, body: { status: 'active' } });
    // Re-enabling does not bring tokens minted before the disable back.
    expect((await probe(tenantId, token)).status).toBe(401);

    expect((await api('DELETE', path, { token: owner.accessToken })).status).toBe(204);
    expect((await probe(tenantId, token)).status).toBe(401);
    const left = (await tenantItems(tenantId)).filter(
      (i) => String(i.sk).includes(member.userId) && i.type !== 'session-floor',
    );
    expect(left).toEqual([]);
  });

  it('is revoked at once by its owner or by an admin, who can list it', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const member = await addUser(tenantId, owner.accessToken);
    const first = await mint(member, tenantId, 'one');
    const second = await mint(member, tenantId, 'two');
    expect((await probe(tenantId, first.token)).status).toBe(200);

    const own = await api('DELETE', `/v1/me/tokens/${first.tokenId}`, {
      token: member.accessToken,
    });
    expect(own.status).toBe(204);
    expect((await probe(tenantId, first.token)).status).toBe(401);
    expect((await probe(tenantId, second.token)).status).toBe(200);

    const tokensPath = tokensOf(tenantId, member.userId);
    const listed = await api('GET', tokensPath, { token: owner.accessToken });
    expect(listed.status).toBe(200);
    expect(
      Object.fromEntries(
        listed.body.items.map((t: { name: string; status: string }) => [t.name, t.status]),
      ),
    ).toEqual({ one: 'revoked', two: 'active' });

    const byAdmin = await api('DELETE', `${tokensPath}/${second.tokenId}`, {
      token: owner.accessToken,
    });
    expect(byAdmin.status).toBe(204);
    expect((await probe(tenantId, second.token)).status).toBe(401);
    const unknown = await api('DELETE', `/v1/me/tokens/${'0'.repeat(26)}`, {
      token: member.accessToken,
    });
    expect(unknown.status).toBe(404);

    // A plain member cannot list or revoke another member's tokens.
    const peer = await addUser(tenantId, owner.accessToken);
    expect((await api('GET', tokensPath, { token: peer.accessToken })).status).toBe(403);
  });

  it('refuses a tampered secret and a token of another member', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const member = await addUser(tenantId, owner.accessToken);
    const { token } = await mint(member, tenantId);
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect((await probe(tenantId, flipped)).status).toBe(401);
    const swapped = token.replace(member.userId, owner.userId);
    expect((await probe(tenantId, swapped)).status).toBe(401);
  });
});
