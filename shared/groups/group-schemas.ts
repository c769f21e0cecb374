/** Input and output shapes of the group API. */
import * as z from 'zod/mini';
import {
  DescriptionSchema,
  IdSchema,
  NameSchema,
  RoleBindingSchema,
  RuleSchema,
  UserIdSchema,
} from '#shared/common/schemas.js';
import { PageQuery } from '#shared/store/pagination.js';

export const CreateGroupBody = z.strictObject({
  groupId: IdSchema,
  name: NameSchema,
  description: z.optional(DescriptionSchema),
});
export type CreateGroupInput = z.infer<typeof CreateGroupBody>;

export const PatchGroupBody = z
  .strictObject({ name: z.optional(NameSchema), description: z.optional(DescriptionSchema) })
  .check(
    z.refine((v) => v.name !== undefined || v.description !== undefined, {
      message: 'give name or description',
    }),
  );
export type PatchGroupInput = z.infer<typeof PatchGroupBody>;

export const ListGroupsQuery = z.strictObject({ ...PageQuery });

export const GroupPath = z.object({ groupId: IdSchema });
export const GroupMemberPath = z.object({ groupId: IdSchema, userId: UserIdSchema });
export const GroupRolePath = z.object({ groupId: IdSchema, roleId: IdSchema });

export const GroupView = z.object({
  groupId: z.string(),
  name: z.string(),
  description: z.optional(z.string()),
  builtIn: z.boolean(),
  createdAt: z.string(),
  rules: z.array(RuleSchema),
  roles: z.array(RoleBindingSchema),
});
export type GroupView = z.infer<typeof GroupView>;

export const GroupPage = z.object({
  items: z.array(GroupView),
  nextCursor: z.nullable(z.string()),
});
