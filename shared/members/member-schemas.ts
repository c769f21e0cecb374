/** Input and output shapes of the member API. */
import * as z from 'zod';
import { ACTIONS } from '#shared/acl/types.js';
import { EmailSchema, IdSchema, ResourceSchema, RuleSchema } from '#shared/common/schemas.js';
import { PageQuery } from '#shared/store/pagination.js';

export const AddMemberBody = z.strictObject({
  email: EmailSchema,
  roles: z.array(IdSchema).max(50).optional(),
  groups: z.array(IdSchema).max(50).optional(),
});

export const PatchMemberBody = z.strictObject({ status: z.enum(['active', 'disabled']) });

export const BindRoleBody = z.strictObject({ scope: ResourceSchema.optional() });

export const ListMembersQuery = z.strictObject({
  ...PageQuery,
  group: IdSchema.optional(),
  role: IdSchema.optional(),
  email: z.string().trim().toLowerCase().min(1).max(254).optional(),
  status: z.enum(['active', 'disabled', 'pending']).optional(),
});

export const MemberView = z.object({
  userId: z.string(),
  email: z.string(),
  status: z
    .enum(['active', 'disabled', 'pending'])
    .describe('`pending`: added, not yet accepted by the person; not a member for checks'),
  joinedAt: z.string(),
  groups: z.array(z.string()),
  roles: z.array(z.object({ roleId: z.string(), scope: z.string().optional() })),
});

export const MemberDetailView = MemberView.extend({ rules: z.array(RuleSchema) });

/**
 * The answer to adding a member directly: a pending member (provisional userId) and the invite
 * mailed to the person, the same whether or not the address has an account (rule 17).
 */
export const AddedMemberView = MemberView.extend({
  inviteId: z.string().describe('The invite whose acceptance activates this member'),
  expiresAt: z.string().describe('When the invite expires (resend it to renew)'),
});

export const MemberPage = z.object({
  items: z.array(MemberView),
  nextCursor: z.string().nullable(),
});

/** Paging of an effective-permissions listing. */
export const PermissionsQuery = z.strictObject({ ...PageQuery });

export const EffectivePermissionsView = z.object({
  userId: z.string(),
  superuser: z.boolean(),
  total: z.number().int().describe('How many effective rules there are, on all pages'),
  nextCursor: z.string().nullable(),
  items: z.array(
    z.object({
      resource: z.string(),
      action: z.enum(ACTIONS),
      source: z.object({
        type: z.enum(['direct', 'group', 'role']),
        groupId: z.string().optional(),
        roleId: z.string().optional(),
        scope: z.string().optional(),
      }),
    }),
  ),
});

/** Path parameters of member routes (an unknown id is a 404). */
export const MemberPath = z.object({ userId: z.string() });
export const MemberRolePath = z.object({ userId: z.string(), roleId: z.string() });
export const MemberTokenPath = z.object({ userId: z.string(), tokenId: z.string() });
/** `{identifier}` of a forced logout: a userId or an email. */
export const LogoutPath = z.object({ identifier: z.string() });
