/**
 * Rules 17 and consent, as a class: for an address with an account elsewhere and one without,
 * every route that takes an email answers alike (status, fields, shape), writes the same kinds
 * of items and sends the same kind of mail; and no route makes anyone a member without their
 * own act (the person's GET /v1/me does not list the tenant until they accept).
 */
import { describe, expect, it } from 'vitest';
import { mailsTo, type StoredMail, tokenOf, waitForMails } from '../support/mail-store.js';
import {
  type ApiResponse,
  acceptInvite,
  addUser,
  api,
  createTenantWithOwner,
  createUser,
  signIn,
  type TestUser,
  uniqueEmail,
} from '../support/stack-client.js';
import { snapshotTenant } from '../support/table-snapshot.js';

type Json = unknown;

/** The answer with every value that names the person (ids, emails, times) replaced by its kind. */
function shapeOf(value: Json, email: string): Json {
  if (Array.isArray(value)) return value.map((v) => shapeOf(v, email));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, shapeOf(v, email)]),
    );
  }
  if (typeof value === 'string') {
    if (value === email) return '<email>';
    if (/^\d{4}-\d\d-\d\dT/.test(value)) return '<time>';
    return value.split(email).join('<email>');
  }
  return value;
}

const ID_FIELDS = ['userId', 'inviteId'];
function comparable(res: ApiResponse, email: string) {
  const strip = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [k, ID_FIELDS.includes(k) ? '<id>' : strip(x)]),
      );
    return v;
  };
  return { status: res.status, body: shapeOf(strip(res.body), email) };
}

/** The kinds of items (by sort-key prefix and type) that a tenant holds, counted. */
async function itemKinds(tenantId: string) {
  const snap = await snapshotTenant(tenantId);
  const kinds: Record<string, number> = {};
  for (const i of snap.tenant) {
    const k = `${String(i.sk).split('#')[0]}:${String(i.type)}:${String(i.status ?? '')}`;
    kinds[k] = (kinds[k] ?? 0) + 1;
  }
  const actions: Record<string, number> = {};
  for (const e of snap.audit) actions[String(e.action)] = (actions[String(e.action)] ?? 0) + 1;
  return { kinds, actions };
}

