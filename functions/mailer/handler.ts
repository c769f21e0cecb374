/** Lambda entry of the invite mailer: consumes `invite-mail` outbox records from the table stream. */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { appDeps } from '#shared/app/deps.js';
import { type BatchResponse, deliverInviteBatch } from '#shared/invites/invite-delivery.js';
import { createSesClient, sesMailer } from '#shared/mail/ses-mailer.js';

const deps = appDeps();
const { env } = deps;
const mailer = sesMailer(
  createSesClient({ region: env.AWS_REGION, endpoint: env.SES_ENDPOINT }),
  env.MAIL_FROM,
);

export const handler = async (event: DynamoDBStreamEvent): Promise<BatchResponse> =>
  deliverInviteBatch({ ...deps, mailer, acceptUrl: env.ACCEPT_URL }, event.Records);
