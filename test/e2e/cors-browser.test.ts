/**
 * CORS in a real browser (Debian's chromium, headless via playwright-core): a page served from
 * a second origin POSTs JSON to the API with fetch. From an origin the stack allows, the call
 * goes through (the page reads the answer); from another origin the browser refuses it.
 */
import { createServer, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/processes.js';
import { launchBrowser } from '../support/browser.js';
import { stack } from '../support/stack-client.js';

const PAGE = '<!doctype html><title>second origin</title><p>page of another origin</p>';

/** A one-page site on `port` (127.0.0.1). */
async function servePage(port: number): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(PAGE);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}

describe('CORS from a browser', () => {
  let browser: Browser;
  const servers: Server[] = [];
  let allowedOrigin: string;
  let otherOrigin: string;

  beforeAll(async () => {
    allowedOrigin = stack.cors?.allowedOrigins[0] ?? '';
    expect(allowedOrigin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    otherOrigin = `http://127.0.0.1:${await freePort()}`;
    servers.push(await servePage(Number(new URL(allowedOrigin).port)));
    servers.push(await servePage(Number(new URL(otherOrigin).port)));
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    for (const server of servers) await new Promise((r) => server.close(r));
  });

  /** Opens the page of `origin` and POSTs JSON to the invite lookup from it. */
  async function lookupFrom(origin: string) {
    const page = await browser.newPage();
    try {
      await page.goto(`${origin}/`);
      return await page.evaluate(async (url) => {
        try {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ token: 'not-a-real-token' }),
          });
          return { status: res.status, body: await res.json() };
        } catch (error) {
          return { error: String(error) };
        }
      }, `${stack.apiUrl}/v1/invites/lookup`);
    } finally {
      await page.close();
    }
  }

  it('lets a page of an allowed origin call the API and read the answer', async () => {
    const result = await lookupFrom(allowedOrigin);
    // the preflight passed and the answer (an unknown token: 404 problem) is readable
    expect(result).toMatchObject({ status: 404, body: { status: 404 } });
  });

  it('refuses the same call from a page of another origin (a CORS error in the browser)', async () => {
    const result = await lookupFrom(otherOrigin);
    expect(result).toEqual({ error: expect.stringContaining('Failed to fetch') });
  });
});
