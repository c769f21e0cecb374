/**
 * The members and invites screens in a real browser (chromium via playwright-core) against the
 * test stack: force a logout and see the member's next request refused; disable and delete a
 * member (delete asks first); a member's effective permissions with their sources; resend an
 * expired invite and see the new mail; a plain member and a members reader are offered no
 * admin action. axe-core finds no serious or critical violation on any screen; with
 * UPDATE_SCREENSHOTS=1 the screens are saved to docs/screenshots/.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { checkScreen, openConsoleAs } from '../support/console-page.js';
import { tokenOf, waitForMails } from '../support/mail-store.js';
import {
  addUser,
  api,
  createTenantWithOwner,
  ddb,
  expectStatus,
  type OwnedTenant,
  stack,
  type TestUser,
  uniqueEmail,
  uniqueId,
} from '../support/stack-client.js';

let browser: Browser;
let tenant: OwnedTenant;
let admin: Page;
/** Logged out from the console. */
let leaver: TestUser;
/** Disabled, then deleted. */
let victim: TestUser;
/** Holds a direct rule, a group (with a rule) and a role: their permissions show three sources. */
let shown: TestUser;
/** The tenant defaults only. */
let plain: TestUser;
const groupId = uniqueId('ops');
const roleId = uniqueId('viewer');
const run = Date.now().toString(36);

beforeAll(async () => {
  browser = await launchBrowser();
  tenant = await createTenantWithOwner();
  const add = () => addUser(tenant.tenantId, tenant.owner.accessToken);
  [leaver, victim, shown, plain] = await Promise.all([add(), add(), add(), add()]);
  const t = tenant.t;
  const as = tenant.as;
  await expectStatus(
    api('POST', `${t}/roles`, {
      ...as,
      body: { roleId, name: 'Viewer', permissions: [{ resource: 'app:reports', action: 'read' }] },
    }),
    201,
    'create role',
  );
  await expectStatus(
    api('POST', `${t}/groups`, { ...as, body: { groupId, name: 'Ops' } }),
    201,
    'group',
  );
  await expectStatus(
    api('PUT', `${t}/acls/${encodeURIComponent('app:ops')}/groups/${groupId}/update`, as),
    204,
    'rule',
  );
  await expectStatus(api('PUT', `${t}/groups/${groupId}/members/${shown.userId}`, as), 204, 'join');
  await expectStatus(
    api('PUT', `${t}/members/${shown.userId}/roles/${roleId}`, { ...as, body: {} }),
    200,
    'bind',
  );
  await expectStatus(
    api('PUT', `${t}/acls/${encodeURIComponent('app:own')}/users/${shown.userId}/full`, as),
    204,
    'own',
  );
  admin = await openConsoleAs(browser, tenant.owner, tenant.tenantId, 'members');
});

afterAll(async () => {
  await browser?.close();
});

/** The admin's members screen, searched again so it shows the latest state. */
async function members(page = admin): Promise<Page> {
  await page.goto(`${stack.consoleUrl}#/members`);
  await page.getByRole('heading', { name: 'Members' }).waitFor();
  await page.getByRole('button', { name: 'Search' }).click();
  return page;
}

