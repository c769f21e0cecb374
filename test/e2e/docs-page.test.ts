/**
 * The API docs page in a real browser: Debian's chromium, driven headless by playwright-core
 * (`.ci/run` installs chromium when it is missing; locally: `apt-get install chromium`).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable } from '#shared/routes/route-table.js';
import { launchBrowser } from '../support/browser.js';
import { stack } from '../support/stack-client.js';

describe('docs page', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
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
