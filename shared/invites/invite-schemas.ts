/** Input and output shapes of the invite API. */
import * as z from 'zod';
import { IdSchema } from '#shared/common/schemas.js';
import { safeText } from '#shared/common/validation.js';
import { PasswordSchema } from '#shared/identity/password-policy.js';
import { messageProblem } from '#shared/mail/invite-email.js';
import { PageQuery } from '#shared/store/pagination.js';
import { DELIVERY_STATUSES, INVITE_STATUSES } from '#shared/store/records/invite-record.js';

const OneLine = (max: number) =>
  safeText()
    .max(max)
    .regex(/^[^\r\n]*$/, 'must not contain CR or LF');

export const CreateInvitesBody = z.strictObject({
  emails: z.union([z.string().min(1).max(40_000), z.array(z.string().max(320)).min(1).max(1000)]),
  roles: z.array(IdSchema).max(50).optional(),
  groups: z.array(IdSchema).max(50).optional(),
  message: OneLine(1000)
    .superRefine((v, ctx) => {
      const problem = messageProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
});
export type CreateInvitesInput = z.infer<typeof CreateInvitesBody>;

export const ListInvitesQuery = z.strictObject({
  ...PageQuery,
  status: z.enum(INVITE_STATUSES).optional(),
});

export const TokenBody = z.strictObject({ token: z.string().min(1).max(512) });

export const AcceptInviteBody = z.strictObject({
  token: z.string().min(1).max(512),
  password: PasswordSchema.optional(),
});

export const InviteResult = z.object({
  email: z.string(),
  /** `suppressed`: an earlier mail to the address hard-bounced or was reported as spam; nothing sent. */
  status: z.enum(['invited', 'already_member', 'already_invited', 'invalid', 'suppressed']),
  inviteId: z.string().optional(),
  expiresAt: z.string().optional(),
});
export type InviteResult = z.infer<typeof InviteResult>;

export const CreateInvitesView = z.object({ results: z.array(InviteResult) });

export const InviteView = z.object({
  inviteId: z.string(),
  tenantId: z.string(),
  email: z.string(),
  /**
   * `expired`, `bounced` and `complained` are derived: a pending invite past its expiry, or
   * whose mail hard-bounced or was reported as spam (the address is then suppressed).
   */
  status: z.enum(INVITE_STATUSES),
  roles: z.array(z.string()),
  groups: z.array(z.string()),
  invitedBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  sendCount: z.number(),
  lastSentAt: z.string(),
  /**
   * `failed`: every attempt failed; an operator re-drive or a resend sends it again. `bounced`,
   * `complained`: SES reported a hard bounce or a spam report after sending it.
   */
  deliveryStatus: z.enum(DELIVERY_STATUSES),
  /** Failed attempts of the current send so far (absent before the first failure). */
  deliveryAttempts: z.number().optional(),
  lastDeliveryError: z.string().optional(),
  /** When the bounce or complaint happened, and what SES said (bounced or complained only). */
  deliveryProblemAt: z.string().optional(),
  deliveryProblemDetail: z.string().optional(),
  acceptedAt: z.string().optional(),
  acceptedBy: z.string().optional(),
  revokedAt: z.string().optional(),
});
export type InviteView = z.infer<typeof InviteView>;

export const InvitePage = z.object({
  items: z.array(InviteView),
  nextCursor: z.string().nullable(),
});

export const ResendView = z.object({ expiresAt: z.string() });

export const LookupView = z.object({
  tenantId: z.string(),
  tenantName: z.string(),
  email: z.string(),
  invitedBy: z.string(),
  expiresAt: z.string(),
});

export const AcceptView = z.object({ tenantId: z.string(), userId: z.string() });

/** `{inviteId}` (an unknown one is a 404). */
export const InvitePath = z.object({ inviteId: z.string() });
