/**
 * The console and the hosted accept page in a real browser (chromium via playwright-core)
 * against the test stack: sign in through the local OAuth page, invite three addresses, accept
 * one invite as a new person and one as an existing account (both from the mailed link), bulk
 * +Role on the two new members; axe-core finds no serious or critical violation on any screen.
 * With UPDATE_SCREENSHOTS=1 each screen is saved to docs/screenshots/ (the README's pictures).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { checkScreen, signInOnOAuthPage } from '../support/console-page.js';
import { waitForMails } from '../support/mail-store.js';
import {
  api,
  createTenantWithOwner,
  createUser,
  expectStatus,
  type OwnedTenant,
  stack,
  type TestUser,
  uniqueEmail,
} from '../support/stack-client.js';

let browser: Browser;
let tenant: OwnedTenant;
let existing: TestUser;
const newPerson = uniqueEmail('new');
const third = uniqueEmail('third');

beforeAll(async () => {
  browser = await launchBrowser();
  tenant = await createTenantWithOwner();
  existing = await createUser(uniqueEmail('existing'));
  await expectStatus(
    api('POST', `${tenant.t}/roles`, {
      ...tenant.as,
      body: {
        roleId: 'interns',
        name: 'Interns',
        permissions: [{ resource: 'app:x', action: 'read' }],
      },
    }),
    201,
    'create role',
  );
});

afterAll(async () => {
  await browser?.close();
});

async function acceptLinkTo(email: string): Promise<string> {
  const [mail] = await waitForMails(email, 1, 90_000);
  const link = /https?:\/\/\S+\/accept\?token=[A-Za-z0-9_-]+/.exec(mail?.body.text ?? '')?.[0];
  if (!link) throw new Error(`no accept link in the mail to ${email}`);
  return link;
}

describe('console and hosted pages in a browser', () => {
  let admin: Page;

  it('signs an admin in through the OAuth page and shows the tenant', async () => {
    const context = await browser.newContext({ bypassCSP: false });
    admin = await context.newPage();
    await admin.goto(stack.consoleUrl as string);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await signInOnOAuthPage(admin, tenant.owner.email, tenant.owner.password, 'sign-in');
    await admin.waitForURL(`${stack.consoleUrl}**`);
    await admin.locator('header').getByText(tenant.owner.email).waitFor();
    await admin.getByLabel('Tenant').selectOption(tenant.tenantId);
    await admin.getByRole('heading', { name: 'Members' }).waitFor();
    await admin.getByRole('cell', { name: tenant.owner.email, exact: true }).waitFor();
  });

  it('invites three addresses with a result for each', async () => {
    await admin.getByRole('link', { name: 'Invites' }).click();
    await admin
      .getByLabel('Email addresses')
      .fill(`${newPerson}, ${existing.email}\nThird Person <${third}>`);
    await admin.getByRole('button', { name: 'Send invites' }).click();
    const results = admin.getByRole('list', { name: 'Invite results' });
    await results.waitFor();
    for (const email of [newPerson, existing.email, third])
      await expect.poll(() => results.getByText(`${email}: invited`).count()).toBe(1);
    await checkScreen(admin, 'console-invites');
  });

  it('accepts one invite as a new person choosing a password', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(await acceptLinkTo(newPerson));
    await page.getByText(`to join Test tenant`).waitFor();
    await page.getByLabel('Password', { exact: true }).fill('short');
    const rules = page.getByRole('list', { name: 'Password rules' });
    await expect.poll(() => rules.locator('li.met').count()).toBe(1); // only "a lowercase letter"
    await checkScreen(page, 'accept');
    await page.getByRole('button', { name: 'Create my account and join' }).click();
    await page.getByText('This password does not meet every rule').waitFor();
    await page.getByLabel('Password', { exact: true }).fill('New-person-pass-1');
    await page.getByRole('button', { name: 'Create my account and join' }).click();
    await page.getByText('You joined Test tenant.').waitFor();
    await checkScreen(page, 'accept-done');
    // The same link again: used, so it says to ask for a new one.
    await page.reload();
    await page.getByText('Ask the person who invited you to send a new invitation').waitFor();
    await checkScreen(page, 'accept-used');
  });

  it('accepts one invite as an existing account signing in through OAuth', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(await acceptLinkTo(existing.email));
    await page.getByRole('button', { name: 'Sign in and join' }).click();
    await signInOnOAuthPage(page, existing.email, existing.password);
    await page.getByText('You joined Test tenant.').waitFor();
    const members = await api(
      'GET',
      `${tenant.t}/members?email=${encodeURIComponent(existing.email)}`,
      tenant.as,
    );
    expect(members.body.items).toMatchObject([{ userId: existing.userId, status: 'active' }]);
  });

  it('adds a role to two selected members in one step, with a result per member', async () => {
    await admin.getByRole('link', { name: 'Members' }).click();
    await admin.getByRole('button', { name: 'Search' }).click();
    await admin.getByRole('cell', { name: newPerson, exact: true }).waitFor();
    for (const email of [newPerson, existing.email])
      await admin.getByRole('checkbox', { name: `Select ${email}` }).check();
    await admin.getByLabel('Role to add or remove').selectOption('interns');
    await admin.getByRole('button', { name: '+Role' }).click();
    const results = admin.getByRole('list', { name: 'Results' });
    for (const email of [newPerson, existing.email])
      await results.getByText(`${email}: done`).waitFor();
    await checkScreen(admin, 'console-members');
    const withRole = await api('GET', `${tenant.t}/members?role=interns`, tenant.as);
    expect(withRole.body.items.map((m: { email: string }) => m.email).sort()).toEqual(
      [newPerson, existing.email].sort(),
    );
  });
});
