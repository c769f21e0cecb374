/**
 * Issue 17, bulk invite in a few requests: one answer per address in the order given for a
 * mixed batch, exactly one pending invite, audit event and mail per address when bulk invites
 * of overlapping addresses race, the per-address answer when another invite takes an address
 * between the read and the write, and the mail limits counted exactly by grouped transactions.
 */
import { describe, expect, it } from 'vitest';
import { createInvites } from '#shared/invites/invite-service.js';
import { setTenantLimits } from '#shared/limits/mail-limits.js';
import { keys } from '#shared/store/keys.js';
import { mailSuppressionPut } from '#shared/store/records/mail-suppression-record.js';
import { memberItem } from '#shared/store/records/member-record.js';
import type { Table } from '#shared/store/table.js';
import { domainDeps } from '../support/domain-deps.js';
import { mailsTo } from '../support/mail-store.js';
import {
  api,
  createTenantWithOwner,
  type OwnedTenant,
  uniqueEmail,
  uniqueId,
} from '../support/stack-client.js';
import {
  auditEvents,
  itemAt,
  partitionItems,
  snapshotTenant,
  waitForOutboxDrained,
} from '../support/table-snapshot.js';

const deps = domainDeps();

interface Result {
  email: string;
  status: string;
  inviteId?: string;
  expiresAt?: string;
}

const emails = (n: number, tag: string) => Array.from({ length: n }, () => uniqueEmail(tag));

/** Mails the tenant counted in its hourly counters (the sum: a test may cross an hour). */
async function mailsCountedThisHour(tenantId: string): Promise<number> {
  const counters = await partitionItems(keys.mailCounter(tenantId, '').pk);
  // A fresh tenant's every hour counter: a test that crosses the hour counts in two.
  return counters
    .filter((c) => String(c.sk).startsWith('MAILS#H#'))
    .reduce((sum, c) => sum + Number(c.sent ?? 0), 0);
}

/** The tenant's pending invites (all pages), by email. */
async function pendingByEmail(o: OwnedTenant): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const res = await api('GET', `${o.t}/invites?status=pending&limit=100${q}`, o.as);
    for (const i of res.body.items as { email: string; inviteId: string }[]) {
      out.set(i.email, [...(out.get(i.email) ?? []), i.inviteId]);
    }
    cursor = res.body.nextCursor;
  } while (cursor);
  return out;
}

/** How many mails reached each address, once each has one (or the time is up). */
async function mailCounts(addresses: string[], timeoutMs: number): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await Promise.all(addresses.map(async (e) => (await mailsTo(e)).length));
    if (counts.every((n) => n > 0) || Date.now() > deadline) {
      return new Map(addresses.map((e, i) => [e, counts[i] ?? 0]));
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The `invite.create` audit events of the tenant, by invite id. */
async function createEvents(tenantId: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const e of await auditEvents(tenantId)) {
    if (e.action !== 'invite.create') continue;
    const id = String(e.target).replace(/^invite:/, '');
    out.set(id, (out.get(id) ?? 0) + 1);
  }
  return out;
}

