/** Input and output shapes of the invite API. */
import * as z from 'zod/mini';
import { IdSchema } from '#shared/common/schemas.js';
import { safeText } from '#shared/common/validation.js';
import { PasswordSchema } from '#shared/identity/password-policy.js';
import { messageProblem } from '#shared/mail/invite-email.js';
import { PageQuery } from '#shared/store/pagination.js';
import { DELIVERY_STATUSES, INVITE_STATUSES } from '#shared/store/records/invite-record.js';

const OneLine = (max: number) =>
  safeText().check(z.maxLength(max), z.regex(/^[^\r\n]*$/, 'must not contain CR or LF'));

export const CreateInvitesBody = z.strictObject({
  emails: z.union([
    z.string().check(z.minLength(1), z.maxLength(40_000)),
    z.array(z.string().check(z.maxLength(320))).check(z.minLength(1), z.maxLength(1000)),
  ]),
  roles: z.optional(z.array(IdSchema).check(z.maxLength(50))),
  groups: z.optional(z.array(IdSchema).check(z.maxLength(50))),
  message: z.optional(
    OneLine(1000).check(
      z.superRefine((v, ctx) => {
        const problem = messageProblem(v);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    ),
  ),
});
export type CreateInvitesInput = z.infer<typeof CreateInvitesBody>;

export const ListInvitesQuery = z.strictObject({
  ...PageQuery,
  status: z.optional(z.enum(INVITE_STATUSES)),
});

export const TokenBody = z.strictObject({
  token: z.string().check(z.minLength(1), z.maxLength(512)),
});

export const AcceptInviteBody = z.strictObject({
  token: z.string().check(z.minLength(1), z.maxLength(512)),
  password: z.optional(PasswordSchema),
});

export const InviteResult = z.object({
  email: z.string(),
  /** `suppressed`: an earlier mail to the address hard-bounced or was reported as spam; nothing sent. */
  status: z.enum(['invited', 'already_member', 'already_invited', 'invalid', 'suppressed']),
  inviteId: z.optional(z.string()),
  expiresAt: z.optional(z.string()),
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
  deliveryAttempts: z.optional(z.number()),
  lastDeliveryError: z.optional(z.string()),
  /** When the bounce or complaint happened, and what SES said (bounced or complained only). */
  deliveryProblemAt: z.optional(z.string()),
  deliveryProblemDetail: z.optional(z.string()),
  acceptedAt: z.optional(z.string()),
  acceptedBy: z.optional(z.string()),
  revokedAt: z.optional(z.string()),
});
export type InviteView = z.infer<typeof InviteView>;

export const InvitePage = z.object({
  items: z.array(InviteView),
  nextCursor: z.nullable(z.string()),
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
