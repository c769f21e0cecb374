/**
 * The session stamps: the tenant's session floor for a user (written when a membership is
 * deleted, so it outlives it: rule 11), the user's sign-out-everywhere stamp (sign-out and
 * offboarding) and their copies folded into member items. Each holds `sessionsValidAfter` (epoch
 * ms): credentials from before it are dead.
 *
 * Folding: a member item of the folded format carries the latest of its own forced-logout stamp,
 * its tenant floor and the user's stamp, so a decision reads the member item alone. A new
 * membership copies the floor and the user stamp it read, in a transaction that checks both are
 * still as read (and adds the tenant to the user's `tenants` set); a sign-out raises the user
 * stamp, learning that set in the same write, then raises every member item it names.
 */

import { isRaceLost } from '#shared/errors/domain-errors.js';
import { keys } from '#shared/store/keys.js';
import { written } from '#shared/store/records/conditional-write.js';
import { FORMAT_ATTRIBUTE, formatOf, knownFormat } from '#shared/store/records/item-format.js';
import type { Item, Key, Table, TxItem } from '#shared/store/table.js';

/**
 * The user sessions item is written by updates: they set its format where it has none and never
 * lower one a later version wrote (`#f` = {@link FORMAT_ATTRIBUTE}, `:f` = this format).
 */
const USER_SESSIONS_FORMAT = formatOf('user-sessions').format;
const KEEP_FORMAT = '#f = if_not_exists(#f, :f)';

/** The stamp an item holds (epoch ms), 0 for an absent item or one without a stamp. */
export function stampOf(item: Item | undefined): number {
  return Number(item?.sessionsValidAfter ?? 0);
}

/** The keys read with every member decision: the membership, its tenant floor, the user stamp. */
export function memberSessionKeys(tenantId: string, userId: string): [Key, Key, Key] {
  return [keys.member(tenantId, userId), ...memberStampKeys(tenantId, userId)];
}

/** The two stamps a member item of the older format does not fold: its tenant floor, the user's. */
export function memberStampKeys(tenantId: string, userId: string): [Key, Key] {
  return [keys.memberSessionFloor(tenantId, userId), keys.userSessions(userId)];
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
      ...formatOf('session-floor'),
      tenantId,
      userId,
      sessionsValidAfter: at,
    },
  };
}

/** The stamps a new membership folds in, as read: undefined where there is none (yet). */
export interface JoinStamps {
  /** The tenant's session floor for the person (a deleted earlier membership). */
  floor: number | undefined;
  /** The person's sign-out-everywhere stamp. */
  user: number | undefined;
}

/** The tenant floor and the user stamp of a person about to join a tenant: one BatchGetItem. */
export async function readJoinStamps(
  table: Table,
  tenantId: string,
  userId: string,
): Promise<JoinStamps> {
  const [floorKey, userKey] = memberStampKeys(tenantId, userId);
  const found = await table.batchGet([floorKey, userKey], { attributes: ['sessionsValidAfter'] });
  const floor = table.pick(found, floorKey)?.sessionsValidAfter;
  const user = table.pick(found, userKey)?.sessionsValidAfter;
  return {
    floor: floor === undefined ? undefined : Number(floor),
    user: user === undefined ? undefined : Number(user),
  };
}

/** The stamp a new member item starts with: the latest of those read. */
export function foldedStamp(read: JoinStamps): number {
  return Math.max(read.floor ?? 0, read.user ?? 0);
}

/**
 * The items a new membership's transaction carries with its member item: a check that the tenant
 * floor is still as read, and an update of the user's sessions item that adds the tenant to its
 * `tenants` set, conditioned on the stamp being still as read. A deletion or a sign-out that
 * commits in between fails the transaction (a lost race: the join re-reads and retries), and a
 * sign-out that commits after it finds the tenant in the set and stamps the new member item.
 */
