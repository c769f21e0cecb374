/**
 * Lambda entry of the outbox re-drive, run on a schedule: retries every outbox mail whose next
 * attempt is due and deletes dead ones past their expiry. `{"requeueDead": true}` first gives
 * dead mail a fresh set of attempts (what `npm run redrive-mail` does).
 */
import type { Context } from 'aws-lambda';
import { outboxKinds } from '#shared/invites/invite-delivery.js';
import { mailDeliveryFromEnv } from '#shared/mail/mail-deps.js';
import { type RedriveCounts, redriveOutbox, requeueDeadMail } from '#shared/mail/outbox.js';
import { logger } from '#shared/observability/logger.js';
import { observedWorker } from '#shared/observability/worker.js';
import { lambdaDeadline, withDeadline } from '#shared/platform/deadline.js';

const delivery = mailDeliveryFromEnv();

export const handler = observedWorker(
  async (
    event: { requeueDead?: boolean } | undefined,
    context?: Context,
  ): Promise<RedriveCounts & { requeued: number }> => {
    const run = async () => {
      const requeued = event?.requeueDead ? await requeueDeadMail(delivery, outboxKinds) : 0;
      const counts = await redriveOutbox(delivery, outboxKinds);
      if (
        requeued ||
        counts.sent ||
        counts.retrying ||
        counts.dead ||
        counts.expired ||
        counts.errors
      )
        logger.info('Outbox re-drive', { requeued, ...counts });
      return { requeued, ...counts };
    };
    const deadline = lambdaDeadline(context);
    return deadline === undefined ? run() : withDeadline(deadline, run);
  },
);
