/**
 * The invite mailer and the outbox re-drive against a private DynamoDB Local table (no stream
 * poller or re-drive watches it): failures are recorded and retried with backoff until sent or
 * dead, a dead mail is re-driven on request, two deliverers never send one mail twice. Also measures a
 * 100-address invite (time and DynamoDB requests).
 */
import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createStoreDeps, type WiredStoreDeps } from '#shared/app/store-deps.js';
import { deliverInviteBatch, outboxKinds } from '#shared/invites/invite-delivery.js';
import { createInvites } from '#shared/invites/invite-service.js';
import { setTenantLimits, setUserTenantCap } from '#shared/limits/mail-limits.js';
import type { Mailer, MailMessage } from '#shared/mail/mailer.js';
import {
  listDeadMail,
  type RetryPolicy,
  redriveOutbox,
  requeueDeadMail,
} from '#shared/mail/outbox.js';
import { fixedClock } from '#shared/platform/clock.js';
import { keys } from '#shared/store/keys.js';
import { createTableInput } from '#shared/store/table-definition.js';
import { createTenant } from '#shared/tenants/tenant-service.js';
import { domainDeps } from '../support/domain-deps.js';
import { stack, uniqueEmail, uniqueId } from '../support/stack-client.js';

const tableName = `mailer-${randomBytes(4).toString('hex')}`;
const owner = { userId: 'owner-1', email: 'owner@example.test' };
let deps: WiredStoreDeps;

