/**
 * The outbox consumer: turns `invite-mail` stream records into emails and records each invite's
 * delivery status, and sends the one-time password mails (`account-mail`) of people added directly. Failed records are reported back for retry; stale ones are dropped.
 */

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, AttributeValue as LambdaAttributeValue } from 'aws-lambda';
import type { StoreDeps } from '#shared/app/context.js';
import { ConflictError } from '#shared/errors/domain-errors.js';
import {
  type InviteOutbox,
  inviteFromItem,
  outboxFromItem,
} from '#shared/invites/invite-record.js';
import { renderInviteEmail } from '#shared/mail/invite-email.js';
import type { Mailer } from '#shared/mail/mailer.js';
import {
  ACCOUNT_MAIL_TYPE,
  accountOutboxFromItem,
  deliverAccountMail,
} from '#shared/members/account-mail.js';
import { logger } from '#shared/observability/logger.js';
import { keys } from '#shared/store/keys.js';
import { transactWrite } from '#shared/store/transact.js';

export interface DeliveryDeps extends StoreDeps {
  mailer: Mailer;
  acceptUrl: string;
}

export type DeliveryOutcome = 'sent' | 'stale' | 'failed';

/** The partial batch response Lambda expects with ReportBatchItemFailures. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** The outbox item types the mailer sends (the CDK stream filter and the local poller use it). */
export const OUTBOX_TYPES = ['invite-mail', ACCOUNT_MAIL_TYPE] as const;

/** Whether a stream record is an outbox write the mailer must act on (the CDK filter, in code). */
export function isOutboxRecord(record: {
  eventName?: string;
  dynamodb?: { NewImage?: Record<string, { S?: string }> };
}): boolean {
  const type = record.dynamodb?.NewImage?.type?.S;
  return record.eventName !== 'REMOVE' && (OUTBOX_TYPES as readonly string[]).includes(type ?? '');
}

/**
 * Sends the mail of one outbox entry unless it is stale (the invite was resent, revoked,
 * accepted or already delivered for this send). On success the invite becomes `sent` and the
 * outbox item (the only copy of the raw token) is deleted; on failure the invite is marked
 * `failed`, the outbox stays, and the error propagates so the record is retried.
 */
export async function deliverInviteMail(
  deps: DeliveryDeps,
  outbox: InviteOutbox,
): Promise<DeliveryOutcome> {
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
    invite.sentSendCount !== outbox.sendCount;
  if (!current) {
    logger.info('Skipping stale invite mail', log);
    return 'stale';
  }
  try {
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
  } catch (error) {
    logger.warn('Invite mail failed; it will be retried', { ...log, error: (error as Error).name });
    await deps.db
      .send(
        new UpdateCommand({
          TableName: T,
          Key: keys.invite(outbox.tenantId, outbox.inviteId),
          UpdateExpression: 'SET deliveryStatus = :failed',
          ConditionExpression: 'sendCount = :n AND deliveryStatus <> :sent',
          ExpressionAttributeValues: {
            ':failed': 'failed',
            ':n': outbox.sendCount,
            ':sent': 'sent',
          },
        }),
      )
      .catch(() => undefined);
    throw error;
  }
  const now = deps.clock.now().toISOString();
  try {
    await transactWrite(
      deps.db,
      [
        {
          Update: {
            TableName: T,
            Key: keys.invite(outbox.tenantId, outbox.inviteId),
            UpdateExpression: 'SET deliveryStatus = :sent, sentSendCount = :n, deliveredAt = :at',
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

/** Processes a stream batch; every failed record is reported so Lambda retries only those. */
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
        const item = unmarshall(image as Record<string, AttributeValue>);
        if (item.type === ACCOUNT_MAIL_TYPE)
          await deliverAccountMail(deps, accountOutboxFromItem(item));
        else await deliverInviteMail(deps, outboxFromItem(item));
      } catch (error) {
        logger.error('Invite mail record failed', { error: (error as Error).name });
        failures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? record.eventID ?? '' });
      }
    }),
  );
  return { batchItemFailures: failures };
}
