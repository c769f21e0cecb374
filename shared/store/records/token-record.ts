/**
 * Token items: service accounts' API tokens (`SATOKEN#<account>#<id>`) and members' personal
 * tokens (`UTOKEN#<user>#<id>`), both in the tenant's partition. Only the secret's hash is stored.
 */

import { keys } from '#shared/store/keys.js';
import { prefixPage } from '#shared/store/pagination.js';
import { formatOf } from '#shared/store/records/item-format.js';
import type { Key, Table, TxItem } from '#shared/store/table.js';
import { TTL_ATTRIBUTE } from '#shared/store/table-definition.js';

/** The attributes every new token item stores (hash, times, TTL), from the token's minting. */
export type StoredToken = Record<string, unknown> & { tokenId: string };

/** A token item as stored, strongly consistent, or undefined. */
export function readToken(table: Table, key: Key) {
  return table.get(key);
}

/** Whether a token item exists (one projected, eventually consistent read). */
export async function tokenExists(table: Table, key: Key) {
  return (await table.get(key, { consistent: false, attributes: ['pk'] })) !== undefined;
}

/** How many token items (any status) a tenant holds under `prefix`, strongly consistent. */
export function countTokens(table: Table, tenantId: string, prefix: string) {
  return table.count({ partition: keys.tenantPartition(tenantId), prefix });
}

/** One page of the token items under `prefix`, resuming after `cursor` (a key of this listing). */
export function tokenPage(
  table: Table,
  tenantId: string,
  prefix: string,
  query: { limit: number; cursor?: string },
) {
  return prefixPage(table, keys.tenantPartition(tenantId), prefix, query);
}

/** The deletions of every token item under `prefix` (any status), for a principal's delete. */
async function tokenDeletions(table: Table, tenantId: string, prefix: string): Promise<TxItem[]> {
  const items = await table.queryAll({
    partition: keys.tenantPartition(tenantId),
    prefix,
    attributes: ['pk', 'sk'],
  });
  return items.map((i) => ({ delete: { pk: String(i.pk), sk: String(i.sk) } }));
}

/** The deletions of every personal token of a member, to join the member's delete. */
export function personalTokenDeletions(table: Table, tenantId: string, userId: string) {
  return tokenDeletions(table, tenantId, keys.personalTokenPrefix(userId));
}

/** The deletions of every API token of a service account, to join the account's delete. */
export function apiTokenDeletions(table: Table, tenantId: string, serviceAccountId: string) {
  return tokenDeletions(table, tenantId, keys.apiTokenPrefix(serviceAccountId));
}

/** Creates an API token item of a service account (minted by `mintedBy`). */
export function apiTokenPut(
  tenantId: string,
  account: { serviceAccountId: string; incarnation: string },
  minter: { userId: string; incarnation: string },
  stored: StoredToken,
): TxItem {
  return {
    put: {
      ...keys.apiToken(tenantId, account.serviceAccountId, stored.tokenId),
      type: 'api-token',
      tenantId,
      serviceAccountId: account.serviceAccountId,
      accountIncarnation: account.incarnation,
      mintedBy: minter.userId,
      minterIncarnation: minter.incarnation,
      ...stored,
      ...formatOf('api-token'),
    },
    when: { if: 'attribute_not_exists(pk)' },
  };
}

/** Creates a personal token item of a member (of the membership's incarnation). */
export function personalTokenPut(
  tenantId: string,
  member: { userId: string; incarnation: string },
  stored: StoredToken,
): TxItem {
  return {
    put: {
      ...keys.personalToken(tenantId, member.userId, stored.tokenId),
      type: 'personal-token',
      tenantId,
      userId: member.userId,
      memberIncarnation: member.incarnation,
      ...stored,
      ...formatOf('personal-token'),
    },
    when: { if: 'attribute_not_exists(pk)' },
  };
}

/** Revokes a token item still unrevoked; the item vanishes `keepMs` after `now`. */
export function tokenRevoke(key: Key, now: Date, keepMs: number): TxItem {
  return {
    update: { pk: key.pk, sk: key.sk },
    set: 'SET revoked = :t, revokedAt = :at, #ttl = :ttl',
    names: { '#ttl': TTL_ATTRIBUTE },
    values: {
      ':t': true,
      ':at': now.toISOString(),
      ':ttl': Math.floor((now.getTime() + keepMs) / 1000),
    },
    when: { if: 'revoked = :f', values: { ':f': false } },
  };
}
