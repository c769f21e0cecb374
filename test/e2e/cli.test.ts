/** The `gatehouse` CLI as a subprocess against the test stack: sessions, exit codes, tables and JSON. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-runner.js';
import { tokenOf, waitForMails } from '../support/mail-store.js';
import { raiseMailLimits } from '../support/operator.js';
import {
  acceptMailedInvite,
  api,
  createTenantWithOwner,
  createUser,
  stack,
  type TestUser,
  uniqueEmail,
  uniqueId,
} from '../support/stack-client.js';

const scratch = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
const stackFile = join(scratch, 'stack.json');
writeFileSync(stackFile, JSON.stringify(stack));

// Each CLI run is a fresh Node process (about a second): give multi-step tests room.
const slow = { timeout: 90_000 };

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `gatehouse --stack <test stack> ...args` with its own config dir. */
const cli = (configDir: string, args: string[], input?: string) =>
  runCli(stackFile, configDir, args, input);

/** A fresh tenant, a config dir logged in as its owner and the `--tenant` arguments. */
async function ownerSession() {
  const { tenantId, owner } = await createTenantWithOwner();
  return { tenantId, owner, dir: await loggedIn(owner), t: ['--tenant', tenantId] };
}

/** A new user whom the owner (`dir`) adds with `users add` (pending until they accept). */
async function addedByCli(dir: string, t: string[], prefix: string): Promise<TestUser> {
  const person = await createUser(uniqueEmail(prefix));
  expect((await cli(dir, [...t, 'users', 'add', person.email])).code).toBe(0);
  return person;
}

function newConfigDir(): string {
  return mkdtempSync(join(scratch, 'config-'));
}

/** A config dir logged in as `user` through the CLI. */
async function loggedIn(user: TestUser): Promise<string> {
  const dir = newConfigDir();
  const res = await cli(dir, ['login', '--email', user.email, '--password-stdin'], user.password);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return dir;
}

function credentials(dir: string) {
  return JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as {
    sessions: Record<string, { email: string; accessToken: string; expiresAt: string }>;
  };
}

