/**
 * Rules 5 and 10 from the outside: an invite token is random (>= 256 bits), stored only as a
 * hash (nowhere in the table once the mail is out, nor in any response or audit event), every
 * unusable token gets the same answer (no oracle for used/revoked/replaced), expiry follows the
 * tenant's inviteTtlHours and the DynamoDB TTL attribute sits 30 days after expiresAt.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GoneError } from '#shared/errors/domain-errors.js';
import { getInvite, listInvites, lookupInvite } from '#shared/invites/invite-service.js';
import { fixedClock } from '#shared/platform/clock.js';
import { domainDeps } from '../support/domain-deps.js';
import { tokenOf, waitForMails } from '../support/mail-store.js';
import {
  api,
  createTenantWithOwner,
  createUser,
  type TestUser,
  uniqueEmail,
} from '../support/stack-client.js';
import {
  auditEvents,
  itemAt,
  itemsMentioning,
  partitionItems,
  waitForOutboxDrained,
} from '../support/table-snapshot.js';
import { inviteOne } from '../support/tenant-setup.js';

const DAY_S = 86_400;

const invite = (tenantId: string, owner: TestUser, email = uniqueEmail('sec')) =>
  inviteOne(tenantId, owner, email);

describe('invite tokens', () => {
  it('are 32 random bytes, different for every invite and every resend', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const a = await invite(tenantId, owner);
    const b = await invite(tenantId, owner);
    const resent = await api('POST', `/v1/tenants/${tenantId}/invites/${a.inviteId}/resend`, {
      token: owner.accessToken,
    });
    expect(resent.status).toBe(200);
    const mails = await waitForMails(a.email, 2);
    const c = tokenOf(mails[1] as (typeof mails)[number]);
    for (const token of [a.token, b.token, c]) {
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(32);
    }
    expect(new Set([a.token, b.token, c]).size).toBe(3);
  });

  it('are stored nowhere once the mail is out: only their SHA-256 is, and no response or audit event holds either', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const { inviteId, token } = await invite(tenantId, owner);
    expect(await itemsMentioning(token)).toEqual([]);
    const hash = createHash('sha256').update(token, 'utf8').digest('hex');
    const invites = (await partitionItems(`TENANT#${tenantId}`)).filter(
      (i) => i.inviteId === inviteId,
    );
    expect(JSON.stringify(invites)).toContain(hash);
    const t = `/v1/tenants/${tenantId}`;
    const seen = [
      await api('GET', `${t}/invites/${inviteId}`, { token: owner.accessToken }),
      await api('GET', `${t}/invites`, { token: owner.accessToken }),
      await api('GET', `${t}/audit`, { token: owner.accessToken }),
      await api('POST', '/v1/invites/lookup', { body: { token } }),
    ];
    for (const res of seen) {
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toContain(token);
      expect(JSON.stringify(res.body)).not.toContain(hash);
    }
    expect(JSON.stringify(await auditEvents(tenantId))).not.toContain(token);
  });

  it('answers used, revoked and replaced tokens alike (410, one body), and unknown ones with the same detail', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const invitee = await createUser(uniqueEmail('used'));
    const used = await invite(tenantId, owner, invitee.email);
    const accepted = await api('POST', '/v1/invites/accept', {
      token: invitee.accessToken,
      body: { token: used.token },
    });
    expect(accepted.status).toBe(200);
    const revoked = await invite(tenantId, owner);
    expect(
      (await api('DELETE', `${t}/invites/${revoked.inviteId}`, { token: owner.accessToken }))
        .status,
    ).toBe(204);
    const replaced = await invite(tenantId, owner);
    expect(
      (
        await api('POST', `${t}/invites/${replaced.inviteId}/resend`, {
          token: owner.accessToken,
        })
      ).status,
    ).toBe(200);
    const unknown = Buffer.alloc(32, 9).toString('base64url');

    const answers = [];
    for (const token of [used.token, revoked.token, replaced.token]) {
      for (const path of ['/v1/invites/lookup', '/v1/invites/accept']) {
        const body = path.endsWith('accept') ? { token, password: 'Some-pass-123' } : { token };
        const res = await api('POST', path, { body });
        expect(res.status, `${path} ${token}`).toBe(410);
        answers.push(res.body);
      }
    }
    for (const a of answers) expect(a).toEqual(answers[0]);
    const none = await api('POST', '/v1/invites/lookup', { body: { token: unknown } });
    expect(none.status).toBe(404);
    expect(none.body.detail).toBe(answers[0].detail);
  });
});

describe('invite expiry', () => {
  it("expires after the tenant's inviteTtlHours, with the TTL attribute 30 days after expiresAt, also on resend", async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const patched = await api('PATCH', t, {
      token: owner.accessToken,
      body: { settings: { inviteTtlHours: 5 } },
    });
    expect(patched.status).toBe(200);
    const { inviteId } = await invite(tenantId, owner);
    const read = await api('GET', `${t}/invites/${inviteId}`, { token: owner.accessToken });
    expect(Date.parse(read.body.expiresAt) - Date.parse(read.body.createdAt)).toBe(5 * 3_600_000);
    const ttlOf = async () =>
      Number((await itemAt(`TENANT#${tenantId}`, `INVITE#${inviteId}`))?.ttl);
    const expectedTtl = (expiresAt: string) =>
      Math.floor(Date.parse(expiresAt) / 1000) + 30 * DAY_S;
    expect(await ttlOf()).toBe(expectedTtl(read.body.expiresAt));

    const resent = await api('POST', `${t}/invites/${inviteId}/resend`, {
      token: owner.accessToken,
    });
    expect(resent.status).toBe(200);
    expect(Date.parse(resent.body.expiresAt)).toBeGreaterThanOrEqual(
      Date.parse(read.body.expiresAt),
    );
    expect(await ttlOf()).toBe(expectedTtl(resent.body.expiresAt));
    const after = await api('GET', `${t}/invites/${inviteId}`, { token: owner.accessToken });
    expect(after.body.expiresAt).toBe(resent.body.expiresAt);
    await waitForOutboxDrained(inviteId);
  });
});

describe('expired means expired, on every read', () => {
  it('reads one invite as expired from expiresAt on while DynamoDB still holds it (injected clock)', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const { inviteId, token, expiresAt } = await invite(tenantId, owner);
    const clock = fixedClock(new Date(Date.parse(expiresAt) - 1));
    const deps = domainDeps(clock);
    expect((await getInvite(deps, tenantId, inviteId)).status).toBe('pending');
    await expect(lookupInvite(deps, token)).resolves.toMatchObject({ tenantId });
    clock.set(new Date(expiresAt));
    expect((await getInvite(deps, tenantId, inviteId)).status).toBe('expired');
    await expect(lookupInvite(deps, token)).rejects.toBeInstanceOf(GoneError);
    const expired = await listInvites(deps, tenantId, { limit: 25, status: 'expired' });
    expect(expired.items.map((i) => i.inviteId)).toEqual([inviteId]);
    expect(await itemAt(`TENANT#${tenantId}`, `INVITE#${inviteId}`)).toBeDefined();
  });
});
