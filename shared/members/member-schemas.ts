/** Input and output shapes of the member API. */
import * as z from 'zod/mini';
import { ACTIONS } from '#shared/acl/types.js';
import { EmailSchema, IdSchema, ResourceSchema, RuleSchema } from '#shared/common/schemas.js';
import { PageQuery } from '#shared/store/pagination.js';

export const AddMemberBody = z.strictObject({
  email: EmailSchema,
  roles: z.optional(z.array(IdSchema).check(z.maxLength(50))),
  groups: z.optional(z.array(IdSchema).check(z.maxLength(50))),
});

export const PatchMemberBody = z.strictObject({ status: z.enum(['active', 'disabled']) });

export const BindRoleBody = z.strictObject({ scope: z.optional(ResourceSchema) });

export const ListMembersQuery = z.strictObject({
  ...PageQuery,
  group: z.optional(IdSchema),
  role: z.optional(IdSchema),
  email: z.optional(z.string().check(z.trim(), z.toLowerCase(), z.minLength(1), z.maxLength(254))),
  status: z.optional(z.enum(['active', 'disabled', 'pending'])),
});

export const MemberView = z.object({
  userId: z.string(),
  email: z.string(),
  status: z
    .enum(['active', 'disabled', 'pending'])
    .check(z.describe('`pending`: added, not yet accepted by the person; not a member for checks')),
  joinedAt: z.string(),
  groups: z.array(z.string()),
  roles: z.array(z.object({ roleId: z.string(), scope: z.optional(z.string()) })),
});

export const MemberDetailView = z.extend(MemberView, { rules: z.array(RuleSchema) });

/**
 * The answer to adding a member directly: a pending member (provisional userId) and the invite
 * mailed to the person, the same whether or not the address has an account (rule 17).
 */
export const AddedMemberView = z.extend(MemberView, {
  inviteId: z.string().check(z.describe('The invite whose acceptance activates this member')),
  expiresAt: z.string().check(z.describe('When the invite expires (resend it to renew)')),
});

export const MemberPage = z.object({
  items: z.array(MemberView),
  nextCursor: z.nullable(z.string()),
});

/** Paging of an effective-permissions listing. */
export const PermissionsQuery = z.strictObject({ ...PageQuery });

export const EffectivePermissionsView = z.object({
  userId: z.string(),
  superuser: z.boolean(),
  total: z.number().check(z.int(), z.describe('How many effective rules there are, on all pages')),
  nextCursor: z.nullable(z.string()),
  items: z.array(
    z.object({
      resource: z.string(),
      action: z.enum(ACTIONS),
      source: z.object({
        type: z.enum(['direct', 'group', 'role']),
        groupId: z.optional(z.string()),
        roleId: z.optional(z.string()),
        scope: z.optional(z.string()),
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
