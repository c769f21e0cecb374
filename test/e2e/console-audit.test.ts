/**
 * The console's audit log filters in a real browser (chromium via playwright-core) against the
 * test stack: actions and a since/until range are the API's filters, "Load older events" keeps
 * them, and the API's 400 for an unknown action or a range that ends before it starts shows next
 * to its field. The events are seeded at chosen times (test/support/audit-seed.ts).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SeededEvent, seedAuditEvents, seedMinute } from '../support/audit-seed.js';
import { launchBrowser } from '../support/browser.js';
import { checkScreen, openConsoleAs } from '../support/console-page.js';
import {
  addUser,
  api,
  createTenantWithOwner,
  expectStatus,
  type OwnedTenant,
} from '../support/stack-client.js';

let browser: Browser;
let page: Page;
let seeded: SeededEvent[];
let tenant: OwnedTenant;

beforeAll(async () => {
  browser = await launchBrowser();
  tenant = await createTenantWithOwner();
  seeded = await seedAuditEvents(tenant.tenantId, 120);
  page = await openConsoleAs(browser, tenant.owner, tenant.tenantId, 'audit');
  await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
});

/** Seeded minute `n` as a `datetime-local` value in the browser's own time zone. */
function localMinute(n: number): Promise<string> {
  return page.evaluate((iso) => {
    const d = new Date(iso);
    const two = (v: number) => String(v).padStart(2, '0');
    return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
  }, seedMinute(n));
}

const table = () => page.getByRole('table', { name: /Audit events/ });
const column = (n: number) => table().locator(`tbody tr td:nth-child(${n})`).allTextContents();

describe('audit log filters in the console', () => {
  it('filters by actions and a time range on the server, and Load older events keeps them', async () => {
    await page.getByLabel('Actions', { exact: true }).fill('member.role.bind, group.role.bind');
    await page.getByLabel('Since').fill(await localMinute(0));
    await page.getByLabel('Until').fill(await localMinute(110));
    await page.getByRole('button', { name: 'Filter' }).click();
    // Minutes 0 to 109, actions member.role.bind or group.role.bind: 55 events, 50 a page.
    const expected = seeded
      .slice(0, 110)
      .filter((e) => e.action === 'member.role.bind' || e.action === 'group.role.bind');
    expect(expected).toHaveLength(55);
    const grants = new Set(['member.role.bind', 'group.role.bind']);
    // The first (unfiltered) page has 50 rows too: wait for the filtered one.
    await expect.poll(() => column(3).then((c) => new Set(c))).toEqual(grants);
    expect(await column(5)).toHaveLength(50);
    await checkScreen(page, 'console-audit-filters');

    await page.getByRole('button', { name: 'Load older events' }).click();
    await expect.poll(() => column(5).then((c) => c.length)).toBe(55);
    expect(new Set(await column(3))).toEqual(grants);
    expect(await column(4)).toEqual([...expected].reverse().map((e) => `seed:${e.eventId}`));
    expect(await page.getByRole('button', { name: 'Load older events' }).count()).toBe(0);
  });

  it('shows the API refusing an unknown action next to the Actions field', async () => {
    await page.getByLabel('Actions', { exact: true }).fill('member.role.bind, role.grant');
    await page.getByRole('button', { name: 'Filter' }).click();
    const error = page.locator('#audit-action-error');
    await expect.poll(() => error.textContent()).toContain("unknown action 'role.grant'");
    const field = page.getByLabel('Actions', { exact: true });
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.getAttribute('aria-describedby')).toContain('audit-action-error');
  });

  it('shows an Until before Since next to the Until field, and Clear lists everything again', async () => {
    await page.getByLabel('Actions', { exact: true }).fill('');
    await page.getByLabel('Since').fill(await localMinute(30));
    await page.getByLabel('Until').fill(await localMinute(10));
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator('#audit-until-error').waitFor();
    expect(await page.getByLabel('Until').getAttribute('aria-invalid')).toBe('true');

    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => column(3)).toContain('tenant.create');
    expect(await page.locator('#audit-until-error').count()).toBe(0);
  });

  it('names another member who acted by their email, not their user id', async () => {
    // A plain member mints a personal token: an audit event whose actor is their user id.
    const member = await addUser(tenant.tenantId, tenant.owner.accessToken);
    await expectStatus(
      api('POST', `${tenant.t}/members/${member.userId}/tokens`, {
        token: member.accessToken,
        body: { name: 'laptop', expiresInDays: 1 },
      }),
      201,
      'mint a personal token',
    );
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Actions', { exact: true }).fill('personal-token.create');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => column(2)).toEqual([expect.stringContaining(member.email)]);
    expect((await column(2)).join(' ')).not.toContain(member.userId);
  });
});
