/**
 * The console's service accounts, personal tokens, audit log and settings screens in a real
 * browser (chromium via playwright-core) against the test stack: a token's secret is shown once
 * and works on the API until it is revoked in the console; the audit log shows and filters those
 * changes; settings saved in the console are what the API answers, and a bad value is named next
 * to its field and changes nothing. axe-core finds no serious or critical violation on any screen.
 * With UPDATE_SCREENSHOTS=1 each screen is saved to docs/screenshots/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, seriousViolations } from '../support/browser.js';
import { checkScreen, openConsoleAs } from '../support/console-page.js';
import {
  addUser,
  api,
  createTenantWithOwner,
  type OwnedTenant,
  stack,
} from '../support/stack-client.js';

let browser: Browser;
let tenant: OwnedTenant;
let admin: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  tenant = await createTenantWithOwner();
  admin = await openConsoleAs(browser, tenant.owner, tenant.tenantId, 'service-accounts');
  await admin.context().grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: new URL(stack.consoleUrl as string).origin,
  });
});

afterAll(async () => {
  await browser?.close();
});

/** Opens a screen from the tab bar and waits for its heading. */
async function openTab(link: string, heading: string) {
  await admin
    .getByRole('navigation', { name: 'Sections' })
    .getByRole('link', { name: link })
    .click();
  await admin.getByRole('heading', { level: 1, name: heading }).waitFor();
}

/** The secret in the "shown once" panel, after checking it is there. */
async function shownSecret(): Promise<string> {
  const field = admin.getByRole('textbox', { name: 'Token', exact: true });
  await field.waitFor();
  return field.inputValue();
}

/** Confirms the revoke of the token named `name` in the token table. */
async function revokeInConsole(name: string) {
  await admin.getByRole('button', { name: `Revoke the token ${name}` }).click();
  await admin.getByRole('button', { name: 'Yes' }).click();
  await admin.getByRole('row', { name: new RegExp(`^${name} .*revoked`) }).waitFor();
}

