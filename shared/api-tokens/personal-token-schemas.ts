/** Response shapes of members' personal API tokens (minted under the member, listed at `/v1/me/tokens`). */
import * as z from 'zod/mini';
import { CreatedTokenView, TokenView } from '#shared/service-accounts/service-account-schemas.js';

/**
 * `/v1/me/tokens` lists the caller's tokens of every tenant in one page (at most 20 a tenant),
 * so it takes no query: an unknown field, `limit` included, is a 400 rather than ignored.
 */
export const ListPersonalTokensQuery = z.strictObject({});

export const PersonalTokenView = z.extend(TokenView, { tenantId: z.string() });
export const PersonalTokenPage = z.object({
  items: z.array(PersonalTokenView),
  nextCursor: z.nullable(z.string()),
});
export const CreatedPersonalTokenView = z.extend(CreatedTokenView, { tenantId: z.string() });

/** `{tokenId}` of one of the caller's personal tokens (an unknown one is a 404). */
export const PersonalTokenPath = z.object({ tokenId: z.string() });
