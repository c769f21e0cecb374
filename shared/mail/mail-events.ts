/**
 * SES bounce and complaint events as EventBridge delivers them from a configuration set
 * (source `aws.ses`, detail-type `Email Bounced` / `Email Complaint Received`, the detail being
 * SES's event record): validated with zod (mini) and reduced to what Gatehouse acts on (pure). An event
 * of another configuration set, of another kind, or of a mail that names no invite is ignored;
 * a malformed bounce or complaint throws, so EventBridge retries it and then dead-letters it.
 */
import * as z from 'zod/mini';
import '#shared/common/zod-english.js';
import { CONFIGURATION_SET_TAG, inviteOfTags } from '#shared/mail/mail-tags.js';

export const MAIL_EVENT_SOURCE = 'aws.ses';
export const BOUNCE_DETAIL_TYPE = 'Email Bounced';
export const COMPLAINT_DETAIL_TYPE = 'Email Complaint Received';
/** The detail-types the mail-events rule forwards. */
export const MAIL_EVENT_DETAIL_TYPES = [BOUNCE_DETAIL_TYPE, COMPLAINT_DETAIL_TYPE] as const;

const Recipient = z.object({ emailAddress: z.string().check(z.minLength(3), z.maxLength(320)) });

const SesMail = z.object({
  messageId: z.string().check(z.minLength(1)),
  timestamp: z.string().check(z.minLength(1)),
  destination: z.optional(z.array(z.string())),
  /** Tag name -> values: the configuration set's `ses:configuration-set` and the message's tags. */
  tags: z._default(z.record(z.string(), z.array(z.string())), {}),
});

const BounceEvent = z.object({
  source: z.literal(MAIL_EVENT_SOURCE),
  'detail-type': z.literal(BOUNCE_DETAIL_TYPE),
  detail: z.object({
    eventType: z.literal('Bounce'),
    mail: SesMail,
    bounce: z.object({
      /** Only `Permanent` is a hard bounce; `Transient` and `Undetermined` may succeed later. */
      bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']),
      bounceSubType: z.string().check(z.maxLength(100)),
      bouncedRecipients: z.array(Recipient).check(z.minLength(1), z.maxLength(50)),
      timestamp: z.string().check(z.minLength(1)),
      feedbackId: z.optional(z.string()),
    }),
  }),
});

const ComplaintEvent = z.object({
  source: z.literal(MAIL_EVENT_SOURCE),
  'detail-type': z.literal(COMPLAINT_DETAIL_TYPE),
  detail: z.object({
    eventType: z.literal('Complaint'),
    mail: SesMail,
    complaint: z.object({
      complainedRecipients: z.array(Recipient).check(z.minLength(1), z.maxLength(50)),
      timestamp: z.string().check(z.minLength(1)),
      feedbackId: z.optional(z.string()),
      complaintFeedbackType: z.optional(z.string().check(z.maxLength(100))),
    }),
  }),
});

const MailEvent = z.discriminatedUnion('detail-type', [BounceEvent, ComplaintEvent]);

/** What one event means for Gatehouse. */
export type MailEventOutcome =
  | {
      kind: 'bounced' | 'complained' | 'soft-bounce';
      tenantId: string;
      inviteId: string;
      /** The invite's send the mail belonged to, when tagged. */
      sendCount?: number;
      recipients: string[];
      /** When it happened (the bounce's or complaint's time). */
      at: string;
      /** A short, public description: the bounce type and subtype, or the feedback type. */
      detail: string;
      messageId: string;
    }
  | { kind: 'ignored'; why: string };

/** Subtypes that say an address is on a suppression list: possibly because of another tenant's mail. */
const SUPPRESSION_SUBTYPES = new Set(['OnAccountSuppressionList', 'Suppressed']);

/** A bounce as the tenant sees it; a suppression-list subtype is not named (it may stem from elsewhere). */
function bounceDetail(type: string, subType: string): string {
  return SUPPRESSION_SUBTYPES.has(subType) ? `${type} bounce` : `${type} bounce (${subType})`;
}

function issueText(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  return `${issue?.path.join('.') || 'event'}: ${issue?.message ?? 'invalid'}`;
}

/**
 * Reads one EventBridge event for the configuration set `configurationSet` (none: every event
 * is ignored). Throws on a bounce or complaint event that does not have SES's shape.
 */
export function parseMailEvent(
  event: unknown,
  configurationSet: string | undefined,
): MailEventOutcome {
  const head = z.object({ source: z.string(), 'detail-type': z.string() }).safeParse(event);
  if (
    !head.success ||
    head.data.source !== MAIL_EVENT_SOURCE ||
    !(MAIL_EVENT_DETAIL_TYPES as readonly string[]).includes(head.data['detail-type'])
  ) {
    return { kind: 'ignored', why: 'not an SES bounce or complaint' };
  }
  const parsed = MailEvent.safeParse(event);
  if (!parsed.success) throw new Error(`Malformed SES event: ${issueText(parsed.error)}`);
  const { detail } = parsed.data;
  const set = detail.mail.tags[CONFIGURATION_SET_TAG]?.[0];
  if (!configurationSet || set !== configurationSet) {
    return { kind: 'ignored', why: `another configuration set (${set ?? 'none'})` };
  }
  const invite = inviteOfTags(detail.mail.tags);
  if (!invite) return { kind: 'ignored', why: 'the mail names no invite' };
  const base = { ...invite, messageId: detail.mail.messageId };
  if (parsed.data['detail-type'] === BOUNCE_DETAIL_TYPE && 'bounce' in detail) {
    const { bounce } = detail;
    return {
      ...base,
      kind: bounce.bounceType === 'Permanent' ? 'bounced' : 'soft-bounce',
      recipients: bounce.bouncedRecipients.map((r) => r.emailAddress),
      at: bounce.timestamp,
      detail: bounceDetail(bounce.bounceType, bounce.bounceSubType),
    };
  }
  if ('complaint' in detail) {
    const { complaint } = detail;
    return {
      ...base,
      kind: 'complained',
      recipients: complaint.complainedRecipients.map((r) => r.emailAddress),
      at: complaint.timestamp,
      detail: `Complaint (${complaint.complaintFeedbackType ?? 'not specified'})`,
    };
  }
  return { kind: 'ignored', why: 'not an SES bounce or complaint' };
}
