/** Invitations over HTTP: bulk invite, mail through the outbox, lookup, accept, resend, revoke, idempotency. */
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { mailsTo, tokenOf, waitForMails } from '../support/mail-store.js';
import {
  api,
  cognito,
  createTenantWithOwner,
  createUser,
  join,
  signIn,
  stack,
  type TestUser,
  uniqueEmail,
} from '../support/stack-client.js';
import { changeSettings } from '../support/tenant-setup.js';

const invitesOf = (tenantId: string) => `/v1/tenants/${tenantId}/invites`;

async function invite(
  tenantId: string,
  owner: TestUser,
  body: Record<string, unknown>,
  headers = {},
) {
  return api('POST', invitesOf(tenantId), { token: owner.accessToken, body, headers });
}

/** Invites one address and returns the invite id and the token from the delivered mail. */
async function invitedWithToken(tenantId: string, owner: TestUser, email = uniqueEmail('inv')) {
  const res = await invite(tenantId, owner, { emails: [email] });
  expect(res.body.results[0].status).toBe('invited');
  const [mail] = await waitForMails(email);
  if (!mail) throw new Error(`no mail reached ${email}`);
  return { email, inviteId: String(res.body.results[0].inviteId), token: tokenOf(mail), mail };
}

const settle = () => new Promise((r) => setTimeout(r, 1_000));

describe('bulk invite', () => {
  it('parses a separated list and answers per address', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const a = uniqueEmail('a');
    const b = uniqueEmail('b');
    const res = await invite(tenantId, owner, {
      emails: `${a.toUpperCase()}, ${b}\n not-an-email ${a}; ${owner.email}`,
    });
    expect(res.status).toBe(200);
    expect(
      res.body.results.map((r: { email: string; status: string }) => [r.email, r.status]),
    ).toEqual([
      [a, 'invited'],
      [b, 'invited'],
      ['not-an-email', 'invalid'],
      [owner.email, 'already_member'],
    ]);
    expect(res.body.results[0].expiresAt).toEqual(expect.any(String));
    const again = await invite(tenantId, owner, { emails: [b] });
    expect(again.body.results[0]).toMatchObject({ email: b, status: 'already_invited' });
    const list = await api('GET', `${invitesOf(tenantId)}?status=pending`, {
      token: owner.accessToken,
    });
    expect(list.body.items.map((i: { email: string }) => i.email).sort()).toEqual([a, b].sort());
    expect(JSON.stringify(list.body)).not.toContain('tokenHash');
  });

  it('rejects more than 100 addresses naming body.emails and writes nothing', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const emails = Array.from({ length: 101 }, (_, i) => `x${i}@example.test`);
    const res = await invite(tenantId, owner, { emails });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'body.emails' })]);
    const list = await api('GET', invitesOf(tenantId), { token: owner.accessToken });
    expect(list.body.items).toEqual([]);
  });

  it('rejects CR/LF in the message with 400 and sends no mail', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const email = uniqueEmail('inj');
    const res = await invite(tenantId, owner, {
      emails: [email],
      message: 'hi\r\nBcc: victim@example.test',
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe('body.message');
    const arrayInjection = await invite(tenantId, owner, {
      emails: [`${email}\r\nBcc: x@example.test`],
    });
    expect(arrayInjection.status).toBe(400);
    await settle();
    expect(await mailsTo(email)).toEqual([]);
  });

  it('forbids inviting into more than the inviter holds', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const admin = await createUser(uniqueEmail('admin'));
    await join(tenantId, owner.accessToken, admin, ['admin']);
    const email = uniqueEmail('esc');
    const asOwner = await invite(tenantId, admin, { emails: [email], roles: ['owner'] });
    expect(asOwner.status).toBe(403);
    const asSuper = await invite(tenantId, admin, { emails: [email], groups: ['superusers'] });
    expect(asSuper.status).toBe(403);
    const plain = await invite(tenantId, admin, { emails: [email], roles: ['admin'] });
    expect(plain.body.results[0].status).toBe('invited');
  });

  it('replays the first response for a retried Idempotency-Key and sends one mail', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const email = uniqueEmail('idem');
    const headers = { 'idempotency-key': `k-${email}` };
    const first = await invite(tenantId, owner, { emails: [email] }, headers);
    const retry = await invite(tenantId, owner, { emails: [email] }, headers);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(first.body.results[0].status).toBe('invited');
    await waitForMails(email);
    await settle();
    expect(await mailsTo(email)).toHaveLength(1);
    const other = await invite(tenantId, owner, { emails: [uniqueEmail('other')] }, headers);
    expect(other.status).toBe(422);
  });
});

