/**
 * What API tokens of service accounts and members' personal tokens share: minting a secret
 * (only its SHA-256 is stored), the listing view (never the secret), and revoking one.
 */

import { ulid } from 'ulid';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import type { AuditAction } from '#shared/audit/audit-actions.js';
import { auditPut } from '#shared/audit/audit-event.js';
import { hashSecret } from '#shared/platform/secret-tokens.js';
import { found } from '#shared/principals/found.js';
import {
  type CreateTokenInput,
  TOKEN_DEFAULT_DAYS,
} from '#shared/service-accounts/service-account-schemas.js';
import type { Page } from '#shared/store/pagination.js';
import { readToken, tokenPage, tokenRevoke } from '#shared/store/records/token-record.js';
import type { Key, TxItem } from '#shared/store/table.js';
import { TTL_ATTRIBUTE } from '#shared/store/table-definition.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Token items (revoked or expired) vanish this long after they stop working. */
const KEEP_AFTER_END_MS = 30 * DAY_MS;

/**
 * Rule 13: credentials do not breed. Only a person signed in with a session mints a token (an
 * API token or a personal token cannot, and so cannot make one that outlives itself).
 */
export const MINT_NEEDS_SESSION =
  'Minting a token needs a signed-in person: API tokens and personal tokens cannot mint tokens';

/** What a listing shows of a token item: never the secret or its hash. */
export function tokenView(item: Record<string, unknown>, now: Date) {
  const expiresAt = String(item.expiresAt);
  const status =
    item.revoked === true
      ? 'revoked'
      : Date.parse(expiresAt) <= now.getTime()
        ? 'expired'
        : 'active';
  return {
    tokenId: String(item.tokenId),
    name: String(item.name),
    createdAt: String(item.createdAt),
    expiresAt,
    lastUsedAt: typeof item.lastUsedAt === 'string' ? item.lastUsedAt : null,
    status,
  };
}

/**
 * A new token: its public record, the secret (to hand out once) and the attributes its item
 * stores (the secret's hash, never the secret; TTL 30 days after expiry).
 */
export function newToken(deps: StoreDeps, input: CreateTokenInput) {
  const now = deps.clock.now();
  const tokenId = ulid(now.getTime());
  const secret = deps.tokens.newSecret();
  const expires = new Date(now.getTime() + (input.expiresInDays ?? TOKEN_DEFAULT_DAYS) * DAY_MS);
  const record = {
    tokenId,
    name: input.name,
    createdAt: now.toISOString(),
    expiresAt: expires.toISOString(),
  };
  const stored = {
    ...record,
    secretHash: hashSecret(secret),
    revoked: false,
    [TTL_ATTRIBUTE]: Math.floor((expires.getTime() + KEEP_AFTER_END_MS) / 1000),
  };
  return { now, tokenId, secret, record, stored };
}

/** One page of the token items under `prefix` in a tenant's partition, as listings show them. */
export async function listTokenItems(
  deps: StoreDeps,
  tenantId: string,
  prefix: string,
  query: { limit: number; cursor?: string },
): Promise<Page<ReturnType<typeof tokenView>>> {
  const page = await tokenPage(deps.table, tenantId, prefix, query);
  const now = deps.clock.now();
  return { items: page.items.map((i) => tokenView(i, now)), nextCursor: page.nextCursor };
}

/**
 * Revokes the token item at `key` (404 when absent; nothing when already revoked) with its
 * audit event and the caller's `checks`, in one transaction: refused from the next request on.
 */
export async function revokeToken(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  token: { key: Key; tokenId: string },
  audit: { action: AuditAction; target: string },
  checks: TxItem[] = [],
): Promise<void> {
  const item = found(await readToken(deps.table, token.key), `Token '${token.tokenId}' not found`);
  if (item.revoked === true) return;
  const now = deps.clock.now();
  const before = tokenView(item, now);
  const event = {
    tenantId,
    actor: caller.userId,
    ...audit,
    before,
    after: { ...before, status: 'revoked' },
  };
  await deps.table.transact([
    tokenRevoke(token.key, now, KEEP_AFTER_END_MS),
    ...checks,
    auditPut(event, now),
  ]);
}
