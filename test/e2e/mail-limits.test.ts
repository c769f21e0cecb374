/**
 * Rule 16, mail limits: invites and mails per tenant per hour and per day (low for a new
 * tenant), raised only by an operator; reaching one is a 429 naming it with Retry-After and
 * nothing written; the count holds under concurrency and resends count. Tenant creation is
 * capped per person per day.
 */
import { describe, expect, it } from 'vitest';
import { setTenantLimits } from '#shared/limits/mail-limits.js';
import { domainDeps } from '../support/domain-deps.js';
import { mailsTo, waitForMails } from '../support/mail-store.js';
import {
  api,
  createTenantWithOwner,
  createUser,
  uniqueEmail,
  uniqueId,
} from '../support/stack-client.js';
import { snapshotTenant } from '../support/table-snapshot.js';

const deps = domainDeps();
const emails = (n: number, tag: string) => Array.from({ length: n }, () => uniqueEmail(tag));

async function pendingInvites(tenantId: string, token: string): Promise<number> {
  let n = 0;
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const res = await api('GET', `/v1/tenants/${tenantId}/invites?limit=100${q}`, { token });
    n += res.body.items.length;
    cursor = res.body.nextCursor;
  } while (cursor);
  return n;
}

describe('mail limits per tenant (rule 16)', () => {
  it('300 invites in a few seconds hit the limit of a new tenant: 429 naming it, Retry-After, nothing written', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const before = await snapshotTenant(tenantId);
    const batches = await Promise.all(
      [0, 1, 2].map(() =>
        api('POST', `${t}/invites`, {
          token: owner.accessToken,
          body: { emails: emails(100, 'flood'), message: 'Hello' },
        }),
      ),
    );
    for (const res of batches) {
      expect(res.status).toBe(429);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(res.body.limit).toMatch(/^mailsPer(Hour|Day)$/);
      expect(res.body.detail).toMatch(/mails? per (hour|day)/);
    }
    expect(await snapshotTenant(tenantId)).toEqual(before);
  });

  it('counts under concurrency: 40 single invites at once leave exactly the hourly limit written', async () => {
    const { tenantId, owner, t } = await createTenantWithOwner();
    const results = await Promise.all(
      emails(40, 'race').map((email) =>
        api('POST', `${t}/invites`, { token: owner.accessToken, body: { emails: [email] } }),
      ),
    );
    const ok = results.filter((r) => r.status === 200).length;
    const limited = results.filter((r) => r.status === 429);
    const limit = Number(limited[0]?.body.max);
    expect(limit).toBeGreaterThan(0);
    expect(limit).toBeLessThan(40);
    expect(ok).toBe(limit);
    expect(limited).toHaveLength(40 - limit);
    expect(await pendingInvites(tenantId, owner.accessToken)).toBe(limit);
  });

  it('counts resends and direct adds, and an operator raises the limit (tenant admins cannot)', async () => {
    const { tenantId, t, as: o } = await createTenantWithOwner();
    await setTenantLimits(deps, tenantId, { mailsPerHour: 3, mailsPerDay: 10 });
    const first = await api('POST', `${t}/invites`, { ...o, body: { emails: [uniqueEmail('r')] } });
    expect(first.status).toBe(200);
    const resend = `${t}/invites/${first.body.results[0].inviteId}/resend`;
    expect((await api('POST', resend, o)).status).toBe(200);
    expect(
      (await api('POST', `${t}/members`, { ...o, body: { email: uniqueEmail('m') } })).status,
    ).toBe(201);
    const over = await api('POST', resend, o);
    expect(over.status).toBe(429);
    expect(over.body.limit).toBe('mailsPerHour');
    const add = await api('POST', `${t}/members`, { ...o, body: { email: uniqueEmail('m') } });
    expect(add.status).toBe(429);
    // Not a tenant setting: PATCH refuses it.
    const patch = await api('PATCH', t, { ...o, body: { settings: { mailsPerHour: 1000 } } });
    expect(patch.status).toBe(400);
    await setTenantLimits(deps, tenantId, { mailsPerHour: 1000, mailsPerDay: 5000 });
    expect((await api('POST', resend, o)).status).toBe(200);
  });

  it('the mail sent keeps the real link first and the message as the inviter words; a link in the message is a 400', async () => {
    const { owner, t } = await createTenantWithOwner();
    const spoof = await api('POST', `${t}/invites`, {
      token: owner.accessToken,
      body: {
        emails: [uniqueEmail('phish')],
        message: 'Security Team - action required: https://evil.example/accept?token=x',
      },
    });
    expect(spoof.status).toBe(400);
    expect(spoof.body.errors[0].path).toBe('body.message');
    const email = uniqueEmail('honest');
    const res = await api('POST', `${t}/invites`, {
      token: owner.accessToken,
      body: { emails: [email], message: 'Security Team - action required' },
    });
    expect(res.status).toBe(200);
    const [mail] = await waitForMails(email);
    if (!mail) throw new Error('no mail');
    expect(mail.subject).toBe('Invitation to join "Test tenant" on Gatehouse');
    const link = mail.body.text.search(/https?:\/\/\S+token=/);
    expect(link).toBeGreaterThan(-1);
    expect(link).toBeLessThan(mail.body.text.indexOf('Security Team'));
    expect(mail.body.text).toContain(`Message from ${owner.email}`);
    expect(mail.body.text).toContain('> Security Team - action required');
    expect(await mailsTo(email)).toHaveLength(1);
  });
});

describe('tenant creation per person (rule 16)', () => {
  it('caps how many tenants one person creates per day with a 429 naming the limit', async () => {
    const user = await createUser(uniqueEmail('founder'));
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof api>> | undefined;
    for (let i = 0; i < 12 && !limited; i++) {
      const res = await api('POST', '/v1/tenants', {
        token: user.accessToken,
        body: { tenantId: uniqueId('cap'), name: 'Capped' },
      });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(limited, `statuses ${statuses.join(',')}`).toBeDefined();
    expect(limited?.body.limit).toBe('tenantsPerDay');
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(10);
  });
});
