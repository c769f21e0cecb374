/**
 * The outbox consumer: turns `invite-mail` outbox items into emails and records each invite's
 * delivery status, and sends the one-time password mails (`account-mail`) of people added
 * directly. New items arrive on the table stream; failed ones are retried by the re-drive
 * (shared/mail/outbox.ts) with backoff until they are sent or dead.
 */

import type { DynamoDBRecord } from 'aws-lambda';
import { markInviteProblem } from '#shared/invites/invite-mail-events.js';
import { deliverAccountMail } from '#shared/mail/account-mail.js';
import { renderInviteEmail } from '#shared/mail/invite-email.js';
import { inviteMailTags } from '#shared/mail/mail-tags.js';
import {
  attemptOutboxItem,
  type FailureRecord,
  type OutboxDeps,
  type OutboxKind,
  type OutboxOutcome,
} from '#shared/mail/outbox.js';
import { logger } from '#shared/observability/logger.js';
import { written } from '#shared/store/records/conditional-write.js';
import {
  findInvite,
  inviteSentUpdate,
  isExpired,
  markInviteDelivery,
} from '#shared/store/records/invite-record.js';
import { findMailSuppression } from '#shared/store/records/mail-suppression-record.js';
import {
  ACCOUNT_MAIL_TYPE,
  accountOutboxFromItem,
  deleteInviteOutbox,
  INVITE_MAIL_TYPE,
  type InviteOutbox,
  inviteOutboxDelete,
  inviteOutboxFromItem,
} from '#shared/store/records/outbox-record.js';

export type DeliveryDeps = OutboxDeps;

/** The partial batch response Lambda expects with ReportBatchItemFailures. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** The outbox item types the mailer sends (the CDK stream filter and the local poller use it). */
export const OUTBOX_TYPES = [INVITE_MAIL_TYPE, ACCOUNT_MAIL_TYPE] as const;

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

/** Whether the invite still waits for this send's mail (not resent, used, expired or delivered). */
function isCurrentSend(
  invite: Awaited<ReturnType<typeof findInvite>>,
  outbox: InviteOutbox,
  now: Date,
): boolean {
  return (
    invite?.status === 'pending' &&
    invite.sendCount === outbox.sendCount &&
    invite.sentSendCount !== outbox.sendCount &&
    !isExpired(invite, now)
  );
}

/**
 * Sends the mail of one claimed outbox item unless it is stale (the invite was resent, revoked,
 * accepted, has expired or was already delivered for this send) or its address was suppressed
 * meanwhile (a bounce or complaint arrived after the send was queued: nothing is sent, the
 * item is dropped). The mail carries the tags that lead SES's events back to this invite. On
 * success the invite becomes `sent` and the outbox item (the only copy of the raw token) is
 * deleted; a failure propagates to the outbox, which schedules the next attempt.
 */
export async function deliverInviteMail(
  deps: DeliveryDeps,
  outbox: InviteOutbox,
): Promise<'sent' | 'stale'> {
  const [invite, suppression] = await Promise.all([
    findInvite(deps.table, outbox.tenantId, outbox.inviteId),
    findMailSuppression(deps.table, outbox.tenantId, outbox.email),
  ]);
  const log = { tenantId: outbox.tenantId, inviteId: outbox.inviteId, sendCount: outbox.sendCount };
  const current = isCurrentSend(invite, outbox, deps.clock.now());
  if (!current || suppression) {
    logger.info(
      suppression ? 'Skipping mail to a suppressed address' : 'Skipping stale invite mail',
      log,
    );
    if (current && invite && suppression) {
      const detail = `Not sent: the address is suppressed (${suppression.reason})`;
      await markInviteProblem(deps, invite, {
        kind: suppression.reason,
        at: suppression.at,
        detail,
      });
    }
    await deleteInviteOutbox(deps.table, outbox.inviteId, outbox.sendCount);
    return 'stale';
  }
  const mail = { to: outbox.email, inviterEmail: outbox.invitedByEmail, acceptUrl: deps.acceptUrl };
  await deps.mailer.send({
    ...renderInviteEmail({ ...outbox, ...mail }),
    tags: inviteMailTags(outbox),
  });
  const at = deps.clock.now().toISOString();
  // A resend that won the race has its own outbox item to deliver; this mail went out already.
  await written(
    deps.table.transact([
      inviteSentUpdate(outbox, at),
      inviteOutboxDelete(outbox.inviteId, outbox.sendCount),
    ]),
  );
  logger.info('Invite mail sent', log);
  return 'sent';
}

const inviteMail: OutboxKind = {
  deliver: (deps, item) => deliverInviteMail(deps, inviteOutboxFromItem(item)),
  // The invite shows how delivery goes: attempts and the last error while retrying, `failed` once dead.
  onFailure: (deps, item, failure: FailureRecord) =>
    markInviteDelivery(
      deps.table,
      inviteOutboxFromItem(item),
      'SET deliveryStatus = :status, deliveryAttempts = :a, lastDeliveryError = :e',
      {
        ':status': failure.dead ? 'failed' : 'queued',
        ':a': failure.attempts,
        ':e': failure.lastError,
      },
    ),
  onRequeue: (deps, item) =>
    markInviteDelivery(deps.table, inviteOutboxFromItem(item), 'SET deliveryStatus = :queued', {
      ':queued': 'queued',
    }),
};

const accountMail: OutboxKind = {
  deliver: (deps, item) => deliverAccountMail(deps, accountOutboxFromItem(item)),
};

/** Every kind of mail in the outbox, by item type. */
export const outboxKinds: Record<string, OutboxKind> = {
  [INVITE_MAIL_TYPE]: inviteMail,
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
      const image = record.dynamodb?.NewImage ?? {};
      const pk = image.pk?.S ?? '';
      try {
        const sendCount = image.sendCount?.N;
        const outcome: OutboxOutcome = await attemptOutboxItem(
          deps,
          outboxKinds,
          { pk, sk: image.sk?.S ?? '' },
          sendCount === undefined ? undefined : Number(sendCount),
        );
        logger.debug('Outbox record processed', { pk, outcome });
      } catch (error) {
        logger.error('Outbox record failed', { error: (error as Error).name });
        failures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? record.eventID ?? '' });
      }
    }),
  );
  return { batchItemFailures: failures };
}
