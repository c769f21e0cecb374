/**
 * Small request-handling findings (L5, issue 20): an Idempotency-Key belongs to the caller who
 * sent it, a body is read only when it is sent as JSON (415 otherwise, nothing written), the
 * audit listing answers a cursor outside `since` with a 400 instead of a 500, and the local
 * server answers a path with broken percent-encoding with a 400 problem.
 */
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  isMutating,
  routeKey,
  routePath,
  routeTable,
  sampleBody,
} from '../support/route-samples.js';
import {
  type ApiResponse,
  addUser,
  api,
  createTenantWithOwner,
  stack,
  uniqueEmail,
} from '../support/stack-client.js';
import { snapshotTenant } from '../support/table-snapshot.js';
import { useTenantFixture } from '../support/tenant-fixture.js';

const f = useTenantFixture();

describe('Idempotency-Key on POST /invites (L5)', () => {
  it('is scoped to the caller: another admin reusing the key neither replays nor is blocked', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const admin = await addUser(tenantId, owner.accessToken, ['admin']);
    const url = `/v1/tenants/${tenantId}/invites`;
    const headers = { 'idempotency-key': 'shared-key-1' };
    const email = uniqueEmail('idem');
    const first = await api('POST', url, {
      token: owner.accessToken,
      body: { emails: [email] },
      headers,
    });
    expect(first.status).toBe(200);
    expect(first.body.results[0].status).toBe('invited');
    // The same key and body from someone else: their own request, not the owner's answer.
    const same = await api('POST', url, {
      token: admin.accessToken,
      body: { emails: [email] },
      headers,
    });
    expect(same.status).toBe(200);
    expect(same.body.results[0].status).toBe('already_invited');
    expect(same.body).not.toEqual(first.body);
    // The same key with another body: not a 422 about the owner's request.
    const other = uniqueEmail('idem-other');
    const theirs = await api('POST', url, {
      token: admin.accessToken,
      body: { emails: [other] },
      headers: { 'idempotency-key': 'shared-key-2' },
    });
    expect(theirs.status).toBe(200);
    const reuse = await api('POST', url, {
      token: owner.accessToken,
      body: { emails: [uniqueEmail('idem-3')] },
      headers: { 'idempotency-key': 'shared-key-2' },
    });
    expect(reuse.status).toBe(200);
    expect(reuse.body.results[0].status).toBe('invited');
    // Each caller's own retry still replays their own first answer.
    const retry = await api('POST', url, {
      token: owner.accessToken,
      body: { emails: [email] },
      headers,
    });
    expect(retry.body).toEqual(first.body);
  });
});

/** Sends `body` with exactly the headers given (fetch would add a text/plain Content-Type). */
function rawRequest(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const req = request(`${stack.apiUrl}${path}`, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, headers: h, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('a body is read only when sent as JSON (L5)', () => {
  const bodyRoutes = routeTable.filter((r) => r.body);

  function token(route: (typeof bodyRoutes)[number]) {
    if (route.auth.kind === 'public' || route.auth.kind === 'optional') return undefined;
    if (routeKey(route) === 'POST /v1/tenants/{tenantId}/members/{userId}/tokens')
      return f.member.accessToken;
    return f.owner.accessToken;
  }

  it('answers 415 problem+json naming header.content-type on every body route, writing nothing', async () => {
    expect(bodyRoutes.length).toBeGreaterThanOrEqual(18);
    const before = await snapshotTenant(f.tenantId);
    const found: string[] = [];
    for (const route of bodyRoutes) {
      const body = JSON.stringify(sampleBody(route, f));
      const path = routePath(route, f);
      const auth: Record<string, string> = {};
      const tk = token(route);
      if (tk) auth.authorization = `Bearer ${tk}`;
      for (const type of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json; charset=latin1',
        undefined,
      ]) {
        const headers = type ? { ...auth, 'content-type': type } : auth;
        const res = await rawRequest(route.method, path, headers, body);
        const what = `${routeKey(route)} sent as ${type ?? 'no content type'}`;
        const paths = ((res.body?.errors ?? []) as { path: string }[]).map((e) => e.path);
        if (res.status !== 415) found.push(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
        else if (res.headers.get('content-type') !== 'application/problem+json')
          found.push(`${what}: not problem+json`);
        else if (!paths.includes('header.content-type'))
          found.push(`${what}: errors ${JSON.stringify(paths)}`);
      }
    }
    expect(found).toEqual([]);
    expect(await snapshotTenant(f.tenantId)).toEqual(before);
  }, 120_000);

  it('reads application/json with a UTF-8 charset, and a +json type (the control)', async () => {
    for (const type of ['application/json; charset=utf-8', 'application/merge-patch+json']) {
      const res = await api('PATCH', `/v1/tenants/${f.tenantId}`, {
        token: f.owner.accessToken,
        body: { name: 'Still JSON' },
        headers: { 'content-type': type },
      });
      expect(res.status, type).toBe(200);
    }
    // A bodiless mutation needs no Content-Type at all.
    const mutating = routeTable.filter((r) => !r.body && isMutating(r));
    expect(mutating.length).toBeGreaterThan(0);
  });
});

describe('audit listing with a cursor and since (issue 20)', () => {
  it('answers 400 naming query.cursor to a cursor from before since, never a 500', async () => {
    const { tenantId, owner, t, as } = await createTenantWithOwner();
    await addUser(tenantId, owner.accessToken);
    await addUser(tenantId, owner.accessToken);
    const page = await api('GET', `${t}/audit?limit=1`, as);
    const cursor = String(page.body.nextCursor);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const since = '2099-01-01T00:00:00Z';
    const res = await api(
      'GET',
      `${t}/audit?since=${since}&cursor=${encodeURIComponent(cursor)}`,
      as,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('query.cursor');
  });

  it('pages through a since listing with its own cursors', async () => {
    const { tenantId, owner, t, as } = await createTenantWithOwner();
    const since = new Date(Date.now() - 60_000).toISOString();
    await addUser(tenantId, owner.accessToken);
    await addUser(tenantId, owner.accessToken);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const res = await api('GET', `${t}/audit?limit=1&since=${since}${q}`, as);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      seen.push(...res.body.items.map((e: { eventId: string }) => e.eventId));
      cursor = res.body.nextCursor;
    } while (cursor);
    // One page at a time gives exactly the events of one big page: the tenant's creation and
    // each add (member.add, invite.create, invite.accept), none twice, none missing.
    const whole = await api('GET', `${t}/audit?limit=100&since=${since}`, as);
    expect(seen).toEqual(whole.body.items.map((e: { eventId: string }) => e.eventId));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(3);
  });
});

describe('the local server (issue 20)', () => {
  it('answers a path with broken percent-encoding with a 400 problem, not a 500', async () => {
    for (const bad of ['%E0%A4%A', '%ZZ', 'a%']) {
      const res = await api('GET', `/v1/tenants/${f.tenantId}/groups/${bad}`, {
        token: f.owner.accessToken,
      });
      expect(res.status, bad).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body.errors).toEqual([{ path: 'path.groupId', message: expect.any(String) }]);
    }
  });
});