describe('bulk invite, grouped', () => {
  it('answers a mixed batch per address in order: new, already invited, members (pending, active, from before the uniqueness item), suppressed, invalid, one answer for two spellings', async () => {
    const o = await createTenantWithOwner();
    const fresh = uniqueEmail('fresh');
    const other = uniqueEmail('other');
    const prior = uniqueEmail('prior');
    const pending = uniqueEmail('pending');
    const bounced = uniqueEmail('bounced');
    const legacy = uniqueEmail('legacy');
    const first = await api('POST', `${o.t}/invites`, { ...o.as, body: { emails: [prior] } });
    const priorInvite = first.body.results[0] as Result;
    expect(priorInvite.status).toBe('invited');
    expect(
      (await api('POST', `${o.t}/members`, { ...o.as, body: { email: pending } })).status,
    ).toBe(201);
    // What a hard bounce leaves (mail-events.test.ts provokes a real one).
    const suppression = mailSuppressionPut({
      tenantId: o.tenantId,
      email: bounced,
      reason: 'bounced',
      at: new Date().toISOString(),
      inviteId: 'earlier',
    });
    if (!('put' in suppression)) throw new Error('a suppression is a put');
    await deps.table.put(suppression.put);
    // A member written before the email uniqueness item existed: only the byEmail index lists it.
    await deps.table.put(
      memberItem({
        tenantId: o.tenantId,
        userId: uniqueId('legacy'),
        email: legacy,
        status: 'active',
        joinedAt: new Date().toISOString(),
        groups: [],
        roles: [],
        rules: [],
        sessionsValidAfter: 0,
        superuser: false,
        version: 1,
        incarnation: '',
      }),
    );
    expect(await itemAt(`TENANT#${o.tenantId}`, `MEMBEREMAIL#${legacy}`)).toBeUndefined();
    const countedBefore = await mailsCountedThisHour(o.tenantId);

    const res = await api('POST', `${o.t}/invites`, {
      ...o.as,
      body: {
        emails: [
          fresh.toUpperCase(),
          other,
          prior,
          o.owner.email,
          pending,
          bounced,
          'not-an-email',
          legacy,
          fresh,
        ],
      },
    });
    expect(res.status).toBe(200);
    const results = res.body.results as Result[];
    expect(results.map((r) => [r.email, r.status])).toEqual([
      [fresh, 'invited'],
      [other, 'invited'],
      [prior, 'already_invited'],
      [o.owner.email, 'already_member'],
      [pending, 'already_member'],
      [bounced, 'suppressed'],
      ['not-an-email', 'invalid'],
      [legacy, 'already_member'],
    ]);
    expect(results[2]).toEqual({ ...priorInvite, status: 'already_invited' });
    // Two new mails counted, each new invite audited once, each new address mailed once.
    expect(await mailsCountedThisHour(o.tenantId)).toBe(countedBefore + 2);
    const events = await createEvents(o.tenantId);
    for (const r of results.slice(0, 2)) expect(events.get(String(r.inviteId))).toBe(1);
    for (const r of results.slice(0, 2)) await waitForOutboxDrained(String(r.inviteId));
    expect(await mailsTo(fresh)).toHaveLength(1);
    expect(await mailsTo(other)).toHaveLength(1);
    expect(await mailsTo(prior)).toHaveLength(1);
    expect(await mailsTo(bounced)).toHaveLength(0);
    expect(await mailsTo(legacy)).toHaveLength(0);
    const open = await pendingByEmail(o);
    expect(open.get(fresh)).toEqual([results[0]?.inviteId]);
    expect(open.has(legacy)).toBe(false);
  });

  it('gives each address one pending invite, one audit event, one count and one mail when three bulk invites of overlapping addresses race', async () => {
    const o = await createTenantWithOwner();
    await setTenantLimits(deps, o.tenantId, { mailsPerHour: 1000, mailsPerDay: 5000 });
    const all = emails(30, 'race');
    // Each address is in two or three of the requests, in other orders and spellings.
    const bodies = [
      all.slice(0, 20),
      all
        .slice(10)
        .reverse()
        .map((e) => e.toUpperCase()),
      [...all.slice(20), ...all.slice(0, 10)].map((e) => ` ${e} `),
    ];
    const responses = await Promise.all(
      bodies.map((list) => api('POST', `${o.t}/invites`, { ...o.as, body: { emails: list } })),
    );
    for (const r of responses) expect(r.status).toBe(200);
    const answers = new Map<string, Result[]>();
    for (const r of responses) {
      for (const a of r.body.results as Result[]) {
        answers.set(a.email, [...(answers.get(a.email) ?? []), a]);
      }
    }
    expect([...answers.keys()].sort()).toEqual([...all].sort());
    const winners = new Map<string, string>();
    for (const [email, list] of answers) {
      expect(list.length).toBeGreaterThanOrEqual(2);
      const invited = list.filter((a) => a.status === 'invited');
      expect(invited, email).toHaveLength(1);
      const id = String(invited[0]?.inviteId);
      for (const a of list) {
        expect(['invited', 'already_invited']).toContain(a.status);
        expect(a.inviteId).toBe(id);
      }
      winners.set(email, id);
    }
    const open = await pendingByEmail(o);
    for (const [email, id] of winners) expect(open.get(email)).toEqual([id]);
    expect(await mailsCountedThisHour(o.tenantId)).toBe(30);
    const events = await createEvents(o.tenantId);
    expect(events.size).toBe(30);
    for (const id of winners.values()) expect(events.get(id)).toBe(1);
    // The shared local mailer sends 10 mails a second for every test file, and a failed send
    // waits for the re-drive: give the mails time, then every address has exactly one.
    const mails = await mailCounts(all, 150_000);
    for (const email of all) expect(mails.get(email), email).toBe(1);
  }, 240_000);

  it('answers already_invited for addresses another invite takes between the read and the write, and writes the rest of every group', async () => {
    const o = await createTenantWithOwner();
    await setTenantLimits(deps, o.tenantId, { mailsPerHour: 1000, mailsPerDay: 5000 });
    const caller = { userId: o.owner.userId, email: o.owner.email };
    const batch = emails(40, 'mid');
    // In the first and the third transaction (19, 19 and 2 addresses).
    const taken = [batch[3], batch[25], batch[39]] as string[];
    let competitor: Result[] = [];
    // The competing invite runs once the batch has read every address and before it writes:
    // a real write on DynamoDB Local, so the batch's email-lock conditions fail for these.
    const racing: Table = Object.create(deps.table);
    racing.transactOrFailed = async (items) => {
      if (competitor.length === 0) {
        competitor = (await createInvites(deps, caller, o.tenantId, { emails: taken }))
          .results as Result[];
      }
      return deps.table.transactOrFailed(items);
    };
    const { results } = await createInvites({ ...deps, table: racing }, caller, o.tenantId, {
      emails: batch,
    });
    expect(competitor.map((r) => r.status)).toEqual(['invited', 'invited', 'invited']);
    expect(results.map((r) => r.email)).toEqual(batch);
    for (const [i, r] of results.entries()) {
      const by = competitor.find((c) => c.email === r.email);
      if (by) expect(r).toEqual({ ...by, status: 'already_invited' });
      else expect(r, String(i)).toMatchObject({ status: 'invited', inviteId: expect.any(String) });
    }
    expect(await mailsCountedThisHour(o.tenantId)).toBe(40);
    const open = await pendingByEmail(o);
    expect(open.size).toBe(40);
    for (const email of batch) expect(open.get(email)).toHaveLength(1);
    expect((await createEvents(o.tenantId)).size).toBe(40);
  }, 120_000);

  it('counts a batch over several transactions exactly: the limit is reached, not passed, and a batch past it is a 429 writing nothing', async () => {
    const o = await createTenantWithOwner();
    await setTenantLimits(deps, o.tenantId, { mailsPerHour: 25, mailsPerDay: 1000 });
    const first = await api('POST', `${o.t}/invites`, {
      ...o.as,
      body: { emails: [...emails(20, 'lim'), o.owner.email] },
    });
    expect(first.status).toBe(200);
    expect(first.body.results.filter((r: Result) => r.status === 'invited')).toHaveLength(20);
    expect(await mailsCountedThisHour(o.tenantId)).toBe(20);

    const before = await snapshotTenant(o.tenantId);
    const over = await api('POST', `${o.t}/invites`, { ...o.as, body: { emails: emails(6, 'x') } });
    expect(over.status).toBe(429);
    expect(over.headers.get('content-type')).toContain('application/problem+json');
    expect(over.body.limit).toBe('mailsPerHour');
    expect(await snapshotTenant(o.tenantId)).toEqual(before);
    expect(await mailsCountedThisHour(o.tenantId)).toBe(20);

    const last = emails(5, 'fits');
    const fits = await api('POST', `${o.t}/invites`, { ...o.as, body: { emails: last } });
    expect(fits.status).toBe(200);
    expect(fits.body.results.map((r: Result) => r.status)).toEqual(Array(5).fill('invited'));
    expect(await mailsCountedThisHour(o.tenantId)).toBe(25);
  }, 120_000);
});
