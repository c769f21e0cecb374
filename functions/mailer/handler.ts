/** Lambda entry of the mailer: the first attempt of each new outbox item on the table stream. */
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { appDeps } from '#shared/app/deps.js';
import { type BatchResponse, deliverInviteBatch } from '#shared/invites/invite-delivery.js';
import { retryPolicy } from '#shared/mail/outbox.js';
import { createSesClient, sesMailer } from '#shared/mail/ses-mailer.js';
import { lambdaDeadline, withDeadline } from '#shared/platform/deadline.js';

const deps = appDeps();
const { env } = deps;
const mailer = sesMailer(
  createSesClient({
    region: env.AWS_REGION,
    endpoint: env.SES_ENDPOINT,
    requestTimeoutMs: env.DEPENDENCY_TIMEOUT_MS,
  }),
  env.MAIL_FROM,
);
const delivery = { ...deps, mailer, acceptUrl: env.ACCEPT_URL, policy: retryPolicy(env) };

export const handler = async (
  event: DynamoDBStreamEvent,
  context?: Context,
): Promise<BatchResponse> => {
  const run = () => deliverInviteBatch(delivery, event.Records);
  const deadline = lambdaDeadline(context);
  return deadline === undefined ? run() : withDeadline(deadline, run);
};
