/** The outbox's delivery dependencies of this process (SES client, sender, accept link, retry policy), built once. */
import { appDeps } from '#shared/app/deps.js';
import type { Mailer } from '#shared/mail/mailer.js';
import { retryPolicy } from '#shared/mail/outbox.js';
import { rateLimitedMailer, tokenBucket } from '#shared/mail/send-rate.js';
import { createSesClient, sesMailer } from '#shared/mail/ses-mailer.js';
import { recordMailSent } from '#shared/observability/metrics.js';

/**
 * What the mailer and the re-drive deliver with, from the environment: SES through the
 * configuration set (bounces and complaints come back), at most MAIL_SEND_RATE_PER_SECOND
 * mails per second from this instance.
 */
export function mailDeliveryFromEnv() {
  const deps = appDeps();
  const { env } = deps;
  const ses = countingSent(
    sesMailer(
      createSesClient({
        region: env.AWS_REGION,
        endpoint: env.SES_ENDPOINT,
        requestTimeoutMs: env.DEPENDENCY_TIMEOUT_MS,
      }),
      env.MAIL_FROM,
      env.MAIL_CONFIGURATION_SET,
    ),
  );
  const mailer = rateLimitedMailer(ses, tokenBucket(env.MAIL_SEND_RATE_PER_SECOND));
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