export function joinGuards(tenantId: string, userId: string, read: JoinStamps): TxItem[] {
  return [
    {
      check: keys.memberSessionFloor(tenantId, userId),
      when:
        read.floor === undefined
          ? { if: 'attribute_not_exists(pk)' }
          : { if: 'sessionsValidAfter = :floor', values: { ':floor': read.floor } },
    },
    {
      update: keys.userSessions(userId),
      set: `SET #t = :type, userId = :u, ${KEEP_FORMAT} ADD tenants :tenant`,
      names: { '#t': 'type', '#f': FORMAT_ATTRIBUTE },
      values: {
        ':type': 'user-sessions',
        ':u': userId,
        ':f': USER_SESSIONS_FORMAT,
        ':tenant': new Set([tenantId]),
      },
      when:
        read.user === undefined
          ? { if: 'attribute_not_exists(sessionsValidAfter)' }
          : { if: 'sessionsValidAfter = :stamp', values: { ':stamp': read.user } },
    },
  ];
}

/** Takes a tenant out of the user's `tenants` set, with the deletion of their membership there. */
export function joinedTenantRemove(tenantId: string, userId: string): TxItem {
  return {
    update: keys.userSessions(userId),
    set: 'DELETE tenants :tenant',
    values: { ':tenant': new Set([tenantId]) },
  };
}

/**
 * The tenants a user is a member of (byUser index, every page): where their personal tokens and
 * memberships live, whose sessions a sign-out everywhere ends. The index lags the table: a
 * sign-out also reads the `tenants` set of the user's sessions item, which does not.
 */
export async function membershipTenantIds(table: Table, userId: string): Promise<string[]> {
  const items = await table.queryAll({ index: 'byUser', partition: keys.byUserPartition(userId) });
  return items.filter((item) => item.type === 'member').map((item) => String(item.tenantId));
}

/** When the user last signed out everywhere (or was offboarded): epoch ms, 0 if never. One GetItem. */
export async function getUserSessionsValidAfter(table: Table, userId: string): Promise<number> {
  const item = await table.get(keys.userSessions(userId), {
    attributes: ['sessionsValidAfter', FORMAT_ATTRIBUTE],
  });
  if (item) knownFormat('user-sessions', item);
  return stampOf(item);
}

/** The tenant ids of an item's `tenants` set. */
function tenantsOf(item: Item | undefined): string[] {
  const set = item?.tenants;
  return set instanceof Set ? [...set].map(String) : [];
}

/**
 * Raises the user's stamp to `at` (epoch ms), never lowering it, and returns the tenants the
 * user joined (the `tenants` set as the same write left it: a membership created after it
 * carries the new stamp itself). When a later stamp is already there nothing is written and the
 * set is read (strongly consistent) instead. One UpdateItem (plus one GetItem in that case).
 */
export async function raiseUserSessionsStamp(
  table: Table,
  userId: string,
  at: number,
): Promise<string[]> {
  const key = keys.userSessions(userId);
  try {
    const item = await table.update(
      key,
      `SET #t = :type, userId = :u, sessionsValidAfter = :at, ${KEEP_FORMAT}`,
      {
        names: { '#t': 'type', '#f': FORMAT_ATTRIBUTE },
        values: { ':type': 'user-sessions', ':u': userId, ':at': at, ':f': USER_SESSIONS_FORMAT },
        when: { if: 'attribute_not_exists(sessionsValidAfter) OR sessionsValidAfter < :at' },
        returnNew: true,
      },
    );
    return tenantsOf(item);
  } catch (error) {
    if (!isRaceLost(error)) throw error;
    return tenantsOf(await table.get(key, { attributes: ['tenants'] }));
  }
}

/**
 * Raises a member item's `sessionsValidAfter` to `at`, never lowering it, and bumps its version
 * so a concurrent full write of the member (conditioned on the version it read) fails and
 * re-reads instead of erasing the stamp. False when there is nothing to raise (a later stamp,
 * or no such member). One UpdateItem.
 */
export function raiseMemberStamp(
  table: Table,
  tenantId: string,
  userId: string,
  at: number,
): Promise<boolean> {
  return written(
    table.update(
      keys.member(tenantId, userId),
      'SET sessionsValidAfter = :at, version = if_not_exists(version, :zero) + :one',
      {
        values: { ':at': at, ':zero': 0, ':one': 1 },
        when: {
          if: 'attribute_exists(pk) AND (attribute_not_exists(sessionsValidAfter) OR sessionsValidAfter < :at)',
        },
      },
    ),
  );
}
