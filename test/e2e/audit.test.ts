/** The audit listing over HTTP: newest first, actor and target filters, since, pagination, permission. */
import { describe, expect, it } from 'vitest';
import {
  api,
  createTenantWithOwner,
  createUser,
  joinAsAdded,
  uniqueId,
} from '../support/stack-client.js';

interface Event {
  eventId: string;
  at: string;
  actor: string;
  action: string;
  target: string;
}

describe('GET /v1/tenants/{tenantId}/audit', () => {
  it('lists events newest first, filtered by actor and target, across pages', async () => {
    const { owner, t } = await createTenantWithOwner();
    const groupIds = [uniqueId('g1'), uniqueId('g2'), uniqueId('g3')];
    for (const groupId of groupIds) {
      const res = await api('POST', `${t}/groups`, {
        token: owner.accessToken,
        body: { groupId, name: 'G' },
      });
      expect(res.status).toBe(201);
    }
    const user = await createUser();
    await api('POST', `${t}/members`, { token: owner.accessToken, body: { email: user.email } });

    const all = await api('GET', `${t}/audit`, { token: owner.accessToken });
    expect(all.status).toBe(200);
    // An add is a pending member plus its invite: two events of one transaction.
    const events: Event[] = all.body.items.filter((e: Event) => e.action !== 'invite.create');
    expect(events.map((e) => e.action)).toEqual([
      'member.add',
      'group.create',
      'group.create',
      'group.create',
      'tenant.create',
    ]);
    const keys = events.map((e) => `${e.at}#${e.eventId}`);
    expect(keys).toEqual([...keys].sort().reverse());
    expect(events[1]?.target).toBe(`group:${groupIds[2]}`);

    const byTarget = await api('GET', `${t}/audit?target=group:${groupIds[0]}`, {
      token: owner.accessToken,
    });
    expect(byTarget.body.items).toEqual([
      expect.objectContaining({
        action: 'group.create',
        actor: owner.userId,
        target: `group:${groupIds[0]}`,
      }),
    ]);
    const byActor = await api('GET', `${t}/audit?actor=${owner.userId}`, {
      token: owner.accessToken,
    });
    expect(byActor.body.items).toHaveLength(6);
    const byOther = await api('GET', `${t}/audit?actor=${user.userId}`, {
      token: owner.accessToken,
    });
    expect(byOther.body.items).toEqual([]);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `limit=2&cursor=${cursor}` : 'limit=2';
      const page = await api('GET', `${t}/audit?${q}`, { token: owner.accessToken });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((e: Event) => e.eventId));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(all.body.items.map((e: Event) => e.eventId));
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('keeps only events at or after since', async () => {
    const { owner, t } = await createTenantWithOwner();
    const first = await api('GET', `${t}/audit`, { token: owner.accessToken });
    const createdAt: string = first.body.items[0].at;
    const since = new Date(Date.parse(createdAt) + 1).toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await api('POST', `${t}/groups`, {
      token: owner.accessToken,
      body: { groupId: uniqueId('g'), name: 'G' },
    });
    const res = await api('GET', `${t}/audit?since=${since}`, { token: owner.accessToken });
    expect(res.body.items.map((e: Event) => e.action)).toEqual(['group.create']);
    const bad = await api('GET', `${t}/audit?since=yesterday`, { token: owner.accessToken });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('query.since');
  });

  it('rejects a cursor from another tenant', async () => {
    const a = await createTenantWithOwner();
    const b = await createTenantWithOwner();
    await api('POST', `/v1/tenants/${a.tenantId}/groups`, {
      token: a.owner.accessToken,
      body: { groupId: uniqueId('g'), name: 'G' },
    });
    const page = await api('GET', `/v1/tenants/${a.tenantId}/audit?limit=1`, {
      token: a.owner.accessToken,
    });
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const stolen = await api(
      'GET',
      `/v1/tenants/${b.tenantId}/audit?cursor=${page.body.nextCursor}`,
      {
        token: b.owner.accessToken,
      },
    );
    expect(stolen.status).toBe(400);
    expect(stolen.body.errors[0].path).toBe('query.cursor');
  });

  it('answers 403 to a member without gatehouse:audit read, 404 to an outsider', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const user = await createUser();
    expect(
      (await api('GET', `/v1/tenants/${tenantId}/audit`, { token: user.accessToken })).status,
    ).toBe(404);
    await joinAsAdded(tenantId, owner.accessToken, user);
    expect(
      (await api('GET', `/v1/tenants/${tenantId}/audit`, { token: user.accessToken })).status,
    ).toBe(403);
  });
});
