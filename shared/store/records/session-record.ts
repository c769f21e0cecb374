/**
 * The session stamps: the tenant's session floor for a user (written when a membership is
 * deleted, so it outlives it: rule 11) and the user's sign-out-everywhere stamp (sign-out and
 * offboarding). Both hold `sessionsValidAfter` (epoch ms): credentials from before it are dead.
 */

import { keys } from '#shared/store/keys.js';
import { written } from '#shared/store/records/conditional-write.js';
import type { Item, Key, Table, TxItem } from '#shared/store/table.js';

/** The stamp an item holds (epoch ms), 0 for an absent item or one without a stamp. */
export function stampOf(item: Item | undefined): number {
  return Number(item?.sessionsValidAfter ?? 0);
}

/** The keys read with every member decision: the membership, its tenant floor, the user stamp. */
export function memberSessionKeys(tenantId: string, userId: string): [Key, Key, Key] {
  return [
    keys.member(tenantId, userId),
    keys.memberSessionFloor(tenantId, userId),
    keys.userSessions(userId),
  ];
}

/**
 * Raises the tenant's session floor for a user to `at` (epoch ms), written with the deletion of
 * their membership: every credential from before stays dead for any later membership.
 */
export function sessionFloorPut(tenantId: string, userId: string, at: number): TxItem {
  return {
    put: {
      ...keys.memberSessionFloor(tenantId, userId),
      type: 'session-floor',
      tenantId,
      userId,
      sessionsValidAfter: at,
    },
  };
}

/**
 * The tenants a user is a member of (byUser index, every page): where their personal tokens and
 * memberships live, whose sessions a sign-out everywhere ends.
 */
export async function membershipTenantIds(table: Table, userId: string): Promise<string[]> {
  const items = await table.queryAll({ index: 'byUser', partition: keys.byUserPartition(userId) });
  return items.filter((item) => item.type === 'member').map((item) => String(item.tenantId));
}

/** When the user last signed out everywhere (or was offboarded): epoch ms, 0 if never. One GetItem. */
export async function getUserSessionsValidAfter(table: Table, userId: string): Promise<number> {
  const item = await table.get(keys.userSessions(userId), { attributes: ['sessionsValidAfter'] });
  return stampOf(item);
}

/**
 * Raises the user's stamp to `at` (epoch ms), never lowering it: when a later stamp is already
 * there it ends at least as much as this one would, and nothing is written. One UpdateItem.
 */
export async function raiseUserSessionsStamp(table: Table, userId: string, at: number) {
  await written(
    table.update(
      keys.userSessions(userId),
      'SET #t = :type, userId = :u, sessionsValidAfter = :at',
      {
        names: { '#t': 'type' },
        values: { ':type': 'user-sessions', ':u': userId, ':at': at },
        when: { if: 'attribute_not_exists(sessionsValidAfter) OR sessionsValidAfter < :at' },
      },
    ),
  );
}
