/**
 * The outbox consumer: turns `invite-mail` outbox items into emails and records each invite's
 * delivery status, and sends the one-time password mails (`account-mail`) of people added
 * directly. New items arrive on the table stream; failed ones are retried by the re-drive
 * (shared/mail/outbox.ts) with backoff until they are sent or dead.
 */

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, AttributeValue as LambdaAttributeValue } from 'aws-lambda';
import type { StoreDeps } from '#shared/app/context.js';
import { ConflictError } from '#shared/errors/domain-errors.js';
import { renderInviteEmail } from '#shared/mail/invite-email.js';
import {
  attemptOutboxItem,
  type FailureRecord,
  type OutboxDeps,
  type OutboxItem,
  type OutboxKind,
  type OutboxOutcome,
} from '#shared/mail/outbox.js';
import {
  ACCOUNT_MAIL_TYPE,
  accountOutboxFromItem,
  deliverAccountMail,
} from '#shared/members/account-mail.js';
import { logger } from '#shared/observability/logger.js';
import { keys } from '#shared/store/keys.js';
import {
  type InviteOutbox,
  inviteFromItem,
  isExpired,
  outboxFromItem,
} from '#shared/store/records/invite-record.js';
import { transactWrite } from '#shared/store/transact.js';

export type DeliveryDeps = OutboxDeps;

/** The partial batch response Lambda expects with ReportBatchItemFailures. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** The outbox item types the mailer sends (the CDK stream filter and the local poller use it). */
export const OUTBOX_TYPES = ['invite-mail', ACCOUNT_MAIL_TYPE] as const;

/**
 * Whether a stream record is a new outbox write the mailer must act on (the CDK filter, in
 * code). Writes of the delivery bookkeeping itself (a claim's `leaseUntil`, a failure's
 * `attempts`) are not: the re-drive owns those items from then on.
 */
export function isOutboxRecord(record: {
  eventName?: string;
  dynamodb?: { NewImage?: Record<string, { S?: string }> };
}): boolean {
  const image = record.dynamodb?.NewImage;
  const type = image?.type?.S;
  return (
    record.eventName !== 'REMOVE' &&
    (OUTBOX_TYPES as readonly string[]).includes(type ?? '') &&
    image?.leaseUntil === undefined &&
    image?.attempts === undefined
  );
}

/** Updates the invite's delivery fields for this send, unless a resend or a delivery moved on. */
async function markInvite(
  deps: StoreDeps,
  outbox: InviteOutbox,
  set: string,
  values: Record<string, unknown>,
): Promise<void> {
  await deps.db
    .send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: keys.invite(outbox.tenantId, outbox.inviteId),
        UpdateExpression: set,
        ConditionExpression: 'attribute_exists(pk) AND sendCount = :n AND deliveryStatus <> :sent',
        ExpressionAttributeValues: { ':n': outbox.sendCount, ':sent': 'sent', ...values },
      }),
    )
    .catch((error: unknown) => {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    });
}

/**
 * Sends the mail of one claimed outbox item unless it is stale (the invite was resent, revoked,
 * accepted, has expired or was already delivered for this send). On success the invite becomes
 * `sent` and the outbox item (the only copy of the raw token) is deleted; a failure propagates
 * to the outbox, which schedules the next attempt.
 */
