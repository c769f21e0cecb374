/**
 * The console's access screens in a real browser (chromium via playwright-core) against the test
 * stack: create a role (a bad row's error shows next to that row) and a group (a bad id's error
 * next to its field), bind the role to the group under a scope, add a member to the group,
 * register a namespace, grant an ACL, and ask the check screen: allowed with its reason, then
 * denied once the rule is revoked. axe-core finds no serious or critical violation on any of
 * these screens; UPDATE_SCREENSHOTS=1 saves them to docs/screenshots/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { checkScreen, openConsoleAs } from '../support/console-page.js';
import {
  addUser,
  api,
  createTenantWithOwner,
  type OwnedTenant,
  type TestUser,
} from '../support/stack-client.js';

let browser: Browser;
let tenant: OwnedTenant;
let member: TestUser;
let admin: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  tenant = await createTenantWithOwner();
  member = await addUser(tenant.tenantId, tenant.owner.accessToken);
  admin = await openConsoleAs(browser, tenant.owner, tenant.tenantId, 'roles');
});

afterAll(async () => {
  await browser?.close();
});

/** The error shown under a field, found through the field's own aria-describedby. */
async function errorOf(page: Page, label: string): Promise<string> {
  const field = page.getByLabel(label, { exact: true });
  await expect.poll(() => field.getAttribute('aria-invalid')).toBe('true');
  const ids = (await field.getAttribute('aria-describedby')) ?? '';
  const errorId = ids.split(' ').find((id) => id.endsWith('-error'));
  return (await page.locator(`[id="${errorId}"]`).textContent()) ?? '';
}