function diff(before: Record<string, number>, after: Record<string, number>) {
  const out: Record<string, number> = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const d = (after[k] ?? 0) - (before[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

/** The mail with the person's address, link token and times made generic. */
function mailShape(mail: StoredMail, email: string) {
  const token = tokenOf(mail);
  const norm = (s: string) =>
    s
      .split(email)
      .join('<email>')
      .split(token)
      .join('<token>')
      .replace(/expires on [^.\n<]+/g, 'expires on <time>');
  return { subject: norm(mail.subject), text: norm(mail.body.text), html: norm(mail.body.html) };
}

async function tenantsOf(user: TestUser): Promise<string[]> {
  const me = await api('GET', '/v1/me', { token: user.accessToken });
  expect(me.status).toBe(200);
  return (me.body.tenants as { tenantId: string }[]).map((t) => t.tenantId);
}

describe('no enumeration, no membership without consent (rule 17)', () => {
  it('POST /members answers, writes and mails alike for an address with an account and one without, and adds nobody', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    // The victim has an account and a tenant of their own elsewhere.
    const elsewhere = await createTenantWithOwner();
    const victim = elsewhere.owner;
    const fresh = uniqueEmail('fresh');
    const t = `/v1/tenants/${tenantId}`;
    const o = { token: owner.accessToken };

    const answers = [];
    const writes = [];
    for (const email of [victim.email, fresh]) {
      const before = await itemKinds(tenantId);
      const res = await api('POST', `${t}/members`, { ...o, body: { email } });
      answers.push(comparable(res, email));
      const after = await itemKinds(tenantId);
      writes.push({
        kinds: diff(before.kinds, after.kinds),
        actions: diff(before.actions, after.actions),
      });
      expect(res.body.userId).not.toBe(victim.userId);
      expect(JSON.stringify(res.body)).not.toContain(victim.userId);
    }
    expect(answers[0]?.status).toBe(201);
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]?.body).toMatchObject({ status: 'pending' });
    expect(writes[0]).toEqual(writes[1]);

    // Consent: the victim is not a member until they act.
    expect(await tenantsOf(victim)).not.toContain(tenantId);
    const [victimMail] = await waitForMails(victim.email);
    const [freshMail] = await waitForMails(fresh);
    if (!victimMail || !freshMail) throw new Error('no mail');
    expect(mailShape(victimMail, victim.email)).toEqual(mailShape(freshMail, fresh));
    await expect(mailsTo(victim.email)).resolves.toHaveLength(1);
  });

  it('every other route that takes an email answers alike, before and after the add, and none makes a member', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const victim = (await createTenantWithOwner()).owner;
    const fresh = uniqueEmail('fresh');
    const t = `/v1/tenants/${tenantId}`;
    const o = { token: owner.accessToken };

    const probes: [string, (email: string) => Promise<ApiResponse>][] = [
      ['GET /members?email=', (e) => api('GET', `${t}/members?email=${encodeURIComponent(e)}`, o)],
      ['POST /logout/{email}', (e) => api('POST', `${t}/logout/${encodeURIComponent(e)}`, o)],
      [
        'POST /check (one)',
        (e) =>
          api('POST', `${t}/check`, { ...o, body: { email: e, resource: 'x:y', action: 'read' } }),
      ],
      [
        'POST /check (batch)',
        (e) =>
          api('POST', `${t}/check`, {
            ...o,
            body: { checks: [{ email: e, resource: 'x:y', action: 'read' }] },
          }),
      ],
    ];
    const compareAll = async (phase: string) => {
      for (const [name, call] of probes) {
        const a = comparable(await call(victim.email), victim.email);
        const b = comparable(await call(fresh), fresh);
        expect(a, `${phase}: ${name}`).toEqual(b);
      }
      expect(await tenantsOf(victim), phase).not.toContain(tenantId);
    };
    await compareAll('before');

    const invited = [];
    for (const email of [victim.email, fresh]) {
      const before = await itemKinds(tenantId);
      const res = await api('POST', `${t}/invites`, { ...o, body: { emails: [email] } });
      const after = await itemKinds(tenantId);
      invited.push({ res: comparable(res, email), kinds: diff(before.kinds, after.kinds) });
    }
    expect(invited[0]).toEqual(invited[1]);
    expect(await tenantsOf(victim)).not.toContain(tenantId);
    await compareAll('invited');

    // Revoke those invites, then add both directly: pending members, still not members.
    const list = await api('GET', `${t}/invites?status=pending`, o);
    for (const inv of list.body.items as { inviteId: string }[])
      expect((await api('DELETE', `${t}/invites/${inv.inviteId}`, o)).status).toBe(204);
    for (const email of [victim.email, fresh])
      expect((await api('POST', `${t}/members`, { ...o, body: { email } })).status).toBe(201);
    await compareAll('pending');
  });

  it('a pending member gets grants in advance, counts for nothing, and becomes active with them only by accepting', async () => {
    const { tenantId, t, as: o } = await createTenantWithOwner();
    const person = await createUser(uniqueEmail('consents'));
    const added = await api('POST', `${t}/members`, { ...o, body: { email: person.email } });
    expect(added.status).toBe(201);
    const pendingId = String(added.body.userId);
    expect(added.body.status).toBe('pending');

    // Grants in advance through the ordinary member routes.
    const bind = await api('PUT', `${t}/members/${pendingId}/roles/owner`, { ...o, body: {} });
    expect(bind.status).toBe(200);
    expect(
      (await api('POST', `${t}/groups`, { ...o, body: { groupId: 'ops', name: 'Ops' } })).status,
    ).toBe(201);
    expect((await api('PUT', `${t}/groups/ops/members/${pendingId}`, o)).status).toBe(204);
    const listed = await api('GET', `${t}/members?email=${encodeURIComponent(person.email)}`, o);
    expect(listed.body.items).toMatchObject([{ userId: pendingId, status: 'pending' }]);
    const detail = await api('GET', `${t}/members/${pendingId}`, o);
    expect(detail.body.status).toBe('pending');
    expect(detail.body.roles).toContainEqual({ roleId: 'owner' });

    // Checks treat them as not yet a member; an owner-role pending member is no superuser.
    const check = await api('POST', `${t}/check`, {
      ...o,
      body: { userId: pendingId, resource: 'gatehouse:superuser', action: 'full' },
    });
    expect(check.status).toBe(404);
    expect((await api('GET', `${t}/members`, { token: person.accessToken })).status).toBe(404);
    expect(await tenantsOf(person)).not.toContain(tenantId);
    // Activation is the person's act only.
    const patch = await api('PATCH', `${t}/members/${pendingId}`, {
      ...o,
      body: { status: 'active' },
    });
    expect(patch.status).toBe(409);

    const [mail] = await waitForMails(person.email);
    if (!mail) throw new Error('no invitation mail');
    const accepted = await acceptInvite(tokenOf(mail), person);
    expect(accepted.status).toBe(200);
    expect(accepted.body.userId).toBe(person.userId);
    expect(await tenantsOf(person)).toContain(tenantId);
    const active = await api('GET', `${t}/members/${person.userId}`, o);
    expect(active.body.status).toBe('active');
    expect(active.body.roles).toContainEqual({ roleId: 'owner' });
    expect(active.body.groups).toContain('ops');
    expect((await api('GET', `${t}/members/${pendingId}`, o)).status).toBe(404);
    expect((await api('GET', `${t}/members`, { token: person.accessToken })).status).toBe(200);
  });

  it('a new address accepts by choosing a password; its account exists only from then', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const email = uniqueEmail('newcomer');
    const added = await api('POST', `/v1/tenants/${tenantId}/members`, {
      token: owner.accessToken,
      body: { email, roles: ['admin'] },
    });
    expect(added.status).toBe(201);
    await expect(signIn(email, 'Whatever-pass-123')).rejects.toThrow();
    const [mail] = await waitForMails(email);
    if (!mail) throw new Error('no mail');
    const password = 'Chosen-pass-123';
    const res = await api('POST', '/v1/invites/accept', {
      body: { token: tokenOf(mail), password },
    });
    expect(res.status).toBe(201);
    const tokens = await signIn(email, password);
    const me = await api('GET', '/v1/me', { token: tokens.accessToken });
    expect(me.body.tenants.map((x: { tenantId: string }) => x.tenantId)).toContain(tenantId);
    const self = await api('GET', `/v1/tenants/${tenantId}/members/${res.body.userId}`, {
      token: owner.accessToken,
    });
    expect(self.body.status).toBe('active');
    expect(self.body.roles).toContainEqual({ roleId: 'admin' });
  });

  it('the test helper addUser still yields an active member (accepting through the mail)', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const user = await addUser(tenantId, owner.accessToken);
    expect(await tenantsOf(user)).toContain(tenantId);
  });
});
