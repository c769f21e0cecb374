/**
 * The console's figures (issue 18): its first load and the members screen at 1,000 members, in
 * Debian's chromium (playwright-core) against the bench's local stack.
 *
 * - `firstLoad`: the bytes the console page loads before it can run (its JavaScript, as
 *   console/build.ts counts it, and its stylesheet), raw and gzip-compressed (level 9).
 * - `interactive`: a signed-in admin opens the console: from navigation start (the page's
 *   `performance.timeOrigin`) to the first screen's table showing its first row. `cold`
 *   with the browser cache disabled (every asset fetched), `warm` with it on; median of N.
 * - `members`: 1,000 more members written into the bootstrap tenant (the earlier parts already
 *   created the tenants one person may create in a day), the members screen opened fresh: to the
 *   first page of rows rendered, then to every row loaded by pressing "Load more" (in the page,
 *   as soon as each page has rendered), with the page size the screen asks the API for.
 *
 * The sign-in itself (the OAuth page) is setup, not timed: tokens stay in the tab's
 * sessionStorage, so each timed navigation starts signed in.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Page } from 'playwright-core';
import { MEMBER_FORMAT, memberItem } from '#shared/store/records/member-record.js';
import { launchBrowser } from '../test/support/browser.js';
import type { BenchStack } from './stack.js';
import { percentile, round } from './stats.js';

export interface ConsoleBenchResult {
  firstLoad: {
    jsBytes: number;
    jsGzipBytes: number;
    cssBytes: number;
    cssGzipBytes: number;
    /** JavaScript and CSS, gzip: what the page transfers before it runs. */
    gzipBytes: number;
    /** Issue 18's budget for the compressed JavaScript. */
    jsBudgetGzipBytes: number;
  };
  interactive: { runs: number; coldP50ms: number; coldMaxMs: number; warmP50ms: number };
  members: {
    members: number;
    /** Rows the first page showed: the page size the screen asks for. */
    pageSize: number;
    loadMorePresses: number;
    runs: number;
    firstPageP50ms: number;
    allLoadedP50ms: number;
    allLoadedMaxMs: number;
  };
}

/**
 * The browser globals the functions run inside the page use (this project's types are Node's);
 * each such function names them through `globalThis`, since it is sent to the page as source.
 */
interface InPage {
  document: {
    querySelectorAll(selector: string): ArrayLike<{ textContent: string | null; click(): void }>;
  };
  localStorage: { setItem(key: string, value: string): void };
  requestAnimationFrame(callback: () => void): void;
}

const MEMBERS = 1000;
const TENANT_KEY = 'gatehouse.tenant';

/** Writes `count` active members straight into the table (25 per BatchWriteItem). */
async function seedMembers(stack: BenchStack, tenantId: string, count: number) {
  const { db } = stack.countingClient();
  const TableName = stack.info.dynamodb.tableName;
  const items = Array.from({ length: count }, (_, i) =>
    memberItem({
      tenantId,
      userId: `bench-${String(i).padStart(4, '0')}-${randomUUID()}`,
      email: `member-${String(i).padStart(4, '0')}@bench.gatehouse.local`,
      status: 'active',
      joinedAt: new Date().toISOString(),
      groups: i % 3 === 0 ? ['ops'] : [],
      roles: [{ roleId: 'viewer' }],
      rules: [],
      sessionsValidAfter: 0,
      superuser: false,
      version: 1,
      incarnation: randomUUID(),
      format: MEMBER_FORMAT,
    }),
  );
  for (let i = 0; i < items.length; i += 25) {
    let pending = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const res = await db.send(new BatchWriteCommand({ RequestItems: { [TableName]: pending } }));
      pending = (res.UnprocessedItems?.[TableName] ?? []) as typeof pending;
    }
  }
}

/** The tenant's members as the API lists them (pages of 100). */
async function memberCount(stack: BenchStack, tenantId: string): Promise<number> {
  const { email, password } = stack.info.bootstrap;
  const token = await stack.signIn(email, password);
  let count = 0;
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) });
    const res = await fetch(`${stack.info.apiUrl}/v1/tenants/${tenantId}/members?${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.status !== 200) throw new Error(`list members: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as { items: unknown[]; nextCursor: string | null };
    count += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}

/** The bytes of the stylesheet the console page links, raw and gzip. */
function cssOf(stack: BenchStack & { console: NonNullable<BenchStack['console']> }) {
  const href = /href="\/console\/assets\/([\w-]+\.css)"/.exec(
    stack.console.pages.console.html,
  )?.[1];
  if (!href) return { cssBytes: 0, cssGzipBytes: 0 };
  const css = readFileSync(join(stack.console.dir, 'assets', href));
  return { cssBytes: css.length, cssGzipBytes: gzipSync(css, { level: 9 }).length };
}

