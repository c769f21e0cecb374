/**
 * The API docs page in a real browser: Debian's chromium, driven headless by playwright-core
 * (`.ci/run` installs chromium when it is missing; locally: `apt-get install chromium`).
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable } from '#shared/routes/route-table.js';
import { stack } from '../support/stack-client.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('docs page', () => {
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`No chromium at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH`);
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('loads in a browser and lists every route of the route table', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.apiUrl}/docs`);
    await page.waitForSelector('.opblock', { timeout: 20_000 });
    const title = await page.locator('.info .title').first().innerText();
    expect(title).toContain('Gatehouse API');
    const listed = await page.locator('.opblock-summary-path').allInnerTexts();
    const shown = new Set(listed.map((p) => p.replace(/\u200b/g, '').trim()));
    for (const route of routeTable) {
      expect(shown, `${route.method} ${route.path}`).toContain(route.path.replace('+}', '}'));
    }
    await page.close();
  });
});
