/**
 * The local stand-in for API Gateway answers what the deployed HTTP API answers: unknown routes
 * go to the `$default` function (404/405 problem+json), CORS follows the stage's origins
 * (preflight answered by the gateway, no CORS header for another origin), oversize headers get
 * a 431 problem, and each request can be logged in one line.
 */
import { request } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as fallback } from '#functions/fallback/handler.js';
import { createLocalServer } from '../../local/http-server.js';
import { formatRequestLine, type RequestLogEntry } from '../../local/request-log.js';
import { stack } from '../support/stack-client.js';

const allowed = stack.cors?.allowedOrigins[0] ?? '';
const OTHER = 'http://127.0.0.1:9';

function preflight(origin: string, path = '/v1/invites/lookup') {
  return fetch(`${stack.apiUrl}${path}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    },
  });
}

describe('unknown routes', () => {
  it('answers an unknown path with a 404 problem', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/no-such-thing`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({
      type: 'urn:gatehouse:problem:not-found',
      status: 404,
      detail: 'No route matches GET /v1/no-such-thing.',
    });
  });

  it('answers a known path asked with another method with a 405 problem and Allow', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/tenants/acme/members`, { method: 'PUT' });
    expect(res.status).toBe(405);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('allow')).toBe('GET, POST');
    expect(await res.json()).toMatchObject({ status: 405, allow: ['GET', 'POST'] });
  });

  it('is the same $default handler the deployed API routes to', async () => {
    const event = (method: string, rawPath: string) =>
      ({ rawPath, requestContext: { http: { method } } }) as unknown as APIGatewayProxyEventV2;
    const wrong = await fallback(event('DELETE', '/v1/tenants'));
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers?.allow).toBe('POST');
    expect((await fallback(event('GET', '/v2/tenants'))).statusCode).toBe(404);
    // a resource id with an encoded slash is one segment: the route is known, PATCH is not
    const acl = await fallback(event('PATCH', '/v1/tenants/t1/acls/a%3Ab%2Fc/users/u1/read'));
    expect(acl.headers?.allow).toBe('PUT, DELETE');
  });

  it('answers headers over Node’s limit with a 431 problem', async () => {
    const answer = await new Promise<{ status?: number; type?: string; body: string }>(
      (resolve, reject) => {
        const req = request(`${stack.apiUrl}/v1/me`, { headers: { 'x-big': 'a'.repeat(20_000) } });
        req.on('response', (res) => {
          let body = '';
          res.on('data', (d) => {
            body += d;
          });
          res.on('end', () =>
            resolve({ status: res.statusCode, type: res.headers['content-type'], body }),
          );
        });
        req.on('error', reject);
        req.end();
      },
    );
    expect(answer.status).toBe(431);
    expect(answer.type).toBe('application/problem+json');
    expect(JSON.parse(answer.body)).toMatchObject({ status: 431 });
  });
});

describe('CORS', () => {
  it('answers a preflight from an allowed origin with the allowed methods, headers and max-age', async () => {
    expect(allowed).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await preflight(allowed);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toContain('content-type');
    expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0);
  });

  it('gives a disallowed origin no CORS header, on the preflight and on the answer', async () => {
    const pre = await preflight(OTHER);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.headers.get('access-control-allow-methods')).toBeNull();
    const res = await fetch(`${stack.apiUrl}/v1/invites/lookup`, {
      method: 'POST',
      headers: { origin: OTHER, 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'x' }),
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('puts the allowed origin on actual answers, errors included', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/invites/lookup`, {
      method: 'POST',
      headers: { origin: allowed, 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'x' }),
    });
    expect(res.status).toBe(404);
    expect(res.headers.get('access-control-allow-origin')).toBe(allowed);
    const unknown = await fetch(`${stack.apiUrl}/v1/nothing-here`, {
      headers: { origin: allowed },
    });
    expect(unknown.headers.get('access-control-allow-origin')).toBe(allowed);
  });
});

describe('request log', () => {
  it('formats one line: method, path, status, ms, tenant', () => {
    expect(
      formatRequestLine({
        method: 'POST',
        path: '/v1/tenants/demo/invites',
        status: 201,
        ms: 12.4,
        tenant: 'demo',
      }),
    ).toBe('POST /v1/tenants/demo/invites 201 12ms tenant=demo');
    expect(formatRequestLine({ method: 'GET', path: '/v1/me', status: 401, ms: 3 })).toBe(
      'GET /v1/me 401 3ms',
    );
    expect(formatRequestLine({ method: 'GET', path: '/a b\n', status: 404, ms: 0 })).toBe(
      'GET /a%20b%0A 404 0ms',
    );
  });

  it('is called once per request, with the tenant from the authorizer context', async () => {
    const entries: RequestLogEntry[] = [];
    const server = createLocalServer(
      [
        {
          name: 'log-test',
          authorizer: async () => async () => ({
            isAuthorized: true,
            context: { decision: 'allow', tenantId: 'acme', userId: 'u1', email: '', reason: '' },
          }),
          routes: [
            {
              method: 'GET',
              path: '/t/{tenantId}/things',
              authorized: true,
              handler: async () => async () => ({ statusCode: 200, body: '{}' }),
            },
          ],
        },
      ],
      { onRequest: (entry) => entries.push(entry) },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      expect((await fetch(`http://127.0.0.1:${port}/t/acme/things?x=1`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/nowhere`)).status).toBe(404);
      await new Promise((r) => setTimeout(r, 50));
      expect(entries).toEqual([
        expect.objectContaining({
          method: 'GET',
          path: '/t/acme/things',
          status: 200,
          tenant: 'acme',
        }),
        expect.objectContaining({
          method: 'GET',
          path: '/nowhere',
          status: 404,
          tenant: undefined,
        }),
      ]);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
