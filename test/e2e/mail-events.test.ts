/**
 * Issue 15, bounces and complaints: the local stack publishes SES's events for mail to the
 * mailbox simulator (bounce@ / complaint@simulator.amazonses.com) through the real mail-events
 * handler, as SES and EventBridge do on AWS (local/ses-events.ts). SES has no simulator address
 * for a soft bounce, and a duplicate delivery cannot be provoked, so those tests build the event
 * AWS would send (the same builder) and feed it to the code the handler runs, as the
 * offboarding tests do.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { applyMailEvent } from '#shared/invites/invite-mail-events.js';
import { parseMailEvent } from '#shared/mail/mail-events.js';
import { inviteMailTags } from '#shared/mail/mail-tags.js';
import {
  LOCAL_CONFIGURATION_SET,
  type SimulatedOutcome,
  sesEventFor,
} from '../../local/ses-events.js';
import { runCli } from '../support/cli-runner.js';
import { domainDeps } from '../support/domain-deps.js';
import { waitForMails } from '../support/mail-store.js';
import {
  api,
  createTenantWithOwner,
  type OwnedTenant,
  stack,
  uniqueEmail,
  uniqueId,
} from '../support/stack-client.js';
import { partitionItems, snapshotTenant } from '../support/table-snapshot.js';

const scratch = mkdtempSync(join(tmpdir(), 'gatehouse-mail-events-'));
const stackFile = join(scratch, 'stack.json');
writeFileSync(stackFile, JSON.stringify(stack));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `gatehouse invites list --status <status> --json` as the tenant's owner. */
async function cliInvites(o: OwnedTenant, status: string): Promise<{ inviteId: string }[]> {
  const dir = mkdtempSync(join(scratch, 'config-'));
  const login = await runCli(
    stackFile,
    dir,
    ['login', '--email', o.owner.email, '--password-stdin'],
    o.owner.password,
  );
  expect(login.code).toBe(0);
  const args = ['--tenant', o.tenantId, 'invites', 'list', '--status', status, '--json'];
  const listed = await runCli(stackFile, dir, args);
  expect(listed.code, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout).items;
}

const simulator = (box: 'bounce' | 'complaint') =>
  `${box}+${uniqueId('x')}@simulator.amazonses.com`;

async function invite(o: OwnedTenant, email: string): Promise<string> {
  const res = await api('POST', `${o.t}/invites`, { ...o.as, body: { emails: [email] } });
  expect(res.status).toBe(200);
  expect(res.body.results[0].status).toBe('invited');
  return res.body.results[0].inviteId;
}

/** Reads the invite until `done` holds (the mailer and SES's events are asynchronous). */
async function inviteWhen(
  o: OwnedTenant,
  inviteId: string,
  done: (body: Record<string, unknown>) => boolean,
) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await api('GET', `${o.t}/invites/${inviteId}`, o.as);
    if (done(res.body) || Date.now() > deadline) return res.body;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function auditActions(tenantId: string): Promise<string[]> {
  return (await partitionItems(`AUDIT#${tenantId}`)).map((e) => String(e.action));
}

/** The event SES would publish for a mail of this invite, fed to what the handler runs. */
function feed(
  o: OwnedTenant,
  inviteId: string,
  email: string,
  outcome: SimulatedOutcome,
  configurationSet = LOCAL_CONFIGURATION_SET,
) {
  const mail = {
    messageId: `local-${uniqueId('m')}`,
    source: 'no-reply@gatehouse.local',
    to: email,
    configurationSet,
    tags: inviteMailTags({ tenantId: o.tenantId, inviteId, sendCount: 1 }),
  };
  const event = sesEventFor(mail, outcome);
  return {
    event,
    apply: (e: unknown = event) =>
      applyMailEvent(domainDeps(), parseMailEvent(e, LOCAL_CONFIGURATION_SET)),
  };
}

