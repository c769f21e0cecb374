/** Input and output shapes of the member API. */
import * as z from 'zod';
import { ACTIONS } from '#shared/acl/types.js';
import { PageQuery } from '#shared/store/pagination.js';

export const IdSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,63}$/,
    'must be 1-64 of a-z, 0-9, _ and -, starting with a letter or digit',
  );
export const UserIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, 'invalid user id');

/** A one-line display name (no CR/LF, so it is safe in mail headers). */
export const NameSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\r\n]*$/, 'must be one line');

export const DescriptionSchema = z.string().trim().max(1000);

export const EmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'must be an email address' }));

export const ResourceSchema = z.string().min(1).max(256);

export const RuleSchema = z.strictObject({ resource: ResourceSchema, action: z.enum(ACTIONS) });

export const RoleBindingSchema = z.strictObject({
  roleId: IdSchema,
  scope: ResourceSchema.optional(),
});

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

export const EffectivePermissionsView = z.object({
  userId: z.string(),
  superuser: z.boolean(),
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
