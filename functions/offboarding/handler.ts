/** Lambda entry: user-pool deletions and disables (CloudTrail via EventBridge) end the person's sessions and tokens. */
import { appDeps } from '#shared/app/deps.js';
import { logger } from '#shared/observability/logger.js';
import { observedWorker } from '#shared/observability/worker.js';
import { offboardingTarget, offboardUser } from '#shared/sessions/offboarding.js';

const deps = appDeps();

export const handler = observedWorker(async (event: unknown): Promise<void> => {
  const target = offboardingTarget(event, deps.env.USER_POOL_ID);
  if (target.kind === 'ignored') {
    logger.info('Event ignored', { why: target.why });
    return;
  }
  const at = await offboardUser(deps, target.userId);
  logger.info('Ended every session and token of an offboarded user', {
    userId: target.userId,
    eventName: target.eventName,
    sessionsValidAfter: at,
  });
});
