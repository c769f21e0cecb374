/**
 * What SES reports after an invite mail went out: a hard bounce or a complaint marks the invite
 * (`bounced`, `complained`) and suppresses the address in the tenant, each change audited; a
 * soft bounce changes nothing (SES already retried; a resend may still reach the person). Each
 * step is one conditional write, so the same event twice, or a second event for the same
 * invite or address, changes nothing more.
 */
import type { StoreDeps } from '#shared/app/context.js';
import { auditPut } from '#shared/audit/audit-event.js';
import { normalizeEmail } from '#shared/identity/identity-provider.js';
import { inviteAudit } from '#shared/invites/invite-writes.js';
import type { MailEventOutcome } from '#shared/mail/mail-events.js';
import { logger } from '#shared/observability/logger.js';
import { recordBounce } from '#shared/observability/metrics.js';
import { written } from '#shared/store/records/conditional-write.js';
import {
  type DeliveryProblem,
  findInvite,
  type InviteRecord,
  inviteProblemUpdate,
} from '#shared/store/records/invite-record.js';
import { mailSuppressionPut } from '#shared/store/records/mail-suppression-record.js';

/** Who the audit trail names for changes SES's reports cause. */
export const MAIL_EVENTS_ACTOR = 'system:ses';

export type MailEventResult =
  | { applied: false; why: string }
  | { applied: true; kind: 'bounced' | 'complained'; suppressed: boolean; marked: boolean };

type Reported = Extract<MailEventOutcome, { tenantId: string }>;

/**
 * The one place a bounce or complaint is counted (`MailBounce`, kind `permanent` or
 * `complaint`): once per event that changed something.
 */
function recordMailProblem(kind: 'bounced' | 'complained', event: Reported): void {
  recordBounce(kind === 'bounced' ? 'permanent' : 'complaint');
  logger.warn('Invite mail reported by SES', {
    kind,
    tenantId: event.tenantId,
    inviteId: event.inviteId,
    detail: event.detail,
  });
}

/** Suppresses `email` in the tenant (once) with its audit event; false when already suppressed. */
function suppress(deps: StoreDeps, event: Reported, kind: 'bounced' | 'complained', email: string) {
  const now = deps.clock.now();
  const suppression = {
    tenantId: event.tenantId,
    email,
    reason: kind,
    at: event.at,
    inviteId: event.inviteId,
  };
  return written(
    deps.table.transact([
      mailSuppressionPut(suppression),
      auditPut(
        {
          tenantId: event.tenantId,
          actor: MAIL_EVENTS_ACTOR,
          action: 'mail.suppress',
          target: `email:${email}`,
          after: { ...suppression, detail: event.detail },
        },
        now,
      ),
    ]),
  );
}

/** Marks the invite (first problem only) with its audit event; false when marked already. */
export function markInviteProblem(
  deps: StoreDeps,
  invite: InviteRecord,
  problem: { kind: DeliveryProblem; at: string; detail: string },
): Promise<boolean> {
  const now = deps.clock.now();
  const { kind } = problem;
  const after: InviteRecord = {
    ...invite,
    deliveryProblem: kind,
    deliveryProblemAt: problem.at,
    deliveryProblemDetail: problem.detail,
  };
  return written(
    deps.table.transact([
      inviteProblemUpdate(invite, problem),
      inviteAudit(
        deps,
        { userId: MAIL_EVENTS_ACTOR },
        kind === 'bounced' ? 'invite.bounce' : 'invite.complaint',
        { before: invite, after },
        now,
      ),
    ]),
  );
}

/**
 * Applies one parsed SES event. The address suppressed is the invite's own (the tags name the
 * invite); if the invite is gone already, the recipients the event names.
 */
export async function applyMailEvent(
  deps: StoreDeps,
  event: MailEventOutcome,
): Promise<MailEventResult> {
  if (event.kind === 'ignored') return { applied: false, why: event.why };
  if (event.kind === 'soft-bounce')
    return { applied: false, why: 'a soft bounce suppresses nothing' };
  const { kind } = event;
  const invite = await findInvite(deps.table, event.tenantId, event.inviteId);
  const emails = invite ? [invite.email] : [...new Set(event.recipients.map(normalizeEmail))];
  let suppressed = false;
  for (const email of emails) suppressed = (await suppress(deps, event, kind, email)) || suppressed;
  const problem = { kind, at: event.at, detail: event.detail };
  const marked = invite ? await markInviteProblem(deps, invite, problem) : false;
  if (suppressed || marked) recordMailProblem(kind, event);
  return { applied: true, kind, suppressed, marked };
}
