/**
 * The invite mailer against a private DynamoDB Local table (no stream poller watches it): failures
 * leave the invite retryable and never sent, redelivery sends nothing twice. Also measures a
 * 100-address invite (time and DynamoDB requests).
 */
import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StoreDeps } from '#shared/app/context.js';
import { deliverInviteBatch } from '#shared/invites/invite-delivery.js';
import { createInvites } from '#shared/invites/invite-service.js';
import type { Mailer, MailMessage } from '#shared/mail/mailer.js';
import { keys } from '#shared/store/keys.js';
import { createTableInput } from '#shared/store/table-definition.js';
import { setTenantLimits, setUserTenantCap } from '#shared/tenants/tenant-limits.js';
import { createTenant } from '#shared/tenants/tenant-service.js';
import { domainDeps } from '../support/domain-deps.js';
import { stack, uniqueEmail, uniqueId } from '../support/stack-client.js';

const tableName = `mailer-${randomBytes(4).toString('hex')}`;
const owner = { userId: 'owner-1', email: 'owner@example.test' };
let deps: StoreDeps;

beforeAll(async () => {
  const ddb = new DynamoDBClient({
    region: stack.dynamodb.region,
    endpoint: stack.dynamodb.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ddb.send(new CreateTableCommand(createTableInput(tableName)));
  ddb.destroy();
  deps = { ...domainDeps(), tableName };
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
        new GetCommand({ TableName: tableName, Key: keys.invite(tenantId, inviteId) }),
      )
    ).Item;
  const outboxExists = async () =>
    Boolean(
      (
        await deps.db.send(
          new GetCommand({ TableName: tableName, Key: keys.inviteOutbox(inviteId) }),
        )
      ).Item,
    );
  return { record, invite, outboxExists, email };
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

describe('invite mailer', () => {
  it('reports a failed send for retry, marks the invite failed, never sent, and keeps the outbox', async () => {
    const { record, invite, outboxExists } = await invitedOutbox();
    const res = await deliverInviteBatch({ ...deps, mailer: failing, acceptUrl }, [record]);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: '100' }]);
    expect((await invite())?.deliveryStatus).toBe('failed');
    expect(await outboxExists()).toBe(true);
    const mailer = recording();
    const retry = await deliverInviteBatch({ ...deps, mailer, acceptUrl }, [record]);
    expect(retry.batchItemFailures).toEqual([]);
    expect(mailer.sent).toHaveLength(1);
    expect((await invite())?.deliveryStatus).toBe('sent');
    expect(await outboxExists()).toBe(false);
  });

  it('sends nothing twice when a delivered record comes again', async () => {
    const { record, email } = await invitedOutbox();
    const mailer = recording();
    await deliverInviteBatch({ ...deps, mailer, acceptUrl }, [record]);
    await deliverInviteBatch({ ...deps, mailer, acceptUrl }, [record]);
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
    // 201 as before, plus one read of the tenant's mail counters for the whole batch.
    expect(total).toBe(202);
  });
});