describe('gatehouse login, whoami and logout', slow, () => {
  it('stores the tokens in a 0600 file and whoami shows the signed-in user', async () => {
    const user = await createUser();
    const dir = await loggedIn(user);
    expect(statSync(join(dir, 'credentials.json')).mode & 0o777).toBe(0o600);
    expect(credentials(dir).sessions[stack.apiUrl]?.email).toBe(user.email);

    const human = await cli(dir, ['whoami']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(user.email);
    expect(human.stdout).toContain(user.userId);

    const json = await cli(dir, ['whoami', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ userId: user.userId, email: user.email });
  });

  it('refreshes an access token that is about to expire and stores the new one', async () => {
    const user = await createUser();
    const dir = await loggedIn(user);
    const file = credentials(dir);
    const session = file.sessions[stack.apiUrl];
    if (!session) throw new Error('no session stored');
    const old = session.accessToken;
    session.expiresAt = new Date(Date.now() + 5_000).toISOString();
    writeFileSync(join(dir, 'credentials.json'), JSON.stringify(file), { mode: 0o600 });

    const res = await cli(dir, ['whoami', '--json']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).userId).toBe(user.userId);
    const renewed = credentials(dir).sessions[stack.apiUrl];
    expect(renewed?.accessToken).not.toBe(old);
    expect(Date.parse(renewed?.expiresAt ?? '')).toBeGreaterThan(Date.now() + 60_000);
    expect(statSync(join(dir, 'credentials.json')).mode & 0o777).toBe(0o600);
  });

  it('exits 4 with a login hint when not logged in', async () => {
    const res = await cli(newConfigDir(), ['whoami']);
    expect(res.code).toBe(4);
    expect(res.stderr).toContain('gatehouse login');
    expect(res.stdout).toBe('');
  });

  it('exits 4 on a wrong password and stores nothing', async () => {
    const user = await createUser();
    const dir = newConfigDir();
    const res = await cli(
      dir,
      ['login', '--email', user.email, '--password-stdin'],
      'wrong-Pass-1',
    );
    expect(res.code).toBe(4);
    expect(res.stderr).toMatch(/incorrect email or password/i);
    expect((await cli(dir, ['whoami'])).code).toBe(4);
  });

  it('forgets the tokens on logout', async () => {
    const user = await createUser();
    const dir = await loggedIn(user);
    const out = await cli(dir, ['logout']);
    expect(out.code).toBe(0);
    expect(credentials(dir).sessions[stack.apiUrl]).toBeUndefined();
    expect((await cli(dir, ['whoami'])).code).toBe(4);
  });

  it('signs out everywhere: the old access token stops working in the tenant', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const dir = await loggedIn(owner);
    const token = credentials(dir).sessions[stack.apiUrl]?.accessToken;
    const res = await cli(dir, ['logout', '--everywhere']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/signed out everywhere/i);
    expect(credentials(dir).sessions[stack.apiUrl]).toBeUndefined();
    const tenant = await fetch(`${stack.apiUrl}/v1/tenants/${tenantId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(tenant.status).toBe(401);
  });
});

describe('gatehouse usage errors', slow, () => {
  it('exits 2 on an unknown command, a missing argument and a bad action', async () => {
    const dir = newConfigDir();
    expect((await cli(dir, ['frobnicate'])).code).toBe(2);
    expect((await cli(dir, ['users', 'show'])).code).toBe(2);
    const badAction = await cli(dir, ['check', 'someone', 'dcos:x', 'destroy']);
    expect(badAction.code).toBe(2);
    expect(badAction.stderr).toContain('must be one of create, read, update, delete, full');
  });

  it('exits 2 when acl grant names both a user and a group', async () => {
    const res = await cli(newConfigDir(), [
      'acl',
      'grant',
      'dcos:x',
      'read',
      '--user',
      'u1',
      '--group',
      'g1',
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('exactly one of --user');
  });

  it('exits 0 for --help', async () => {
    const res = await cli(newConfigDir(), ['--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Exit codes');
  });
});

describe('gatehouse tenants', slow, () => {
  it('creates a tenant and shows it, as a table and as JSON', async () => {
    const user = await createUser();
    const dir = await loggedIn(user);
    const tenantId = uniqueId('cli');
    const created = await cli(dir, ['tenants', 'create', tenantId, 'CLI tenant']);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`Created tenant ${tenantId}`);

    const shown = await cli(dir, ['tenants', 'show', tenantId, '--json']);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ tenantId, name: 'CLI tenant' });

    const byFlag = await cli(dir, ['--tenant', tenantId, 'tenants', 'show']);
    expect(byFlag.stdout).toMatch(/name:\s+CLI tenant/);
  });

  it('exits 7 on a duplicate tenant and 8 with the field on a bad id', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const dir = await loggedIn(owner);
    const dup = await cli(dir, ['tenants', 'create', tenantId, 'Again']);
    expect(dup.code).toBe(7);

    const bad = await cli(dir, ['tenants', 'create', 'No Spaces!', 'Bad']);
    expect(bad.code).toBe(8);
    expect(bad.stderr).toContain('body.tenantId');
    expect(bad.stderr).toContain('hint:');
  });

  it('exits 6 for a tenant the caller is not a member of', async () => {
    const { tenantId } = await createTenantWithOwner();
    const dir = await loggedIn(await createUser());
    const res = await cli(dir, ['tenants', 'show', tenantId]);
    expect(res.code).toBe(6);
  });
});

describe('gatehouse users', slow, () => {
  it('adds, lists, shows, logs out and deletes a member by email', async () => {
    const { owner, dir, t } = await ownerSession();
    const email = uniqueEmail('bob');

    const added = await cli(dir, [...t, 'users', 'add', email, '--role', 'admin', '--json']);
    expect(added.code).toBe(0);
    const member = JSON.parse(added.stdout);
    expect(member).toMatchObject({ email, status: 'pending' });

    const listed = await cli(dir, [...t, 'users', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^USERID\s+EMAIL\s+STATUS/);
    expect(listed.stdout).toContain(email);
    expect(listed.stdout).toContain(owner.email);

    const json = await cli(dir, [...t, 'users', 'list', '--email', email, '--json']);
    expect(JSON.parse(json.stdout).items.map((m: { email: string }) => m.email)).toEqual([email]);

    const shown = await cli(dir, [...t, 'users', 'show', email, '--json']);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ userId: member.userId, rules: [] });

    const perms = await cli(dir, [...t, 'users', 'permissions', email, '--limit', '2']);
    expect(perms.code).toBe(0);
    expect(perms.stdout).toMatch(/^RESOURCE\s+ACTION\s+SOURCE/);
    expect(perms.stdout).toContain('role admin');
    const allPerms = await cli(dir, [...t, 'users', 'permissions', email, '--all', '--json']);
    const everyPerm = JSON.parse(allPerms.stdout);
    expect(everyPerm.items.length).toBeGreaterThan(2);
    expect(everyPerm.nextCursor).toBeNull();

    expect((await cli(dir, [...t, 'users', 'logout', email])).code).toBe(0);
    expect((await cli(dir, [...t, 'users', 'delete', email])).code).toBe(0);

    const gone = await cli(dir, [...t, 'users', 'show', member.userId]);
    expect(gone.code).toBe(6);
    const unknownEmail = await cli(dir, [...t, 'users', 'delete', email]);
    expect(unknownEmail.code).toBe(6);
    expect(unknownEmail.stderr).toContain(`No member with email ${email}`);
  });

  it('exits 7 when deleting yourself, and prints the problem as JSON with --json', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const dir = await loggedIn(owner);
    const res = await cli(dir, ['--tenant', tenantId, '--json', 'users', 'delete', owner.email]);
    expect(res.code).toBe(7);
    expect(JSON.parse(res.stdout)).toMatchObject({ status: 409 });
    expect(res.stderr).toContain('error:');
  });

  it('exits 8 naming the field for a bad email', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const dir = await loggedIn(owner);
    const res = await cli(dir, ['--tenant', tenantId, 'users', 'add', 'not-an-email']);
    expect(res.code).toBe(8);
    expect(res.stderr).toContain('body.email');
  });

  it('exits 5 when a plain member tries to list members', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const member = await createUser();
    const ownerDir = await loggedIn(owner);
    expect((await cli(ownerDir, ['--tenant', tenantId, 'users', 'add', member.email])).code).toBe(
      0,
    );
    await acceptMailedInvite(member, tenantId);
    const memberDir = await loggedIn(member);
    const res = await cli(memberDir, ['--tenant', tenantId, 'users', 'list']);
    expect(res.code).toBe(5);
    expect(res.stderr).toContain('hint:');
  });

  it('disables and enables a member', async () => {
    const { tenantId, dir, t } = await ownerSession();
    const person = await addedByCli(dir, t, 'dis');
    const email = person.email;
    await acceptMailedInvite(person, tenantId);
    const disabled = await cli(dir, [...t, 'users', 'disable', email, '--json']);
    expect(disabled.code).toBe(0);
    expect(JSON.parse(disabled.stdout).status).toBe('disabled');
    const enabled = await cli(dir, [...t, 'users', 'enable', email, '--json']);
    expect(JSON.parse(enabled.stdout).status).toBe('active');
  });
});

describe('gatehouse check', slow, () => {
  it('exits 0 when allowed and 3 when denied, printing the reason', async () => {
    const { tenantId, owner, dir, t } = await ownerSession();
    const person = await addedByCli(dir, t, 'chk');
    const email = person.email;
    // Until they accept they are not a member (a check answers 404); then a plain member.
    expect((await cli(dir, [...t, 'check', email, 'dcos:service:marathon', 'full'])).code).toBe(6);
    await acceptMailedInvite(person, tenantId);

    const allowed = await cli(dir, [...t, 'check', owner.email, 'dcos:service:marathon', 'full']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/allowed:\s+yes/);
    expect(allowed.stdout).toMatch(/reason:\s+\S/);

    const denied = await cli(dir, [
      ...t,
      'check',
      email,
      'dcos:service:marathon',
      'full',
      '--json',
    ]);
    expect(denied.code).toBe(3);
    expect(JSON.parse(denied.stdout)).toMatchObject({ allowed: false });
  });
});

describe('gatehouse invites', slow, () => {
  it('invites a batch with per-address results, lists, revokes and refuses to resend a revoked one', async () => {
    const { dir, t } = await ownerSession();
    const a = uniqueEmail('inv');
    const b = uniqueEmail('inv');

    const human = await cli(dir, [...t, 'invite', `${a},${b}`, 'not-an-address']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`${a}\\s+invited`));
    expect(human.stdout).toMatch(/not-an-address\s+invalid/);
    expect(human.stdout).toContain('2 invited, 1 invalid');

    // Nothing invitable at all: the table still prints, and the exit code says so.
    const none = await cli(dir, [...t, 'invite', 'not-an-address', 'neither@']);
    expect(none.code).toBe(8);
    expect(none.stdout).toContain('2 invalid');

    const again = await cli(dir, [...t, 'invite', a, '--json']);
    expect(JSON.parse(again.stdout).results).toEqual([
      expect.objectContaining({ email: a, status: 'already_invited' }),
    ]);

    const listed = await cli(dir, [...t, 'invites', 'list', '--status', 'pending', '--json']);
    expect(listed.code).toBe(0);
    const items: { inviteId: string; email: string }[] = JSON.parse(listed.stdout).items;
    expect(items.map((i) => i.email).sort()).toEqual([a, b].sort());
    const inviteId = items.find((i) => i.email === a)?.inviteId ?? '';

    const shown = await cli(dir, [...t, 'invites', 'show', inviteId]);
    expect(shown.stdout).toMatch(/status:\s+pending/);
    expect((await cli(dir, [...t, 'invites', 'resend', inviteId])).code).toBe(0);
    expect((await cli(dir, [...t, 'invites', 'revoke', inviteId])).code).toBe(0);
    expect((await cli(dir, [...t, 'invites', 'resend', inviteId])).code).toBe(7);
    expect((await cli(dir, [...t, 'invites', 'show', 'no-such-invite'])).code).toBe(6);
  });

  it('splits more than 100 addresses into batches with a progress line', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    await raiseMailLimits(tenantId);
    const dir = await loggedIn(owner);
    const emails = Array.from({ length: 120 }, () => uniqueEmail('bulk')).join('\n');
    const res = await cli(dir, ['--tenant', tenantId, 'invite', '-', '--json'], emails);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('invited 100/120');
    expect(res.stderr).toContain('invited 120/120');
    const results: { status: string }[] = JSON.parse(res.stdout).results;
    expect(results).toHaveLength(120);
    expect(results.every((r) => r.status === 'invited')).toBe(true);
  });
});

describe('gatehouse groups, roles and acl', slow, () => {
  it('grants through a group, checks, revokes and checks again', async () => {
    const { tenantId, dir, t } = await ownerSession();
    const person = await addedByCli(dir, t, 'ops');
    const email = person.email;
    const rid = 'dcos:service:marathon:marathon:services/prod';
    expect((await cli(dir, [...t, 'groups', 'create', 'ops', 'Operations'])).code).toBe(0);
    // Given in advance to the pending member, kept when they accept.
    expect((await cli(dir, [...t, 'groups', 'add-member', 'ops', email])).code).toBe(0);
    expect((await cli(dir, [...t, 'acl', 'grant', rid, 'read', '--group', 'ops'])).code).toBe(0);
    await acceptMailedInvite(person, tenantId);

    const acls = await cli(dir, [...t, 'acl', 'list', '--group', 'ops', '--json']);
    expect(JSON.parse(acls.stdout).items).toEqual([
      { principal: 'group:ops', resource: rid, action: 'read' },
    ]);
    expect((await cli(dir, [...t, 'check', email, `${rid}/web`, 'read'])).code).toBe(0);
    expect((await cli(dir, [...t, 'check', email, `${rid}-eu`, 'read'])).code).toBe(3);

    expect((await cli(dir, [...t, 'acl', 'revoke', rid, 'read', '--group', 'ops'])).code).toBe(0);
    expect((await cli(dir, [...t, 'check', email, `${rid}/web`, 'read'])).code).toBe(3);

    expect((await cli(dir, [...t, 'acl', 'grant', rid, 'update', '--user', email])).code).toBe(0);
    expect((await cli(dir, [...t, 'check', email, rid, 'update'])).code).toBe(0);

    expect((await cli(dir, [...t, 'groups', 'remove-member', 'ops', email])).code).toBe(0);
    expect((await cli(dir, [...t, 'groups', 'delete', 'ops'])).code).toBe(0);
    expect((await cli(dir, [...t, 'groups', 'delete', 'everyone'])).code).toBe(7);
  });

  it('creates a role with permissions, lists it and deletes it', async () => {
    const { dir, t } = await ownerSession();
    const created = await cli(dir, [
      ...t,
      'roles',
      'create',
      'viewer',
      'Viewer',
      '--permission',
      'dcos:service:marathon:read',
      '--permission',
      'dcos:adminrouter:package:full',
    ]);
    expect(created.code).toBe(0);
    const listed = await cli(dir, [...t, 'roles', 'list', '--json']);
    const viewer = JSON.parse(listed.stdout).items.find(
      (r: { roleId: string }) => r.roleId === 'viewer',
    );
    expect(viewer.permissions).toEqual([
      { resource: 'dcos:service:marathon', action: 'read' },
      { resource: 'dcos:adminrouter:package', action: 'full' },
    ]);
    expect((await cli(dir, [...t, 'roles', 'delete', 'viewer'])).code).toBe(0);
    expect((await cli(dir, [...t, 'roles', 'show', 'viewer'])).code).toBe(6);
    const noPermission = await cli(dir, [...t, 'roles', 'create', 'empty', 'Empty']);
    expect(noPermission.code).toBe(2);
  });
});

describe('gatehouse tokens', slow, () => {
  it('mints a personal token shown once, lists it without the secret, and revokes it', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const dir = await loggedIn(owner);
    const created = await cli(dir, ['--tenant', tenantId, '--json', 'tokens', 'create', 'ci']);
    expect(created.code).toBe(0);
    const { token, tokenId } = JSON.parse(created.stdout) as { token: string; tokenId: string };
    expect(token).toMatch(/^ghm_/);
    const probe = () =>
      fetch(`${stack.apiUrl}/v1/tenants/${tenantId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await probe()).status).toBe(200);

    const listed = await cli(dir, ['tokens', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(tokenId);
    expect(listed.stdout).toContain('active');
    expect(listed.stdout).not.toContain(token.slice(-43));

    const revoked = await cli(dir, ['tokens', 'revoke', tokenId]);
    expect(revoked.code).toBe(0);
    expect((await probe()).status).toBe(401);
    expect((await cli(dir, ['tokens', 'revoke', '0'.repeat(26)])).code).toBe(6);
  });
});

describe('gatehouse users add, the person accepts, and tenants leave', slow, () => {
  it('invites the added person; they accept with a password of their choice, sign in, and can leave', async () => {
    const { tenantId, owner } = await createTenantWithOwner();
    const admin = await loggedIn(owner);
    const email = uniqueEmail('operator-added');
    const added = await cli(admin, ['--tenant', tenantId, 'users', 'add', email]);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(`An invitation was mailed to ${email}`);
    expect(added.stdout).toContain('pending');
    const [mail] = await waitForMails(email);
    if (!mail) throw new Error('no invitation mail');

    // What the hosted accept page does with the link and the password the person chose.
    const chosen = 'Chosen-pass-123';
    const accepted = await api('POST', '/v1/invites/accept', {
      body: { token: tokenOf(mail), password: chosen },
    });
    expect(accepted.status).toBe(201);
    const dir = newConfigDir();
    const first = await cli(dir, ['login', '--email', email, '--password-stdin'], chosen);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect((await cli(dir, ['--tenant', tenantId, 'tenants', 'show'])).code).toBe(0);

    const left = await cli(dir, ['tenants', 'leave', tenantId]);
    expect(left.code).toBe(0);
    expect(left.stdout).toContain(`You left tenant ${tenantId}`);
    expect((await cli(dir, ['--tenant', tenantId, 'tenants', 'show'])).code).not.toBe(0);
    // The last superuser cannot leave.
    expect((await cli(admin, ['tenants', 'leave', tenantId])).code).not.toBe(0);
  });
});