describe('bounces and complaints (issue 15)', () => {
  it('a hard bounce marks the invite bounced (API and CLI listings), suppresses the address and audits both', {
    timeout: 60_000,
  }, async () => {
    const o = await createTenantWithOwner();
    const email = simulator('bounce');
    const inviteId = await invite(o, email);
    expect(await waitForMails(email)).toHaveLength(1);
    const read = await inviteWhen(o, inviteId, (b) => b.status === 'bounced');
    expect(read).toMatchObject({ status: 'bounced', deliveryStatus: 'bounced' });
    expect(read.deliveryProblemDetail).toBe('Permanent bounce (General)');
    const bounced = await api('GET', `${o.t}/invites?status=bounced`, o.as);
    expect(bounced.body.items.map((i: { inviteId: string }) => i.inviteId)).toEqual([inviteId]);
    const pending = await api('GET', `${o.t}/invites?status=pending`, o.as);
    expect(pending.body.items).toEqual([]);
    expect((await cliInvites(o, 'bounced')).map((i) => i.inviteId)).toEqual([inviteId]);
    const actions = await auditActions(o.tenantId);
    expect(actions.filter((a) => a === 'invite.bounce')).toHaveLength(1);
    expect(actions.filter((a) => a === 'mail.suppress')).toHaveLength(1);
    const events = await partitionItems(`AUDIT#${o.tenantId}`);
    expect(events.find((e) => e.action === 'invite.bounce')).toMatchObject({
      actor: 'system:ses',
      target: `invite:${inviteId}`,
    });
  });

  it('refuses mail to a suppressed address: resend and direct add are 409 naming the field, a bulk invite answers suppressed; nothing is written or sent', async () => {
    const o = await createTenantWithOwner();
    const email = simulator('bounce');
    const inviteId = await invite(o, email);
    await inviteWhen(o, inviteId, (b) => b.status === 'bounced');
    const before = await snapshotTenant(o.tenantId);

    const resend = await api('POST', `${o.t}/invites/${inviteId}/resend`, o.as);
    expect(resend.status).toBe(409);
    expect(resend.headers.get('content-type')).toContain('application/problem+json');
    expect(resend.body.errors[0].path).toBe('path.inviteId');
    expect(resend.body.reason).toBe('address-bounced');

    const add = await api('POST', `${o.t}/members`, { ...o.as, body: { email } });
    expect(add.status).toBe(409);
    expect(add.body.errors[0].path).toBe('body.email');
    expect(await snapshotTenant(o.tenantId)).toEqual(before);

    const other = uniqueEmail('fine');
    const bulk = await api('POST', `${o.t}/invites`, { ...o.as, body: { emails: [email, other] } });
    expect(bulk.status).toBe(200);
    expect(bulk.body.results.map((r: { status: string }) => r.status)).toEqual([
      'suppressed',
      'invited',
    ]);
    const mentions = (items: Record<string, unknown>[]) =>
      items.filter((i) => JSON.stringify(i).includes(email));
    expect(mentions((await snapshotTenant(o.tenantId)).tenant)).toEqual(mentions(before.tenant));
    expect(await waitForMails(email, 2, 1500)).toHaveLength(1);

    // Suppression is the tenant's own: another tenant may still invite the address.
    const elsewhere = await createTenantWithOwner();
    await invite(elsewhere, email);
  });

  it('a complaint marks the invite complained and suppresses the address', async () => {
    const o = await createTenantWithOwner();
    const email = simulator('complaint');
    const inviteId = await invite(o, email);
    const read = await inviteWhen(o, inviteId, (b) => b.status === 'complained');
    expect(read).toMatchObject({ status: 'complained', deliveryStatus: 'complained' });
    const listed = await api('GET', `${o.t}/invites?status=complained`, o.as);
    expect(listed.body.items).toHaveLength(1);
    expect(await auditActions(o.tenantId)).toContain('invite.complaint');
    const resend = await api('POST', `${o.t}/invites/${inviteId}/resend`, o.as);
    expect(resend.status).toBe(409);
    expect(resend.body.reason).toBe('address-complained');
  });

  it('a soft bounce suppresses nothing: the invite stays pending and can be resent', async () => {
    const o = await createTenantWithOwner();
    const email = uniqueEmail('full-mailbox');
    const inviteId = await invite(o, email);
    await inviteWhen(o, inviteId, (b) => b.deliveryStatus === 'sent');
    const before = await snapshotTenant(o.tenantId);
    const result = await feed(o, inviteId, email, 'soft-bounce').apply();
    expect(result).toEqual({ applied: false, why: 'a soft bounce suppresses nothing' });
    expect(await snapshotTenant(o.tenantId)).toEqual(before);
    const read = await api('GET', `${o.t}/invites/${inviteId}`, o.as);
    expect(read.body).toMatchObject({ status: 'pending', deliveryStatus: 'sent' });
    expect((await api('POST', `${o.t}/invites/${inviteId}/resend`, o.as)).status).toBe(200);
  });

  it('the same event twice changes nothing more', async () => {
    const o = await createTenantWithOwner();
    const email = uniqueEmail('gone');
    const inviteId = await invite(o, email);
    await inviteWhen(o, inviteId, (b) => b.deliveryStatus === 'sent');
    const bounce = feed(o, inviteId, email, 'hard-bounce');
    expect(await bounce.apply()).toEqual({
      applied: true,
      kind: 'bounced',
      suppressed: true,
      marked: true,
    });
    const once = await snapshotTenant(o.tenantId);
    expect(await bounce.apply()).toEqual({
      applied: true,
      kind: 'bounced',
      suppressed: false,
      marked: false,
    });
    // A complaint arriving after the bounce does not change the first verdict either.
    expect(await feed(o, inviteId, email, 'complaint').apply()).toMatchObject({
      suppressed: false,
      marked: false,
    });
    expect(await snapshotTenant(o.tenantId)).toEqual(once);
    const read = await api('GET', `${o.t}/invites/${inviteId}`, o.as);
    expect(read.body.status).toBe('bounced');
  });

  it('ignores events of another configuration set', async () => {
    const o = await createTenantWithOwner();
    const email = uniqueEmail('other-set');
    const inviteId = await invite(o, email);
    await inviteWhen(o, inviteId, (b) => b.deliveryStatus === 'sent');
    const before = await snapshotTenant(o.tenantId);
    const result = await feed(o, inviteId, email, 'hard-bounce', 'someone-else').apply();
    expect(result).toEqual({ applied: false, why: 'another configuration set (someone-else)' });
    expect(await snapshotTenant(o.tenantId)).toEqual(before);
  });

  it('npm run redrive-mail -- --events applies events saved from the dead-letter queue, once', {
    timeout: 60_000,
  }, async () => {
    const o = await createTenantWithOwner();
    const email = uniqueEmail('dead-lettered');
    const inviteId = await invite(o, email);
    await inviteWhen(o, inviteId, (b) => b.deliveryStatus === 'sent');
    // Lambda's failure record around the event, as the queue keeps it.
    const file = join(scratch, `${inviteId}.json`);
    const { event } = feed(o, inviteId, email, 'complaint');
    writeFileSync(file, JSON.stringify({ requestContext: {}, requestPayload: event }));
    const tsx = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'tsx');
    const script = join(import.meta.dirname, '..', '..', 'local', 'redrive-mail.ts');
    const args = [
      script,
      ...['--table', stack.dynamodb.tableName, '--region', stack.dynamodb.region],
      ...['--endpoint', stack.dynamodb.endpoint, '--events', file],
      ...['--configuration-set', LOCAL_CONFIGURATION_SET],
    ];
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };
    const run = () => promisify(execFile)(tsx, args, { env });
    expect((await run()).stdout).toContain('"marked":true');
    expect((await run()).stdout).toContain('"marked":false');
    const read = await api('GET', `${o.t}/invites/${inviteId}`, o.as);
    expect(read.body.status).toBe('complained');
  });
});