/** Signs in through the local OAuth page (setup) and pins `tenantId` as the console's tenant. */
async function signIn(page: Page, url: string, email: string, password: string, tenantId: string) {
  await page.goto(url);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/oauth2\/authorize/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${url}**`);
  await page.locator('header').getByText(email).waitFor();
  await pinTenant(page, tenantId);
}

/** Makes `tenantId` the tenant the console opens on (what picking it in the header saves). */
async function pinTenant(page: Page, tenantId: string) {
  await page.evaluate(
    ([key, id]) => (globalThis as unknown as InPage).localStorage.setItem(key, id),
    [TENANT_KEY, tenantId] as const,
  );
}

/** Navigates to `url` and returns the page's clock (ms since navigation start) once its table has a row. */
async function timeToTable(page: Page, url: string): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  const handle = await page.waitForFunction(
    () => {
      const { document } = globalThis as unknown as InPage;
      return document.querySelectorAll('table tbody tr').length > 0 ? performance.now() : false;
    },
    undefined,
    { polling: 'raf', timeout: 60_000 },
  );
  return (await handle.jsonValue()) as number;
}

/**
 * In the page: waits for the first rows, then presses "Load more" as soon as each page has
 * rendered until it is gone; returns the times (ms since navigation start) and counts.
 */
async function loadEveryMember(page: Page, url: string, expected: number) {
  // Loaded far enough to run a script; the clock read below still starts at navigation start.
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  // No named functions inside: tsx would wrap them in a helper the page does not have.
  return page.evaluate(async (want) => {
    const web = globalThis as unknown as InPage;
    const table = 'table tbody tr';
    while (web.document.querySelectorAll(table).length === 0) {
      await new Promise<void>((r) => web.requestAnimationFrame(r));
    }
    const firstPage = performance.now();
    const pageSize = web.document.querySelectorAll(table).length;
    let presses = 0;
    for (;;) {
      const more = Array.from(web.document.querySelectorAll('button')).find(
        (b) => b.textContent?.trim() === 'Load more',
      );
      if (!more) break;
      const before = web.document.querySelectorAll(table).length;
      more.click();
      presses++;
      while (web.document.querySelectorAll(table).length === before) {
        await new Promise<void>((r) => web.requestAnimationFrame(r));
      }
    }
    const all = performance.now();
    const rows = web.document.querySelectorAll(table).length;
    if (rows !== want) throw new Error(`expected ${want} rows, saw ${rows}`);
    return { firstPage, all, pageSize, presses };
  }, expected);
}

export async function benchConsole(
  stack: BenchStack,
  options: { quick: boolean },
): Promise<ConsoleBenchResult> {
  const built = stack.console;
  if (!built) throw new Error('the console bench needs startBenchStack({ console: true })');
  const withConsole = { ...stack, console: built };
  const { info } = stack;
  const url = info.consoleUrl as string;
  const { email, password } = info.bootstrap;
  // The bootstrap tenant: the earlier parts already created the 5 tenants a person may per day.
  const tenantId = info.bootstrap.tenantId;

  const runs = options.quick ? 3 : 9;
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext()).newPage();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await signIn(page, url, email, password, tenantId);
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = -1; i < runs; i++) {
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      const c = await timeToTable(page, url);
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
      const w = await timeToTable(page, url);
      if (i < 0) continue; // the first pair warms the server's caches
      cold.push(c);
      warm.push(w);
    }
    await seedMembers(stack, tenantId, MEMBERS);
    const total = await memberCount(stack, tenantId);
    const listings: Awaited<ReturnType<typeof loadEveryMember>>[] = [];
    for (let i = -1; i < runs; i++) {
      const listing = await loadEveryMember(page, url, total);
      if (i >= 0) listings.push(listing);
    }
    const jsBytes = built.pages.console.jsBytes;
    const jsGzipBytes = built.pages.console.jsGzipBytes;
    const css = cssOf(withConsole);
    const ms = (values: number[], p: number) => round(percentile(values, p), 1);
    return {
      firstLoad: {
        jsBytes,
        jsGzipBytes,
        ...css,
        gzipBytes: jsGzipBytes + css.cssGzipBytes,
        jsBudgetGzipBytes: 200 * 1024,
      },
      interactive: {
        runs,
        coldP50ms: ms(cold, 50),
        coldMaxMs: ms(cold, 100),
        warmP50ms: ms(warm, 50),
      },
      members: {
        members: total,
        pageSize: listings[0]?.pageSize ?? 0,
        loadMorePresses: listings[0]?.presses ?? 0,
        runs,
        firstPageP50ms: ms(
          listings.map((l) => l.firstPage),
          50,
        ),
        allLoadedP50ms: ms(
          listings.map((l) => l.all),
          50,
        ),
        allLoadedMaxMs: ms(
          listings.map((l) => l.all),
          100,
        ),
      },
    };
  } finally {
    await browser.close();
  }
}

/** The table of {@link benchConsole}. */
export function formatConsole(r: ConsoleBenchResult): string[] {
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const f = r.firstLoad;
  const m = r.members;
  return [
    `Console (chromium, local stack): first load ${kib(f.gzipBytes)} gzip (JS ${kib(f.jsGzipBytes)} of a ${kib(f.jsBudgetGzipBytes)} budget, ${kib(f.jsBytes)} raw; CSS ${kib(f.cssGzipBytes)})`,
    `  signed-in open to the first screen's table, median of ${r.interactive.runs}: ${r.interactive.coldP50ms} ms with no browser cache (max ${r.interactive.coldMaxMs}), ${r.interactive.warmP50ms} ms cached`,
    `  members screen, ${m.members} members, pages of ${m.pageSize} (${m.loadMorePresses} "Load more"), median of ${m.runs}: first page ${m.firstPageP50ms} ms, all loaded ${m.allLoadedP50ms} ms (max ${m.allLoadedMaxMs})`,
  ];
}
