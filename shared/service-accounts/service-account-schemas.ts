/** Input and output shapes of the service account and API token API. */
import * as z from 'zod/mini';
import {
  DescriptionSchema,
  IdSchema,
  NameSchema,
  RoleBindingSchema,
  RuleSchema,
} from '#shared/common/schemas.js';
import { PageQuery } from '#shared/store/pagination.js';

export const CreateServiceAccountBody = z.strictObject({
  serviceAccountId: IdSchema,
  name: NameSchema,
  description: z.optional(DescriptionSchema),
});
export type CreateServiceAccountInput = z.infer<typeof CreateServiceAccountBody>;

export const PatchServiceAccountBody = z
  .strictObject({
    name: z.optional(NameSchema),
    description: z.optional(DescriptionSchema),
    status: z.optional(z.enum(['active', 'disabled'])),
  })
  .check(
    z.refine((v) => v.name !== undefined || v.description !== undefined || v.status !== undefined, {
      message: 'give name, description or status',
    }),
  );
export type PatchServiceAccountInput = z.infer<typeof PatchServiceAccountBody>;

export const ListServiceAccountsQuery = z.strictObject({ ...PageQuery });

export const ServiceAccountView = z.object({
  serviceAccountId: z.string(),
  name: z.string(),
  description: z.optional(z.string()),
  status: z.enum(['active', 'disabled']),
  groups: z.array(z.string()),
  roles: z.array(RoleBindingSchema),
  rules: z.array(RuleSchema),
  createdAt: z.string(),
});

export const ServiceAccountPage = z.object({
  items: z.array(ServiceAccountView),
  nextCursor: z.nullable(z.string()),
});

/** Default and maximum lifetime of an API token, in days. */
export const TOKEN_DEFAULT_DAYS = 90;
export const TOKEN_MAX_DAYS = 365;

export const CreateTokenBody = z.strictObject({
  name: NameSchema,
  expiresInDays: z.optional(z.number().check(z.int(), z.gte(1), z.lte(TOKEN_MAX_DAYS))),
});
export type CreateTokenInput = z.infer<typeof CreateTokenBody>;

export const ListTokensQuery = z.strictObject({ ...PageQuery });

export const TokenView = z.object({
  tokenId: z.string(),
  name: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  lastUsedAt: z.nullable(z.string()),
  status: z.enum(['active', 'expired', 'revoked']),
});

export const TokenPage = z.object({
  items: z.array(TokenView),
  nextCursor: z.nullable(z.string()),
});

/** The one response that carries the secret. */
export const CreatedTokenView = z.object({
  tokenId: z.string(),
  name: z.string(),
  token: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
});

/** Path parameters of service account routes (an unknown id is a 404). */
export const ServiceAccountPath = z.object({ serviceAccountId: z.string() });
export const ServiceAccountRolePath = z.extend(ServiceAccountPath, { roleId: z.string() });
export const ServiceAccountGroupPath = z.extend(ServiceAccountPath, { groupId: z.string() });
export const ServiceAccountTokenPath = z.extend(ServiceAccountPath, { tokenId: z.string() });
/** `{rid}` and `{action}` are checked by `ruleFromPath` (400 naming `path.rid` or `path.action`). */
export const ServiceAccountAclPath = z.extend(ServiceAccountPath, {
  rid: z.string(),
  action: z.string(),
});
