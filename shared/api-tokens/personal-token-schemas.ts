/** Response shapes of members' personal API tokens (minted under the member, listed at `/v1/me/tokens`). */
import * as z from 'zod';
import { CreatedTokenView, TokenView } from '#shared/service-accounts/service-account-schemas.js';
import { PageQuery } from '#shared/store/pagination.js';

/** `/v1/me/tokens` lists every tenant's tokens of the caller in one page. */
export const ListPersonalTokensQuery = z.strictObject({ ...PageQuery });

export const PersonalTokenView = TokenView.extend({ tenantId: z.string() });
export const PersonalTokenPage = z.object({
  items: z.array(PersonalTokenView),
  nextCursor: z.string().nullable(),
});
export const CreatedPersonalTokenView = CreatedTokenView.extend({ tenantId: z.string() });