describe('groups, roles, ACLs, namespaces and check in the console', () => {
  it('creates a role of two permission rows, a bad row refused with its error beside it', async () => {
    await admin.getByRole('heading', { name: 'Roles', level: 1 }).waitFor();
    await admin.getByLabel('Role ID').fill('deployers');
    await admin.getByLabel('Name', { exact: true }).fill('Deployers');
    await admin.getByLabel('Resource 1').fill('app:deploy');
    await admin.getByRole('button', { name: 'Add a permission' }).click();
    await admin.getByLabel('Resource 2').fill('app::prod');
    await admin.getByLabel('Action 2').selectOption('update');
    await admin.getByRole('button', { name: 'Create role' }).click();
    expect(await errorOf(admin, 'Resource 2')).not.toBe('');
    expect(await admin.getByLabel('Resource 1').getAttribute('aria-invalid')).toBeNull();
    expect((await api('GET', `${tenant.t}/roles/deployers`, tenant.as)).status).toBe(404);

    await admin.getByLabel('Resource 2').fill('app:deploy/prod');
    await admin.getByRole('button', { name: 'Create role' }).click();
    await admin.getByRole('cell', { name: 'Deployers (deployers)' }).waitFor();
    const role = await api('GET', `${tenant.t}/roles/deployers`, tenant.as);
    expect(role.body.permissions).toEqual([
      { resource: 'app:deploy', action: 'read' },
      { resource: 'app:deploy/prod', action: 'update' },
    ]);
    await checkScreen(admin, 'console-roles');
  });

  it('creates a group, binds the role under a resource and adds a member by email', async () => {
    await admin.getByRole('link', { name: 'Groups' }).click();
    await admin.getByLabel('Group ID').fill('Not an id!');
    await admin.getByLabel('Name', { exact: true }).fill('Operators');
    await admin.getByRole('button', { name: 'Create group' }).click();
    expect(await errorOf(admin, 'Group ID')).not.toBe('');

    await admin.getByLabel('Group ID').fill('ops');
    await admin.getByRole('button', { name: 'Create group' }).click();
    await admin.getByRole('button', { name: 'Open group Operators' }).click();
    // The opened group takes the keyboard focus (its heading).
    await expect.poll(() => admin.locator(':focus').textContent()).toBe('Group Operators');
    await admin.getByLabel('Member’s email').fill(member.email);
    await admin.getByRole('button', { name: 'Add to group' }).click();
    await admin.getByRole('button', { name: `Remove ${member.email} from the group` }).waitFor();

    await admin.getByLabel('Role', { exact: true }).fill('deployers');
    await admin.getByLabel('Only under a resource').check();
    await admin.getByLabel('Resource', { exact: true }).fill('app:deploy');
    await admin.getByRole('button', { name: 'Bind role' }).click();
    await admin
      .getByRole('list', { name: 'Bound roles' })
      .getByText('deployers only under app:deploy')
      .waitFor();
    await checkScreen(admin, 'console-groups');

    const group = await api('GET', `${tenant.t}/groups/ops`, tenant.as);
    expect(group.body.roles).toEqual([{ roleId: 'deployers', scope: 'app:deploy' }]);
    const inGroup = await api('GET', `${tenant.t}/members?group=ops`, tenant.as);
    expect(inGroup.body.items.map((m: { email: string }) => m.email)).toEqual([member.email]);
  });

  it('shows where a role is bound: the group carrying it and under which resource', async () => {
    await admin.getByRole('link', { name: 'Roles' }).click();
    await admin.getByRole('button', { name: 'Where bound role Deployers' }).click();
    await admin.getByText('Groups: ops (only under app:deploy).').waitFor();
  });

  it('edits a role: a removed row is gone from the role', async () => {
    await admin.getByRole('button', { name: 'Edit role Deployers' }).click();
    await expect.poll(() => admin.locator(':focus').textContent()).toBe('Edit role Deployers');
    await admin.getByRole('button', { name: 'Remove permission 2' }).click();
    await admin.getByRole('button', { name: 'Save role' }).click();
    await admin.getByRole('heading', { name: 'New role' }).waitFor();
    const role = await api('GET', `${tenant.t}/roles/deployers`, tenant.as);
    expect(role.body.permissions).toEqual([{ resource: 'app:deploy', action: 'read' }]);
  });

  it('registers a namespace that accepts only full', async () => {
    await admin.getByRole('link', { name: 'Namespaces' }).click();
    await admin.getByLabel('Resource prefix').fill('dcos:adminrouter');
    await admin.getByRole('button', { name: 'Register namespace' }).click();
    await admin.getByRole('cell', { name: 'dcos:adminrouter', exact: true }).waitFor();
    await checkScreen(admin, 'console-namespaces');
    const listed = await api('GET', `${tenant.t}/namespaces`, tenant.as);
    expect(listed.body.items).toEqual([{ prefix: 'dcos:adminrouter', actions: ['full'] }]);
  });

  it('grants an ACL to a member by email and shows the resources above it', async () => {
    await admin.getByRole('link', { name: 'ACLs' }).click();
    // The namespace registered above takes only full: read there is refused beside the action.
    await admin.getByLabel('Action', { exact: true }).selectOption('read');
    await admin.getByLabel('On resource').fill('dcos:adminrouter:ops');
    await admin.getByLabel('Member’s email').fill(member.email);
    await admin.getByRole('button', { name: 'Grant', exact: true }).click();
    expect(await errorOf(admin, 'Action')).toContain('dcos:adminrouter');

    await admin.getByLabel('On resource').fill('app:payments');
    await admin.getByLabel('Member’s email').fill(member.email);
    await admin.getByRole('button', { name: 'Grant', exact: true }).click();
    await admin.getByRole('cell', { name: member.email, exact: true }).waitFor();
    const rules = await api('GET', `${tenant.t}/acls?principal=user:${member.userId}`, tenant.as);
    expect(rules.body.items).toEqual([
      { principal: `user:${member.userId}`, resource: 'app:payments', action: 'read' },
    ]);

    // Below the rule: nothing of its own, the rule above listed as inherited.
    await admin.getByLabel('Resource', { exact: true }).fill('app:payments/ledger');
    await admin.getByRole('button', { name: 'Show rules' }).click();
    await admin.getByRole('table', { name: 'Rules on app:payments/ledger and under it' }).waitFor();
    await admin.getByText('No rules here.').waitFor();
    const inherited = admin.getByRole('table', { name: /^Inherited/ });
    await inherited.getByRole('cell', { name: member.email, exact: true }).waitFor();
    await checkScreen(admin, 'console-acls');

    const above = admin.getByRole('navigation', { name: 'Resources above' });
    await above.getByRole('button', { name: 'app:payments' }).click();
    await admin
      .getByRole('table', { name: 'Rules on app:payments and under it' })
      .getByRole('cell', { name: member.email, exact: true })
      .waitFor();

    // Every rule of one member, wherever it is.
    await admin.getByLabel('Resource', { exact: true }).fill('');
    await admin.getByLabel('Granted to').selectOption('member');
    await admin.getByLabel('Whose email').fill(member.email);
    await admin.getByRole('button', { name: 'Show rules' }).click();
    await admin
      .getByRole('table', { name: `Every rule, granted to ${member.email}` })
      .getByRole('cell', { name: 'app:payments', exact: true })
      .waitFor();
  });

  it('says the member may read with the reason, and may not once the rule is revoked', async () => {
    const ask = async () => {
      await admin.getByRole('link', { name: 'Check' }).click();
      await admin.getByLabel('May member (email)').fill(member.email);
      await admin.getByLabel('Do action').selectOption('read');
      // Enter in the last field submits, as any form does from the keyboard.
      await admin.getByLabel('On resource').fill('app:payments/ledger');
      await admin.getByLabel('On resource').press('Enter');
      return admin.locator('.answer p');
    };
    const allowed = await ask();
    await allowed.waitFor();
    expect(await allowed.textContent()).toMatch(
      /^Allowed: .* Reason: app:payments read granted directly$/,
    );
    await checkScreen(admin, 'console-check');

    await admin.getByRole('link', { name: 'ACLs' }).click();
    await admin.getByLabel('Resource', { exact: true }).fill('app:payments');
    await admin.getByRole('button', { name: 'Show rules' }).click();
    await admin
      .getByRole('button', { name: `Revoke read on app:payments from ${member.email}` })
      .click();
    await admin.getByRole('button', { name: 'Yes' }).click();
    await admin.getByText('No rules here.').waitFor();

    const denied = await ask();
    await denied.waitFor();
    expect(await denied.textContent()).toMatch(
      /^Denied: .* Reason: no rule grants read on app:payments\/ledger$/,
    );
  });

  it('names the field when the check asks about someone who is not a member', async () => {
    await admin.getByLabel('May member (email)').fill('nobody@example.com');
    await admin.getByRole('button', { name: 'Check', exact: true }).click();
    expect(await errorOf(admin, 'May member (email)')).toContain('nobody@example.com');
  });
});
