/** Lambda entry of the mailer: the first attempt of each new outbox item on the table stream. */
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { type BatchResponse, deliverInviteBatch } from '#shared/invites/invite-delivery.js';
import { mailDeliveryFromEnv } from '#shared/mail/mail-deps.js';
import { lambdaDeadline, withDeadline } from '#shared/platform/deadline.js';

const delivery = mailDeliveryFromEnv();

export const handler = async (
  event: DynamoDBStreamEvent,
  context?: Context,
): Promise<BatchResponse> => {
  const run = () => deliverInviteBatch(delivery, event.Records);
  const deadline = lambdaDeadline(context);
  return deadline === undefined ? run() : withDeadline(deadline, run);
};
