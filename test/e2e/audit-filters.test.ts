/**
 * The audit listing's `until` and `action` filters over HTTP: a time range (since inclusive,
 * until exclusive) and one or several actions, applied by the API across cursor pages; bad
 * input (since after until, an unknown action) is a 400 problem naming the field that writes
 * nothing; a member without `gatehouse:audit` read is still refused. The events are seeded in
 * the audit partition at chosen times (test/support/audit-seed.ts), so the ranges are
 * exact and no test waits for the clock.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { seedMinute as minute, type SeededEvent, seedAuditEvents } from '../support/audit-seed.js';
import {
  api,
  createTenantWithOwner,
  createUser,
  joinAsAdded,
  type OwnedTenant,
} from '../support/stack-client.js';
import { snapshotTenant } from '../support/table-snapshot.js';

interface Event {
  eventId: string;
  at: string;
  action: string;
}

/** Follows `nextCursor` with the same filters; every page's size and the pages taken. */
async function allPages(tenant: OwnedTenant, filters: string, limit: number) {
  const seen: Event[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  do {
    const q: string = `${filters}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
    const page = await api('GET', `${tenant.t}/audit?${q}`, tenant.as);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    sizes.push(page.body.items.length);
    seen.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor && sizes.length < 50);
  return { seen, sizes };
}

let tenant: OwnedTenant;
let seeded: SeededEvent[];

beforeAll(async () => {
  tenant = await createTenantWithOwner();
  seeded = await seedAuditEvents(tenant.tenantId, 40);
});

const newestFirst = (events: SeededEvent[]) => [...events].reverse().map((e) => e.eventId);

describe('GET /v1/tenants/{tenantId}/audit with until and action', () => {
  it('keeps events from since (inclusive) to until (exclusive), newest first, across pages', async () => {
    // 10:05 to 10:15: minutes 5..14, the one at exactly 10:15 left out.
    const { seen, sizes } = await allPages(tenant, `since=${minute(5)}&until=${minute(15)}`, 3);
    expect(seen.map((e) => e.eventId)).toEqual(newestFirst(seeded.slice(5, 15)));
    expect(sizes).toEqual([3, 3, 3, 1]);

    const untilOnly = await api('GET', `${tenant.t}/audit?until=${minute(2)}`, tenant.as);
    expect(untilOnly.body.items.map((e: Event) => e.eventId)).toEqual(
      newestFirst(seeded.slice(0, 2)),
    );
    expect(untilOnly.body.nextCursor).toBeNull();
  });

  it('keeps one action or several (comma separated) inside a time range, across pages', async () => {
    const one = await allPages(tenant, 'action=member.role.bind', 4);
    expect(one.seen.map((e) => e.eventId)).toEqual(
      newestFirst(seeded.filter((e) => e.action === 'member.role.bind')),
    );
    expect(one.sizes.every((n) => n <= 4)).toBe(true);
    expect(one.sizes.length).toBeGreaterThanOrEqual(3);

    const range = `since=${minute(4)}&until=${minute(30)}`;
    const grants = await allPages(tenant, `${range}&action=member.role.bind,%20group.role.bind`, 3);
    const expected = seeded
      .slice(4, 30)
      .filter((e) => e.action === 'member.role.bind' || e.action === 'group.role.bind');
    expect(grants.seen.map((e) => e.eventId)).toEqual(newestFirst(expected));
    expect(new Set(grants.seen.map((e) => e.action))).toEqual(
      new Set(['member.role.bind', 'group.role.bind']),
    );
    expect(grants.sizes.length).toBeGreaterThanOrEqual(5);
  });

  it('answers pages short of limit, with a cursor, when the filter matches rarely', async () => {
    // The one tenant.limits event is the oldest, behind 39 others and the tenant's own events:
    // a request reads at most ten times `limit` events, so the first pages come back empty.
    const first = await api('GET', `${tenant.t}/audit?limit=2&action=tenant.limits`, tenant.as);
    expect(first.body.items).toEqual([]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const rare = await allPages(tenant, 'action=tenant.limits', 2);
    expect(rare.seen.map((e) => e.eventId)).toEqual([seeded[0]?.eventId]);
    expect(rare.sizes.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses a cursor outside until (from a listing without it) with 400 naming query.cursor', async () => {
    const newest = await api('GET', `${tenant.t}/audit?limit=1`, tenant.as);
    expect(newest.body.nextCursor).toEqual(expect.any(String));
    const res = await api(
      'GET',
      `${tenant.t}/audit?until=${minute(10)}&cursor=${newest.body.nextCursor}`,
      tenant.as,
    );
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe('query.cursor');
  });

  it('answers since after until with a 400 problem naming query.until, writing nothing', async () => {
    const before = await snapshotTenant(tenant.tenantId);
    const res = await api('GET', `${tenant.t}/audit?since=${minute(20)}&until=${minute(10)}`, {
      ...tenant.as,
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors).toEqual([{ path: 'query.until', message: expect.any(String) }]);
    const bad = await api('GET', `${tenant.t}/audit?until=tomorrow`, tenant.as);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('query.until');
    expect(await snapshotTenant(tenant.tenantId)).toEqual(before);
  });

  it('answers an unknown action with a 400 problem naming query.action and listing the valid ones', async () => {
    const before = await snapshotTenant(tenant.tenantId);
    const res = await api('GET', `${tenant.t}/audit?action=member.role.bind,role.grant`, tenant.as);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors).toEqual([{ path: 'query.action', message: expect.any(String) }]);
    expect(res.body.errors[0].message).toContain("'role.grant'");
    expect(res.body.detail).toContain('member.role.bind');
    expect(res.body.detail).toContain('service-account.role.bind');
    const empty = await api('GET', `${tenant.t}/audit?action=,`, tenant.as);
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0].path).toBe('query.action');
    expect(await snapshotTenant(tenant.tenantId)).toEqual(before);
  });

  it('still answers 403 to a member without gatehouse:audit read, filters or not', async () => {
    const user = await createUser();
    await joinAsAdded(tenant.tenantId, tenant.owner.accessToken, user);
    const res = await api('GET', `${tenant.t}/audit?action=acl.grant&until=${minute(30)}`, {
      token: user.accessToken,
    });
    expect(res.status).toBe(403);
    expect(JSON.stringify(res.body)).not.toContain('seed:');
  });
});
