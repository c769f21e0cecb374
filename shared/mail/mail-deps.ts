/** The outbox's delivery dependencies of this process (SES client, sender, accept link, retry policy), built once. */
import { appDeps } from '#shared/app/deps.js';
import type { Mailer } from '#shared/mail/mailer.js';
import { retryPolicy } from '#shared/mail/outbox.js';
import { createSesClient, sesMailer } from '#shared/mail/ses-mailer.js';
import { recordMailSent } from '#shared/observability/metrics.js';

/** What the mailer and the re-drive deliver with, from the environment. */
export function mailDeliveryFromEnv() {
  const deps = appDeps();
  const { env } = deps;
  const mailer = countingSent(
    sesMailer(
      createSesClient({
        region: env.AWS_REGION,
        endpoint: env.SES_ENDPOINT,
        requestTimeoutMs: env.DEPENDENCY_TIMEOUT_MS,
      }),
      env.MAIL_FROM,
    ),
  );
  return { ...deps, mailer, acceptUrl: env.ACCEPT_URL, policy: retryPolicy(env) };
}

/** Counts each email SES accepted (`MailSent`): the figure a bounce rate is read against. */
function countingSent(mailer: Mailer): Mailer {
  return {
    async send(message) {
      await mailer.send(message);
      recordMailSent();
    },
  };
}