describe('members screen', () => {
  it("forces a member's logout: their next request is refused with 401", async () => {
    const tenantPath = `/v1/tenants/${tenant.tenantId}`;
    await expectStatus(api('GET', tenantPath, { token: leaver.accessToken }), 200, 'before');
    await members();
    await admin.getByRole('button', { name: `Force logout ${leaver.email}` }).click();
    const results = admin.getByRole('list', { name: 'Results' });
    await results.getByText(`${leaver.email}: signed out of this tenant`).waitFor();
    const after = await api('GET', tenantPath, { token: leaver.accessToken });
    expect(after.status).toBe(401);
    expect(after.headers.get('content-type')).toBe('application/problem+json');
  });

  it('disables a member, then deletes them after a confirmation', async () => {
    await members();
    await admin.getByRole('button', { name: `Disable ${victim.email}` }).click();
    await admin
      .getByRole('list', { name: 'Results' })
      .getByText(`${victim.email}: disabled`)
      .waitFor();
    const member = `${tenant.t}/members/${victim.userId}`;
    expect((await api('GET', member, tenant.as)).body.status).toBe('disabled');
    await admin.getByRole('button', { name: `Enable ${victim.email}` }).waitFor();

    await admin.getByRole('button', { name: `Delete ${victim.email}` }).click();
    const confirm = admin.getByRole('group', { name: `Delete ${victim.email}?` });
    await confirm.getByRole('button', { name: 'Yes' }).waitFor();
    // Asking deletes nothing yet.
    expect((await api('GET', member, tenant.as)).status).toBe(200);
    await checkScreen(admin, 'console-members-confirm');
    await confirm.getByRole('button', { name: 'Yes' }).click();
    await admin
      .getByRole('list', { name: 'Results' })
      .getByText(`${victim.email}: deleted`)
      .waitFor();
    expect((await api('GET', member, tenant.as)).status).toBe(404);
    await expect
      .poll(() => admin.getByRole('cell', { name: victim.email, exact: true }).count())
      .toBe(0);
  });

  it("shows a member's effective permissions with the source of each", async () => {
    await members();
    await admin.getByRole('link', { name: shown.email, exact: true }).click();
    const panel = admin.getByRole('region', { name: `Effective permissions of ${shown.email}` });
    const row = (resource: string, action: string, source: string) =>
      panel.getByRole('row', { name: `${resource} ${action} ${source}`, exact: true });
    await row('app:own', 'full', 'Direct grant').waitFor();
    await row('app:ops', 'update', `Group ${groupId}`).waitFor();
    await row('app:reports', 'read', `Role ${roleId}`).waitFor();
    await checkScreen(admin, 'console-members-permissions');
  });

  it('offers every role in the bulk picker, past the first page of 100, and removes the last one', async () => {
    // 101 roles whose ids sort after every other role: the last is on the list's second page.
    const ids = Array.from({ length: 101 }, (_, i) => `zz-${run}-${String(i).padStart(3, '0')}`);
    // One at a time: each creation rewrites the tenant's policy item, so parallel ones would
    // only race and retry.
    for (const id of ids) {
      await expectStatus(
        api('POST', `${tenant.t}/roles`, {
          ...tenant.as,
          body: { roleId: id, name: id, permissions: [{ resource: 'app:x', action: 'read' }] },
        }),
        201,
        `role ${id}`,
      );
    }
    const last = ids.at(-1) as string;
    await expectStatus(
      api('PUT', `${tenant.t}/members/${plain.userId}/roles/${last}`, { ...tenant.as, body: {} }),
      200,
      'bind the last role',
    );
    // The screen reads the tenant's roles when it opens: open it afresh.
    await admin.reload();
    await members();
    const picker = admin.locator('#bulk-role');
    // Preact sets an option's value as a property: find it by its text.
    await expect
      .poll(() => picker.locator('option').evaluateAll((os) => os.map((o) => o.textContent)))
      .toContain(last);
    await admin.getByRole('checkbox', { name: `Select ${plain.email}` }).check();
    await picker.selectOption(last);
    await admin.getByRole('button', { name: '-Role' }).click();
    await admin.getByRole('list', { name: 'Results' }).getByText(plain.email).first().waitFor();
    const after = await api('GET', `${tenant.t}/members/${plain.userId}`, tenant.as);
    expect(after.body.roles).not.toContainEqual(expect.objectContaining({ roleId: last }));
  });
});

