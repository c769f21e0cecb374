/**
 * The one-time password mail of a person an operator added directly travelled through the
 * outbox like an invite (`account-mail` items): the mailer sends it and deletes the item, the
 * only stored copy of that password. Nothing writes these items any more (a direct add now
 * invites); the mailer still sends those an earlier version queued.
 */
import type { StoreDeps } from '#shared/app/context.js';
import { renderAccountEmail } from '#shared/mail/account-email.js';
import type { Mailer } from '#shared/mail/mailer.js';
import { logger } from '#shared/observability/logger.js';
import { type AccountOutbox, accountOutboxKey } from '#shared/store/records/outbox-record.js';

/**
 * Sends the mail unless it was sent already (the outbox item is gone), then deletes the item. A
 * failure propagates so the stream record is retried; the item stays until it is sent.
 */
export async function deliverAccountMail(
  deps: StoreDeps & { mailer: Mailer },
  outbox: AccountOutbox,
): Promise<'sent' | 'stale'> {
  const key = accountOutboxKey(outbox);
  const log = { tenantId: outbox.tenantId, userId: outbox.userId };
  if (!(await deps.table.get(key))) {
    logger.info('Skipping account mail already sent', log);
    return 'stale';
  }
  await deps.mailer.send(renderAccountEmail({ ...outbox, to: outbox.email }));
  await deps.table.delete(key);
  logger.info('Account mail sent', log);
  return 'sent';
}
