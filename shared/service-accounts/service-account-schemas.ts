/** Input and output shapes of the service account and API token API. */
import * as z from 'zod';
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
  description: DescriptionSchema.optional(),
});
export type CreateServiceAccountInput = z.infer<typeof CreateServiceAccountBody>;

export const PatchServiceAccountBody = z
  .strictObject({
    name: NameSchema.optional(),
    description: DescriptionSchema.optional(),
    status: z.enum(['active', 'disabled']).optional(),
  })
  .refine((v) => v.name !== undefined || v.description !== undefined || v.status !== undefined, {
    message: 'give name, description or status',
  });
export type PatchServiceAccountInput = z.infer<typeof PatchServiceAccountBody>;

export const ListServiceAccountsQuery = z.strictObject({ ...PageQuery });

export const ServiceAccountView = z.object({
  serviceAccountId: z.string(),
  name: z.string(),
  description: z.string().optional(),
  status: z.enum(['active', 'disabled']),
  groups: z.array(z.string()),
  roles: z.array(RoleBindingSchema),
  rules: z.array(RuleSchema),
  createdAt: z.string(),
});

export const ServiceAccountPage = z.object({
  items: z.array(ServiceAccountView),
  nextCursor: z.string().nullable(),
});

/** Default and maximum lifetime of an API token, in days. */
export const TOKEN_DEFAULT_DAYS = 90;
export const TOKEN_MAX_DAYS = 365;

export const CreateTokenBody = z.strictObject({
  name: NameSchema,
  expiresInDays: z.number().int().min(1).max(TOKEN_MAX_DAYS).optional(),
});
export type CreateTokenInput = z.infer<typeof CreateTokenBody>;

export const ListTokensQuery = z.strictObject({ ...PageQuery });

export const TokenView = z.object({
  tokenId: z.string(),
  name: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  lastUsedAt: z.string().nullable(),
  status: z.enum(['active', 'expired', 'revoked']),
});

export const TokenPage = z.object({ items: z.array(TokenView), nextCursor: z.string().nullable() });

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
export const ServiceAccountRolePath = ServiceAccountPath.extend({ roleId: z.string() });
export const ServiceAccountGroupPath = ServiceAccountPath.extend({ groupId: z.string() });
export const ServiceAccountTokenPath = ServiceAccountPath.extend({ tokenId: z.string() });
/** `{rid}` and `{action}` are checked by `ruleFromPath` (400 naming `path.rid` or `path.action`). */
export const ServiceAccountAclPath = ServiceAccountPath.extend({
  rid: z.string(),
  action: z.string(),
});
