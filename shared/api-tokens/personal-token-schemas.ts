/** Request and response shapes of members' personal API tokens (`/v1/me/tokens`). */
import * as z from 'zod';
import {
  CreatedTokenView,
  CreateTokenBody,
  TokenView,
} from '#shared/service-accounts/service-account-schemas.js';
import { PageQuery } from '#shared/store/pagination.js';
import { TenantIdSchema } from '#shared/tenants/tenant-schemas.js';

/** A personal token is bound to one tenant the caller is an active member of. */
export const CreatePersonalTokenBody = CreateTokenBody.extend({ tenantId: TenantIdSchema });
export type CreatePersonalTokenInput = z.infer<typeof CreatePersonalTokenBody>;

/** `tenantId` narrows the list to one tenant (then paginated); without it, every tenant. */
export const ListPersonalTokensQuery = z.strictObject({
  tenantId: TenantIdSchema.optional(),
  ...PageQuery,
});
export type ListPersonalTokensInput = z.infer<typeof ListPersonalTokensQuery>;

export const PersonalTokenView = TokenView.extend({ tenantId: z.string() });
export const PersonalTokenPage = z.object({
  items: z.array(PersonalTokenView),
  nextCursor: z.string().nullable(),
});
export const CreatedPersonalTokenView = CreatedTokenView.extend({ tenantId: z.string() });
