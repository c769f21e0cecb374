/**
 * The one-time password of a person an operator added directly travels through the outbox like
 * an invite: the membership transaction writes an `account-mail` item, the mailer (fed by the
 * table stream) sends it and deletes the item, the only stored copy of that password.
 */
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreDeps } from '#shared/app/context.js';
import { renderAccountEmail } from '#shared/mail/account-email.js';
import type { Mailer } from '#shared/mail/mailer.js';
import { newOutboxFields } from '#shared/mail/outbox.js';
import { logger } from '#shared/observability/logger.js';
import { keys } from '#shared/store/keys.js';
import { TTL_ATTRIBUTE } from '#shared/store/table-definition.js';
import type { TransactItem } from '#shared/store/transact.js';

export const ACCOUNT_MAIL_TYPE = 'account-mail';

export interface AccountOutbox {
  tenantId: string;
  tenantName: string;
  userId: string;
  email: string;
  addedByEmail: string;
  temporaryPassword: string;
}

/** The outbox write to add to the membership transaction (kept one day at most). */
export function accountOutboxPut(deps: StoreDeps, outbox: AccountOutbox, now: Date): TransactItem {
  const key = keys.accountOutbox(outbox.tenantId, outbox.userId);
  return {
    Put: {
      TableName: deps.tableName,
      Item: {
        ...key,
        ...newOutboxFields(key.pk, now),
        type: ACCOUNT_MAIL_TYPE,
        ...outbox,
        [TTL_ATTRIBUTE]: Math.floor(now.getTime() / 1000) + 24 * 3600,
      },
    },
  };
}

export function accountOutboxFromItem(item: Record<string, unknown>): AccountOutbox {
  return {
    tenantId: String(item.tenantId),
    tenantName: String(item.tenantName),
    userId: String(item.userId),
    email: String(item.email),
    addedByEmail: String(item.addedByEmail ?? ''),
    temporaryPassword: String(item.temporaryPassword),
  };
}

/**
 * Sends the mail unless it was sent already (the outbox item is gone), then deletes the item. A
 * failure propagates so the stream record is retried; the item stays until it is sent.
 */
export async function deliverAccountMail(
  deps: StoreDeps & { mailer: Mailer },
  outbox: AccountOutbox,
): Promise<'sent' | 'stale'> {
  const key = keys.accountOutbox(outbox.tenantId, outbox.userId);
  const res = await deps.db.send(
    new GetCommand({ TableName: deps.tableName, Key: key, ConsistentRead: true }),
  );
  const log = { tenantId: outbox.tenantId, userId: outbox.userId };
  if (!res.Item) {
    logger.info('Skipping account mail already sent', log);
    return 'stale';
  }
  await deps.mailer.send(
    renderAccountEmail({
      to: outbox.email,
      tenantName: outbox.tenantName,
      addedByEmail: outbox.addedByEmail,
      temporaryPassword: outbox.temporaryPassword,
    }),
  );
  await deps.db.send(new DeleteCommand({ TableName: deps.tableName, Key: key }));
  logger.info('Account mail sent', log);
  return 'sent';
}