export async function deliverInviteMail(
  deps: DeliveryDeps,
  outbox: InviteOutbox,
): Promise<'sent' | 'stale'> {
  const T = deps.tableName;
  const res = await deps.db.send(
    new GetCommand({
      TableName: T,
      Key: keys.invite(outbox.tenantId, outbox.inviteId),
      ConsistentRead: true,
    }),
  );
  const invite = res.Item ? inviteFromItem(res.Item) : undefined;
  const log = { tenantId: outbox.tenantId, inviteId: outbox.inviteId, sendCount: outbox.sendCount };
  const current =
    invite?.status === 'pending' &&
    invite.sendCount === outbox.sendCount &&
    invite.sentSendCount !== outbox.sendCount &&
    !isExpired(invite, deps.clock.now());
  if (!current) {
    logger.info('Skipping stale invite mail', log);
    await deps.db
      .send(
        new DeleteCommand({
          TableName: T,
          Key: keys.inviteOutbox(outbox.inviteId),
          ConditionExpression: 'sendCount = :n',
          ExpressionAttributeValues: { ':n': outbox.sendCount },
        }),
      )
      .catch((error: unknown) => {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      });
    return 'stale';
  }
  await deps.mailer.send(
    renderInviteEmail({
      to: outbox.email,
      tenantName: outbox.tenantName,
      inviterEmail: outbox.invitedByEmail,
      expiresAt: outbox.expiresAt,
      acceptUrl: deps.acceptUrl,
      token: outbox.token,
      ...(outbox.message ? { message: outbox.message } : {}),
    }),
  );
  const now = deps.clock.now().toISOString();
  try {
    await transactWrite(
      deps.db,
      [
        {
          Update: {
            TableName: T,
            Key: keys.invite(outbox.tenantId, outbox.inviteId),
            UpdateExpression:
              'SET deliveryStatus = :sent, sentSendCount = :n, deliveredAt = :at REMOVE lastDeliveryError',
            ConditionExpression: 'sendCount = :n',
            ExpressionAttributeValues: { ':sent': 'sent', ':n': outbox.sendCount, ':at': now },
          },
        },
        {
          Delete: {
            TableName: T,
            Key: keys.inviteOutbox(outbox.inviteId),
            ConditionExpression: 'sendCount = :n',
            ExpressionAttributeValues: { ':n': outbox.sendCount },
          },
        },
      ],
      () => new ConflictError('resent meanwhile'),
    );
  } catch (error) {
    // A resend won the race: its own outbox record will be delivered; this mail went out already.
    if (!(error instanceof ConflictError)) throw error;
  }
  logger.info('Invite mail sent', log);
  return 'sent';
}

const inviteMail: OutboxKind = {
  deliver: (deps, item) => deliverInviteMail(deps, outboxFromItem(item)),
  // The invite shows how delivery goes: attempts and the last error while retrying, `failed` once dead.
  onFailure: (deps, item, failure: FailureRecord) =>
    markInvite(
      deps,
      outboxFromItem(item),
      'SET deliveryStatus = :status, deliveryAttempts = :a, lastDeliveryError = :e',
      {
        ':status': failure.dead ? 'failed' : 'queued',
        ':a': failure.attempts,
        ':e': failure.lastError,
      },
    ),
  onRequeue: (deps, item) =>
    markInvite(deps, outboxFromItem(item), 'SET deliveryStatus = :queued', {
      ':queued': 'queued',
    }),
};

const accountMail: OutboxKind = {
  deliver: (deps, item) => deliverAccountMail(deps, accountOutboxFromItem(item)),
};

/** Every kind of mail in the outbox, by item type. */
export const outboxKinds: Record<string, OutboxKind> = {
  'invite-mail': inviteMail,
  [ACCOUNT_MAIL_TYPE]: accountMail,
};

/**
 * Processes a stream batch: each new outbox item gets its first attempt. A failed mail is
 * recorded on its item for the re-drive; only a failing table is reported, so Lambda retries
 * those records.
 */
export async function deliverInviteBatch(
  deps: DeliveryDeps,
  records: DynamoDBRecord[],
): Promise<BatchResponse> {
  const failures: { itemIdentifier: string }[] = [];
  await Promise.all(
    records.map(async (record) => {
      if (!isOutboxRecord(record)) return;
      const image = record.dynamodb?.NewImage as Record<string, LambdaAttributeValue>;
      try {
        const item = unmarshall(image as Record<string, AttributeValue>) as OutboxItem;
        const outcome: OutboxOutcome = await attemptOutboxItem(
          deps,
          outboxKinds,
          { pk: item.pk, sk: item.sk },
          typeof item.sendCount === 'number' ? item.sendCount : undefined,
        );
        logger.debug('Outbox record processed', { pk: item.pk, outcome });
      } catch (error) {
        logger.error('Outbox record failed', { error: (error as Error).name });
        failures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? record.eventID ?? '' });
      }
    }),
  );
  return { batchItemFailures: failures };
}
