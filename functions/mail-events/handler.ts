/**
 * Lambda entry: SES configuration-set events (bounces, complaints) delivered by EventBridge.
 * Each marks the invite its mail's tags name and stops further mail to the address; events of
 * other configuration sets are ignored. A malformed event throws: EventBridge retries it, then
 * keeps it in the dead-letter queue. Bounces and complaints count as `MailBounce`
 * (shared/invites/invite-mail-events.ts), flushed per invocation.
 */
import { appDeps } from '#shared/app/deps.js';
import { applyMailEvent } from '#shared/invites/invite-mail-events.js';
import { parseMailEvent } from '#shared/mail/mail-events.js';
import { logger } from '#shared/observability/logger.js';
import { observedWorker } from '#shared/observability/worker.js';

const deps = appDeps();

export const handler = observedWorker(async (event: unknown): Promise<void> => {
  const parsed = parseMailEvent(event, deps.env.MAIL_CONFIGURATION_SET);
  const result = await applyMailEvent(deps, parsed);
  if (!result.applied) logger.info('Mail event ignored', { why: result.why });
  else logger.info('Mail event applied', { ...result });
});