describe('mail and accept', () => {
  it('mails a working link; accepting with a password creates the user, who can sign in', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const { email, inviteId, token, mail } = await invitedWithToken(tenantId, owner);
    expect(mail.subject).toContain('Test tenant');
    expect(mail.body.html).toContain('/accept?token=');
    const lookup = await api('POST', '/v1/invites/lookup', { body: { token } });
    expect(lookup.status).toBe(200);
    expect(lookup.body).toMatchObject({
      tenantId,
      tenantName: 'Test tenant',
      email,
      invitedBy: owner.email,
    });
    const accepted = await api('POST', '/v1/invites/accept', {
      body: { token, password: 'Joined-pass-123' },
    });
    expect(accepted.status).toBe(201);
    expect(accepted.body).toEqual({ tenantId, userId: expect.any(String) });
    const tokens = await signIn(email, 'Joined-pass-123');
    const me = await api('GET', '/v1/me', { token: tokens.accessToken });
    expect(me.body.tenants.map((t: { tenantId: string }) => t.tenantId)).toContain(tenantId);
    const read = await api('GET', `${invitesOf(tenantId)}/${inviteId}`, {
      token: owner.accessToken,
    });
    expect(read.body).toMatchObject({ status: 'accepted', deliveryStatus: 'sent', sendCount: 1 });
    const second = await api('POST', '/v1/invites/accept', {
      body: { token, password: 'Joined-pass-123' },
    });
    expect(second.status).toBe(410);
  });

  it('refuses a password outside the policy with 400 on body.password, creating no one', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const { email, inviteId, token } = await invitedWithToken(tenantId, owner);
    for (const weak of ['short-A1', 'alllowercase-123!', 'NoDigitsHere-!!', 'NoSymbols1234ab']) {
      const res = await api('POST', '/v1/invites/accept', { body: { token, password: weak } });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors).toEqual([expect.objectContaining({ path: 'body.password' })]);
    }
    const found = await cognito
      .send(new AdminGetUserCommand({ UserPoolId: stack.cognito.userPoolId, Username: email }))
      .then(
        () => true,
        () => false,
      );
    expect(found).toBe(false);
    const read = await api('GET', `${invitesOf(tenantId)}/${inviteId}`, {
      token: owner.accessToken,
    });
    expect(read.body.status).toBe('pending');
    // The same link still works with a good password.
    const ok = await api('POST', '/v1/invites/accept', {
      body: { token, password: 'Joined-pass-123' },
    });
    expect(ok.status).toBe(201);
  });

  it('turns 20 concurrent accepts of one token into exactly one membership', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const invitee = await createUser(uniqueEmail('race'));
    const { token } = await invitedWithToken(tenantId, owner, invitee.email);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        api('POST', '/v1/invites/accept', { token: invitee.accessToken, body: { token } }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.every((s) => s === 200 || s === 410 || s === 409)).toBe(true);
    const members = await api('GET', `/v1/tenants/${tenantId}/members?email=${invitee.email}`, {
      token: owner.accessToken,
    });
    expect(members.body.items).toHaveLength(1);
  });

  it('answers 403 to an accept by another account and leaves the invite pending', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const { inviteId, token } = await invitedWithToken(tenantId, owner);
    const stranger = await createUser(uniqueEmail('stranger'));
    const res = await api('POST', '/v1/invites/accept', {
      token: stranger.accessToken,
      body: { token },
    });
    expect(res.status).toBe(403);
    const read = await api('GET', `${invitesOf(tenantId)}/${inviteId}`, {
      token: owner.accessToken,
    });
    expect(read.body.status).toBe('pending');
  });

  it('answers 401 to an invalid bearer and 400 without bearer or password', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const { token } = await invitedWithToken(tenantId, owner);
    const bad = await api('POST', '/v1/invites/accept', { token: 'not.a.jwt', body: { token } });
    expect(bad.status).toBe(401);
    const none = await api('POST', '/v1/invites/accept', { body: { token } });
    expect(none.status).toBe(400);
    expect(none.body.errors[0].path).toBe('body.password');
  });

  it('answers 409 to a password accept for an existing account, setting no password', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const existing = await createUser(uniqueEmail('exists'));
    const { token } = await invitedWithToken(tenantId, owner, existing.email);
    const res = await api('POST', '/v1/invites/accept', {
      body: { token, password: 'Other-pass-123' },
    });
    expect(res.status).toBe(409);
    await expect(signIn(existing.email, 'Other-pass-123')).rejects.toThrow();
    const ok = await api('POST', '/v1/invites/accept', {
      token: existing.accessToken,
      body: { token },
    });
    expect(ok.status).toBe(200);
  });

  it('answers 404 to an unknown token', async () => {
    const res = await api('POST', '/v1/invites/lookup', { body: { token: 'x'.repeat(43) } });
    expect(res.status).toBe(404);
  });
});