describe('invites screen', () => {
  it('resends an expired invite: a new mail with a new link', async () => {
    const email = uniqueEmail('expired');
    const sent = await expectStatus(
      api('POST', `${tenant.t}/invites`, { ...tenant.as, body: { emails: [email] } }),
      200,
      'invite',
    );
    const inviteId = String(sent.body.results[0].inviteId);
    const [first] = await waitForMails(email, 1, 30_000);
    if (!first) throw new Error('no first mail');
    // Past its expiry while the store still holds it (DynamoDB deletes by TTL days later).
    await ddb.send(
      new UpdateCommand({
        TableName: stack.dynamodb.tableName,
        Key: { pk: `TENANT#${tenant.tenantId}`, sk: `INVITE#${inviteId}` },
        UpdateExpression: 'SET expiresAt = :past',
        ExpressionAttributeValues: { ':past': new Date(Date.now() - 3_600_000).toISOString() },
      }),
    );
    await admin.goto(`${stack.consoleUrl}#/invites`);
    await admin.getByLabel('Status').selectOption('expired');
    const row = admin.getByRole('row').filter({ hasText: email });
    await row.getByRole('cell', { name: 'expired', exact: true }).waitFor();
    await checkScreen(admin, 'console-invites-expired');
    await row.getByRole('button', { name: `Resend to ${email}` }).click();
    await admin
      .getByRole('list', { name: 'Invite actions' })
      .getByText(`${email}: sent again`)
      .waitFor();
    const mails = await waitForMails(email, 2, 30_000);
    const [, second] = mails;
    expect(mails).toHaveLength(2);
    expect(second && tokenOf(second)).not.toBe(tokenOf(first));
    const read = await api('GET', `${tenant.t}/invites/${inviteId}`, tenant.as);
    expect(read.body.status).toBe('pending');
  });
});

describe('what a viewer may not do is not offered', () => {
  it('shows a plain member no admin tab and no admin action', async () => {
    const page = await openConsoleAs(browser, plain, tenant.tenantId);
    const nav = page.getByRole('navigation', { name: 'Sections' });
    await nav.getByRole('link', { name: 'My tokens' }).waitFor();
    // Their own tokens, and the tenant's settings to read (tenant read is every member's).
    expect((await nav.getByRole('link').allTextContents()).sort()).toEqual([
      'My tokens',
      'Settings',
    ]);
    // Asking for an admin screen by address shows the first screen they may use instead.
    await page.goto(`${stack.consoleUrl}#/invites`);
    await page.getByRole('heading', { name: 'My tokens' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Invites' }).count()).toBe(0);
    for (const name of [/Delete/, /Force logout/, /\+Role/, /Resend/, /Send invites/])
      expect(await page.getByRole('button', { name }).count(), String(name)).toBe(0);
    await checkScreen(page, 'console-member-plain');
    await page.context().close();
  });

  it('shows a members reader the list but no action, no bulk bar and no Invites tab', async () => {
    const reader = await addUser(tenant.tenantId, tenant.owner.accessToken);
    const readerRole = uniqueId('reader');
    await expectStatus(
      api('POST', `${tenant.t}/roles`, {
        ...tenant.as,
        body: {
          roleId: readerRole,
          name: 'Member reader',
          permissions: [{ resource: 'gatehouse:members', action: 'read' }],
        },
      }),
      201,
      'role',
    );
    await expectStatus(
      api('PUT', `${tenant.t}/members/${reader.userId}/roles/${readerRole}`, {
        ...tenant.as,
        body: {},
      }),
      200,
      'bind',
    );
    const page = await members(await openConsoleAs(browser, reader, tenant.tenantId));
    await page.getByRole('cell', { name: plain.email, exact: true }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Sections' });
    expect(await nav.getByRole('link', { name: 'Invites' }).count()).toBe(0);
    for (const name of [/^Delete/, /^Force logout/, /^Disable/, /^\+Role/, /^-Group/])
      expect(await page.getByRole('button', { name }).count(), String(name)).toBe(0);
    expect(await page.getByRole('checkbox').count()).toBe(0);
    expect(await page.getByRole('group', { name: /selected member/ }).count()).toBe(0);
    await checkScreen(page, 'console-members-reader');
    await page.context().close();
  });
});
