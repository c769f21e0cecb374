/** The CLI's HTTP client retries "try again later" answers (503, 429) a bounded number of times. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../cli/api-client.js';
import { ApiError } from '../../cli/errors.js';

/** Answers each request with the next scripted status (then 200), recording how many came. */
let script: { status: number; retryAfter?: string }[] = [];
let calls = 0;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((_req, res) => {
    calls++;
    const next = script.shift() ?? { status: 200 };
    const headers: Record<string, string> = {
      'content-type': next.status === 200 ? 'application/json' : 'application/problem+json',
    };
    if (next.retryAfter) headers['retry-after'] = next.retryAfter;
    res.writeHead(next.status, headers);
    res.end(
      JSON.stringify(
        next.status === 200 ? { ok: true } : { status: next.status, title: 'x', detail: 'later' },
      ),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

function client() {
  const waits: number[] = [];
  const lines: string[] = [];
  const api = new ApiClient(baseUrl, undefined, undefined, {
    sleep: async (ms) => void waits.push(ms),
    warn: (line) => void lines.push(line),
  });
  return { api, waits, lines };
}

describe('CLI retries', () => {
  it('retries a 503 after the Retry-After the API asked for, and says so', async () => {
    script = [{ status: 503, retryAfter: '2' }, { status: 503 }];
    calls = 0;
    const { api, waits, lines } = client();
    const res = await api.request('POST', '/v1/x', { body: {} });
    expect(res.status).toBe(200);
    expect(calls).toBe(3);
    expect(waits).toEqual([2000, 2000]);
    expect(lines[0]).toMatch(/answered 503 .*retrying in 2 s \(retry 1 of 3\)/);
  });

  it('retries a 429 too, and gives up after a bounded number of retries', async () => {
    script = [{ status: 429, retryAfter: '1' }, ...Array(5).fill({ status: 503 })];
    calls = 0;
    const { api, lines } = client();
    await expect(api.request('GET', '/v1/x')).rejects.toMatchObject({ status: 503 });
    expect(calls).toBe(4);
    expect(lines).toHaveLength(3);
  });

  it('does not wait out a Retry-After longer than its limit, nor retry other errors', async () => {
    script = [{ status: 429, retryAfter: '3600' }];
    calls = 0;
    await expect(client().api.request('GET', '/v1/x')).rejects.toBeInstanceOf(ApiError);
    expect(calls).toBe(1);
    script = [{ status: 500 }];
    calls = 0;
    await expect(client().api.request('GET', '/v1/x')).rejects.toMatchObject({ status: 500 });
    expect(calls).toBe(1);
  });
});