beforeAll(async () => {
  const ddb = new DynamoDBClient({
    region: stack.dynamodb.region,
    endpoint: stack.dynamodb.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ddb.send(new CreateTableCommand(createTableInput(tableName)));
  ddb.destroy();
  // The storage port is bound to its table: build the dependencies around the private one.
  deps = createStoreDeps(domainDeps().db, tableName);
  // One synthetic owner creates every tenant here: an operator lifts their daily cap.
  await setUserTenantCap(deps, owner.userId, 1000);
});

async function invitedOutbox() {
  const tenantId = uniqueId('m');
  await createTenant(deps, owner, { tenantId, name: 'Mail tenant' });
  const email = uniqueEmail('mail');
  const { results } = await createInvites(deps, owner, tenantId, { emails: [email] });
  const inviteId = results[0]?.inviteId ?? '';
  const outbox = await deps.db.send(
    new GetCommand({ TableName: tableName, Key: keys.inviteOutbox(inviteId) }),
  );
  if (!outbox.Item) throw new Error('no outbox item');
  const record: DynamoDBRecord = {
    eventID: '1',
    eventName: 'INSERT',
    dynamodb: {
      SequenceNumber: '100',
      NewImage: marshall(outbox.Item) as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'],
    },
  };
  const invite = async () =>
    (
      await deps.db.send(
        new GetCommand({
          TableName: tableName,
          Key: keys.invite(tenantId, inviteId),
          ConsistentRead: true,
        }),
      )
    ).Item;
  const outboxItem = async () =>
    (
      await deps.db.send(
        new GetCommand({
          TableName: tableName,
          Key: keys.inviteOutbox(inviteId),
          ConsistentRead: true,
        }),
      )
    ).Item;
  const outboxExists = async () => Boolean(await outboxItem());
  return { record, invite, outboxExists, outboxItem, email };
}

const failing: Mailer = {
  send: async () => {
    throw Object.assign(new Error('Throttling: Maximum sending rate exceeded'), {
      name: 'Throttling',
    });
  },
};

function recording(): Mailer & { sent: MailMessage[] } {
  const sent: MailMessage[] = [];
  return { sent, send: async (m) => void sent.push(m) };
}

const acceptUrl = 'https://app.example.test/accept';
const policy: RetryPolicy = {
  baseDelayMs: 60_000,
  maxDelayMs: 3_600_000,
  maxAttempts: 3,
  leaseMs: 60_000,
};

/** Delivery deps on a clock the test moves, so backoff and expiry need no sleeping. */
function delivery(mailer: Mailer, clock = fixedClock(new Date())) {
  return { ...deps, clock, mailer, acceptUrl, policy };
}

describe('invite mailer', () => {
  it('records a failed send on the outbox item and the invite, and retries it when due', async () => {
    const { record, invite, outboxExists, outboxItem, email } = await invitedOutbox();
    const clock = fixedClock(new Date());
    const res = await deliverInviteBatch(delivery(failing, clock), [record]);
    // The failure is kept durably for the re-drive: the stream record itself succeeded.
    expect(res.batchItemFailures).toEqual([]);
    expect(await invite()).toMatchObject({
      deliveryStatus: 'queued',
      deliveryAttempts: 1,
      lastDeliveryError: expect.stringContaining('Throttling'),
    });
    expect(await outboxItem()).toMatchObject({ attempts: 1, gsi1pk: 'OUTBOX#DUE' });
    const mailer = recording();
    // Not due yet: the re-drive leaves it alone.
    const to = () => mailer.sent.filter((m) => m.to === email);
    await redriveOutbox(delivery(mailer, clock), outboxKinds);
    expect(to()).toHaveLength(0);
    clock.advance(2 * policy.baseDelayMs);
    await redriveOutbox(delivery(mailer, clock), outboxKinds);
    expect(to()).toHaveLength(1);
    expect(await invite()).toMatchObject({ deliveryStatus: 'sent' });
    expect((await invite())?.lastDeliveryError).toBeUndefined();
    expect(await outboxExists()).toBe(false);
  });

  it('ignores the stream records of its own bookkeeping (claims, failures)', async () => {
    const { record, outboxItem, email } = await invitedOutbox();
    await deliverInviteBatch(delivery(failing), [record]);
    const after = await outboxItem();
    const modify: DynamoDBRecord = {
      ...record,
      eventName: 'MODIFY',
      dynamodb: { ...record.dynamodb, NewImage: marshall(after) as never },
    };
    const mailer = recording();
    await deliverInviteBatch(delivery(mailer), [modify]);
    expect(mailer.sent.filter((m) => m.to === email)).toHaveLength(0);
  });

  it('gives up after the last attempt: the invite is failed, the mail listed dead, and a re-drive sends it once', async () => {
    const { record, invite, outboxExists, email } = await invitedOutbox();
    const clock = fixedClock(new Date());
    await deliverInviteBatch(delivery(failing, clock), [record]);
    for (let i = 1; i < policy.maxAttempts; i++) {
      clock.advance(policy.maxDelayMs * 2);
      await redriveOutbox(delivery(failing, clock), outboxKinds);
    }
    expect(await invite()).toMatchObject({
      deliveryStatus: 'failed',
      deliveryAttempts: policy.maxAttempts,
    });
    const dead = await listDeadMail(deps);
    expect(dead.find((d) => d.email === email)).toMatchObject({
      type: 'invite-mail',
      attempts: policy.maxAttempts,
      lastError: expect.stringContaining('Throttling'),
    });
    expect(JSON.stringify(dead)).not.toMatch(/token/i);
    // Dead mail is not retried on schedule...
    const mailer = recording();
    clock.advance(policy.maxDelayMs * 2);
    await redriveOutbox(delivery(mailer, clock), outboxKinds);
    expect(mailer.sent.filter((m) => m.to === email)).toHaveLength(0);
    // ...until an operator re-queues it.
    expect(await requeueDeadMail(delivery(mailer, clock), outboxKinds)).toBeGreaterThanOrEqual(1);
    expect((await invite())?.deliveryStatus).toBe('queued');
    await redriveOutbox(delivery(mailer, clock), outboxKinds);
    await redriveOutbox(delivery(mailer, clock), outboxKinds);
    expect(mailer.sent.filter((m) => m.to === email)).toHaveLength(1);
    expect((await invite())?.deliveryStatus).toBe('sent');
    expect(await outboxExists()).toBe(false);
  });

  it('sends once when the stream and the re-drive deliver the same item at the same time', async () => {
    const { record, email } = await invitedOutbox();
    const clock = fixedClock(new Date());
    clock.advance(2 * 60_000); // past the item's first re-drive time
    const mailer = recording();
    const slow: Mailer = {
      send: async (m) => {
        await new Promise((r) => setTimeout(r, 100));
        await mailer.send(m);
      },
    };
    await Promise.all([
      deliverInviteBatch(delivery(slow, clock), [record]),
      redriveOutbox(delivery(slow, clock), outboxKinds),
      deliverInviteBatch(delivery(slow, clock), [record]),
    ]);
    expect(mailer.sent.filter((m) => m.to === email)).toHaveLength(1);
  });

  it('deletes an outbox item past its expiry instead of keeping the raw token', async () => {
    const { invite, outboxExists, email } = await invitedOutbox();
    const clock = fixedClock(new Date());
    clock.advance(2 * 24 * 3600 * 1000);
    const mailer = recording();
    await redriveOutbox(delivery(mailer, clock), outboxKinds);
    expect(mailer.sent.filter((m) => m.to === email)).toHaveLength(0);
    expect(await outboxExists()).toBe(false);
    expect(await invite()).toMatchObject({ deliveryStatus: 'failed' });
  });

  it('sends nothing twice when a delivered record comes again', async () => {
    const { record, email } = await invitedOutbox();
    const mailer = recording();
    await deliverInviteBatch(delivery(mailer), [record]);
    await deliverInviteBatch(delivery(mailer), [record]);
    expect(mailer.sent.map((m) => m.to)).toEqual([email]);
    expect(mailer.sent[0]?.text).toContain(`${acceptUrl}?token=`);
  });

  it('measures inviting 100 addresses in one call', async () => {
    const tenantId = uniqueId('m');
    await createTenant(deps, owner, { tenantId, name: 'Bulk tenant' });
    // A new tenant may send tens of mails a day; an operator raised this one's limits.
    await setTenantLimits(deps, tenantId, { mailsPerHour: 1000, mailsPerDay: 1000 });
    const counts: Record<string, number> = {};
    deps.db.middlewareStack.add(
      (next, context) => async (args) => {
        counts[context.commandName ?? '?'] = (counts[context.commandName ?? '?'] ?? 0) + 1;
        return next(args);
      },
      { step: 'initialize', name: 'countRequests' },
    );
    const emails = Array.from({ length: 100 }, (_, i) => `bulk${i}-${tenantId}@example.test`);
    const started = performance.now();
    const { results } = await createInvites(deps, owner, tenantId, { emails });
    const ms = Math.round(performance.now() - started);
    deps.db.middlewareStack.remove('countRequests');
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    process.stdout.write(
      `invite 100 addresses: ${ms} ms, ${total} DynamoDB requests ${JSON.stringify(counts)}\n`,
    );
    expect(results.filter((r) => r.status === 'invited')).toHaveLength(100);
    // Issue 17's goal is at most 30 (it was 203: a Query and a transaction per address). The
    // tenant state's batch carries each address's member, suppression and email-lock items and
    // the mail counters (305 keys: 4 BatchGetItem), one Query finds members from before the
    // email uniqueness item, and 6 transactions write 19 addresses each (2 counters + 5 x 19).
    expect(counts).toEqual({
      BatchGetItemCommand: 4,
      QueryCommand: 1,
      TransactWriteItemsCommand: 6,
    });
    expect(total).toBeLessThanOrEqual(30);
    // With the mailer sending their mail beside them, on a loaded 2-core machine this has taken
    // over 30 s. It measures; it asserts no time.
  }, 120_000);
});