describe('resend and revoke', () => {
  it('kills the old link on resend and sends exactly one new mail', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const { email, inviteId, token: oldToken } = await invitedWithToken(tenantId, owner);
    const resent = await api('POST', `${invitesOf(tenantId)}/${inviteId}/resend`, {
      token: owner.accessToken,
    });
    expect(resent.status).toBe(200);
    expect(resent.body.expiresAt).toEqual(expect.any(String));
    const mails = await waitForMails(email, 2);
    await settle();
    expect(await mailsTo(email)).toHaveLength(2);
    const newMail = mails[1];
    if (!newMail) throw new Error('no second mail');
    const newToken = tokenOf(newMail);
    expect(newToken).not.toBe(oldToken);
    expect((await api('POST', '/v1/invites/lookup', { body: { token: oldToken } })).status).toBe(
      410,
    );
    expect((await api('POST', '/v1/invites/lookup', { body: { token: newToken } })).status).toBe(
      200,
    );
    const read = await api('GET', `${invitesOf(tenantId)}/${inviteId}`, {
      token: owner.accessToken,
    });
    expect(read.body.sendCount).toBe(2);
  });

  it('limits resends per hour with 429 and Retry-After', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const res = await invite(tenantId, owner, { emails: [uniqueEmail('spam')] });
    const path = `${invitesOf(tenantId)}/${res.body.results[0].inviteId}/resend`;
    for (let i = 0; i < 5; i++) {
      expect((await api('POST', path, { token: owner.accessToken })).status).toBe(200);
    }
    const limited = await api('POST', path, { token: owner.accessToken });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('takes the resend limit from the tenant settings', async () => {
    const { tenantId, owner, t, as } = await createTenantWithOwner();
    await changeSettings({ t, as }, { maxResendsPerHour: 2 });
    const res = await invite(tenantId, owner, { emails: [uniqueEmail('limited')] });
    const path = `${invitesOf(tenantId)}/${res.body.results[0].inviteId}/resend`;
    for (let i = 0; i < 2; i++) {
      expect((await api('POST', path, { token: owner.accessToken })).status).toBe(200);
    }
    expect((await api('POST', path, { token: owner.accessToken })).status).toBe(429);
  });

  it('answers 410 to an accept after revoke, and 409 to resending it', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const { inviteId, token } = await invitedWithToken(tenantId, owner);
    const revoked = await api('DELETE', `${invitesOf(tenantId)}/${inviteId}`, {
      token: owner.accessToken,
    });
    expect(revoked.status).toBe(204);
    const res = await api('POST', '/v1/invites/accept', {
      body: { token, password: 'Joined-pass-123' },
    });
    expect(res.status).toBe(410);
    const resend = await api('POST', `${invitesOf(tenantId)}/${inviteId}/resend`, {
      token: owner.accessToken,
    });
    expect(resend.status).toBe(409);
    const list = await api('GET', `${invitesOf(tenantId)}?status=revoked`, {
      token: owner.accessToken,
    });
    expect(list.body.items.map((i: { inviteId: string }) => i.inviteId)).toEqual([inviteId]);
  });

  it('deletes the pending invite of a member who is deleted', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const user = await createUser(uniqueEmail('gone'));
    const added = await api('POST', `/v1/tenants/${tenantId}/members`, {
      token: owner.accessToken,
      body: { email: user.email },
    });
    expect(added.status).toBe(201);
    const inviteId = added.body.inviteId;
    const del = await api('DELETE', `/v1/tenants/${tenantId}/members/${added.body.userId}`, {
      token: owner.accessToken,
    });
    expect(del.status).toBe(204);
    const read = await api('GET', `${invitesOf(tenantId)}/${inviteId}`, {
      token: owner.accessToken,
    });
    expect(read.status).toBe(404);
  });
});
