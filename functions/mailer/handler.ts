/** Lambda entry of the mailer: the first attempt of each new outbox item on the table stream. */
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { type BatchResponse, deliverInviteBatch } from '#shared/invites/invite-delivery.js';
import { mailDeliveryFromEnv } from '#shared/mail/mail-deps.js';
import { observedWorker } from '#shared/observability/worker.js';
import { lambdaDeadline, withDeadline } from '#shared/platform/deadline.js';

const delivery = mailDeliveryFromEnv();

// Each email SES accepts counts as `MailSent` (shared/mail/mail-deps.ts), flushed per invocation.
export const handler = observedWorker(
  async (event: DynamoDBStreamEvent, context?: Context): Promise<BatchResponse> => {
    const run = () => deliverInviteBatch(delivery, event.Records);
    const deadline = lambdaDeadline(context);
    return deadline === undefined ? run() : withDeadline(deadline, run);
  },
);