describe('service accounts, tokens, audit and settings in the console', () => {
  let serviceToken = '';

  it('creates a service account and shows its new token once, with Copy', async () => {
    await admin.getByRole('heading', { level: 1, name: 'Service accounts' }).waitFor();
    // A bad id first: named next to its field, and nothing is created.
    await admin.getByLabel('ID', { exact: true }).fill('Not an id!');
    await admin.getByLabel('Name', { exact: true }).fill('CI deployer');
    await admin.getByRole('button', { name: 'Create service account' }).click();
    await admin.locator('#sa-id-error').waitFor();
    expect(await admin.getByLabel('ID', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    const none = await api('GET', `${tenant.t}/service-accounts`, tenant.as);
    expect(none.body.items).toEqual([]);

    await admin.getByLabel('ID', { exact: true }).fill('ci-deployer');
    await admin.getByLabel('Name', { exact: true }).fill('CI deployer');
    await admin.getByRole('button', { name: 'Create service account' }).click();
    await admin.getByRole('heading', { name: 'CI deployer (ci-deployer)' }).waitFor();
    await admin.getByRole('cell', { name: 'ci-deployer', exact: true }).waitFor();
    await checkScreen(admin, 'console-service-accounts');

    await admin.getByLabel('Token name').fill('deploy');
    await admin.getByLabel('Lifetime (days)').fill('30');
    await admin.getByRole('button', { name: 'Create token' }).click();
    serviceToken = await shownSecret();
    expect(serviceToken).toMatch(/^ghs_ci-deployer\./);
    await admin.getByText('This is the only time it is shown.').waitFor();
    await admin.getByRole('button', { name: 'Copy' }).click();
    await admin.getByRole('status').filter({ hasText: 'Copied to the clipboard.' }).waitFor();
    expect(await admin.evaluate('navigator.clipboard.readText()')).toBe(serviceToken);
    await checkScreen(admin, 'console-token-secret');

    const listed = await api('GET', `${tenant.t}/service-accounts/ci-deployer/tokens`, tenant.as);
    expect(listed.body.items).toMatchObject([{ name: 'deploy', status: 'active' }]);
    expect(JSON.stringify(listed.body)).not.toContain(serviceToken.split('_').pop());
  });

  it('does not show the secret again after leaving the screen and coming back', async () => {
    await openTab('Audit log', 'Audit log');
    await openTab('Service accounts', 'Service accounts');
    await admin.getByRole('button', { name: 'Open ci-deployer' }).click();
    await admin.getByRole('row', { name: /^deploy .*active/ }).waitFor();
    expect(await admin.getByRole('textbox', { name: 'Token', exact: true }).count()).toBe(0);
    expect(await admin.content()).not.toContain(serviceToken);
  });

  it('binds a role in the console, and the token then works on a route that role allows', async () => {
    const before = await api('GET', tenant.t, { token: serviceToken });
    expect(before.status).toBe(403);
    await admin.getByLabel('Role', { exact: true }).fill('member');
    await admin.getByRole('button', { name: 'Bind role' }).click();
    await admin.getByRole('list', { name: 'Roles' }).getByText('member').waitFor();
    const after = await api('GET', tenant.t, { token: serviceToken });
    expect(after.status).toBe(200);
    expect(after.body.tenantId).toBe(tenant.tenantId);

    await admin.getByRole('button', { name: 'Unbind role member' }).click();
    await admin.getByRole('list', { name: 'Roles' }).getByText('none').waitFor();
    expect((await api('GET', tenant.t, { token: serviceToken })).status).toBe(403);
  });

  it('grants a direct rule in the console, and the token works by it until it is revoked there', async () => {
    const rules = admin.getByRole('table', { name: 'Direct rules of ci-deployer' });
    // A bad resource first: named next to its field, and nothing is granted.
    await admin.getByLabel('Resource', { exact: true }).fill('not a resource');
    await admin.getByRole('button', { name: 'Grant rule' }).click();
    await admin.locator('#sa-rule-resource-error').waitFor();
    const account = `${tenant.t}/service-accounts/ci-deployer`;
    expect((await api('GET', account, tenant.as)).body.rules).toEqual([]);

    await admin.getByLabel('Resource', { exact: true }).fill('gatehouse:tenant');
    await admin.getByLabel('Action', { exact: true }).selectOption('read');
    await admin.getByRole('button', { name: 'Grant rule' }).click();
    await rules.getByRole('cell', { name: 'gatehouse:tenant', exact: true }).waitFor();
    expect((await api('GET', account, tenant.as)).body.rules).toEqual([
      { resource: 'gatehouse:tenant', action: 'read' },
    ]);
    expect((await api('GET', tenant.t, { token: serviceToken })).status).toBe(200);
    await checkScreen(admin, 'console-service-account-rules');

    await rules.getByRole('button', { name: 'Revoke' }).click();
    await admin.getByRole('button', { name: 'Yes' }).click();
    await rules.getByRole('cell', { name: 'none' }).waitFor();
    expect((await api('GET', account, tenant.as)).body.rules).toEqual([]);
    expect((await api('GET', tenant.t, { token: serviceToken })).status).toBe(403);
  });

  it('revokes the token in the console, and its next API call is a 401', async () => {
    await revokeInConsole('deploy');
    const res = await api('GET', tenant.t, { token: serviceToken });
    expect(res.status).toBe(401);
  });

  it('deletes a service account only after asking', async () => {
    await admin.getByLabel('ID', { exact: true }).fill('short-lived');
    await admin.getByLabel('Name', { exact: true }).fill('Short lived');
    await admin.getByRole('button', { name: 'Create service account' }).click();
    const row = admin.getByRole('row', { name: /^Short lived short-lived/ });
    await row.waitFor();
    await row.getByRole('button', { name: 'Delete short-lived and every token of it' }).click();
    await admin.getByRole('button', { name: 'Cancel' }).click();
    expect((await api('GET', `${tenant.t}/service-accounts/short-lived`, tenant.as)).status).toBe(
      200,
    );
    await row.getByRole('button', { name: 'Delete short-lived and every token of it' }).click();
    await admin.getByRole('button', { name: 'Yes' }).click();
    await expect.poll(() => row.count()).toBe(0);
    expect((await api('GET', `${tenant.t}/service-accounts/short-lived`, tenant.as)).status).toBe(
      404,
    );
  });

  it('mints a personal token shown once, which acts as me until revoked in the console', async () => {
    await openTab('My tokens', 'My tokens');
    await admin.getByLabel('Token name').fill('laptop script');
    await admin.getByLabel('Lifetime (days)').fill('7');
    await admin.getByRole('button', { name: 'Create token' }).click();
    const personal = await shownSecret();
    expect(personal).toMatch(new RegExp(`^ghm_${tenant.owner.userId}\\.`));
    expect((await api('GET', tenant.t, { token: personal })).status).toBe(200);
    await admin.getByRole('button', { name: 'Done, I saved it' }).click();
    expect(await admin.getByRole('textbox', { name: 'Token', exact: true }).count()).toBe(0);
    await admin.getByRole('row', { name: /^laptop script .*active/ }).waitFor();
    await checkScreen(admin, 'console-my-tokens');

    await revokeInConsole('laptop script');
    expect((await api('GET', tenant.t, { token: personal })).status).toBe(401);
  });

  it('shows those changes in the audit log, newest first, and filters them', async () => {
    await openTab('Audit log', 'Audit log');
    const table = admin.getByRole('table', { name: /Audit events/ });
    const actions = () => table.locator('tbody tr td:nth-child(3)').allTextContents();
    await expect.poll(actions).toContain('personal-token.revoke');
    const all = await actions();
    for (const action of [
      'service-account.create',
      'api-token.create',
      'api-token.revoke',
      'personal-token.create',
    ])
      expect(all).toContain(action);
    expect(all.indexOf('personal-token.revoke')).toBeLessThan(all.indexOf('api-token.create'));

    await admin.getByLabel('Target').fill('service-account:ci-deployer');
    await admin.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(actions).not.toContain('personal-token.revoke');
    const targets = await table.locator('tbody tr td:nth-child(4)').allTextContents();
    expect(new Set(targets)).toEqual(new Set(['service-account:ci-deployer']));
    expect(await actions()).toContain('api-token.revoke');

    // The actions are the API's filter, with the target still applied.
    await admin.getByLabel('Actions', { exact: true }).fill('api-token.revoke, api-token.create');
    await admin.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(actions).toEqual(['api-token.revoke', 'api-token.create']);
    await checkScreen(admin, 'console-audit');

    // Since a moment after every change (the viewer's local time): nothing left.
    await admin.getByLabel('Since').fill('2099-01-01T00:00');
    await admin.getByRole('button', { name: 'Filter' }).click();
    await admin.getByText('No events match.').waitFor();
    await admin.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(actions).toContain('personal-token.create');
  });

  it('saves the invite lifetime in settings, and the API answers the new value', async () => {
    await openTab('Settings', 'Settings');
    const lifetime = admin.getByLabel('Invite lifetime (hours)');
    await expect.poll(() => lifetime.inputValue()).toBe('72');
    await lifetime.fill('48');
    await admin.getByRole('button', { name: 'Save settings' }).click();
    await admin.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await checkScreen(admin, 'console-settings');
    const res = await api('GET', tenant.t, tenant.as);
    expect(res.body.settings.inviteTtlHours).toBe(48);
  });

  it('names an invalid invite lifetime next to its field and changes nothing', async () => {
    const lifetime = admin.getByLabel('Invite lifetime (hours)');
    await lifetime.fill('1000');
    await admin.getByRole('button', { name: 'Save settings' }).click();
    const error = admin.locator('#settings-ttl-error');
    await error.waitFor();
    expect(await error.textContent()).toBe('Enter a whole number from 1 to 720.');
    expect(await lifetime.getAttribute('aria-invalid')).toBe('true');
    expect(await lifetime.getAttribute('aria-describedby')).toContain('settings-ttl-error');
    expect(await admin.getByText('Saved.').count()).toBe(0);
    expect(await seriousViolations(admin)).toEqual([]);
    const res = await api('GET', tenant.t, tenant.as);
    expect(res.body.settings.inviteTtlHours).toBe(48);
  });
});

describe('my tokens for a plain member', () => {
  it('lets a member with only the default role mint and revoke a personal token', async () => {
    const member = await addUser(tenant.tenantId, tenant.owner.accessToken);
    const page = await openConsoleAs(browser, member, tenant.tenantId, 'my-tokens');
    await page.getByRole('heading', { level: 1, name: 'My tokens' }).waitFor();
    await page.getByLabel('Token name').fill('cron job');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = page.getByRole('textbox', { name: 'Token', exact: true });
    await secret.waitFor();
    // The secret has the focus, so a keyboard user copies it straight away.
    expect(await secret.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    const personal = await secret.inputValue();
    expect((await api('GET', tenant.t, { token: personal })).status).toBe(200);
    await page.getByRole('button', { name: 'Revoke the token cron job' }).click();
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.getByRole('row', { name: /^cron job .*revoked/ }).waitFor();
    expect((await api('GET', tenant.t, { token: personal })).status).toBe(401);
    await page.context().close();
  });
});
