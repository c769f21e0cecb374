/** Input and output shapes of the role API. */
import * as z from 'zod/mini';
import { IdSchema, NameSchema, RuleSchema } from '#shared/common/schemas.js';
import { PageQuery } from '#shared/store/pagination.js';

/** A hard cap on the body; the tenant's `permissionsPerRole` limit (409) is checked below it. */
const PermissionsSchema = z.array(RuleSchema).check(z.maxLength(1000));

export const CreateRoleBody = z.strictObject({
  roleId: IdSchema,
  name: NameSchema,
  permissions: PermissionsSchema,
});
export type CreateRoleInput = z.infer<typeof CreateRoleBody>;

export const PutRoleBody = z.strictObject({ name: NameSchema, permissions: PermissionsSchema });
export type PutRoleInput = z.infer<typeof PutRoleBody>;

export const ListRolesQuery = z.strictObject({ ...PageQuery });

export const RolePath = z.object({ roleId: IdSchema });

export const RoleView = z.object({
  roleId: z.string(),
  name: z.string(),
  builtIn: z.boolean(),
  createdAt: z.string(),
  permissions: z.array(RuleSchema),
});
export type RoleView = z.infer<typeof RoleView>;

export const RolePage = z.object({ items: z.array(RoleView), nextCursor: z.nullable(z.string()) });
