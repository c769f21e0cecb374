/** The member item: a user's membership in one tenant, and the authorizer's one-read snapshot. */
import type { PrincipalGrants, RoleBinding, Rule } from '#shared/acl/types.js';
import type { DomainError } from '#shared/errors/domain-errors.js';
import { incarnationOf } from '#shared/platform/incarnation.js';
import { keys } from '#shared/store/keys.js';
import { decodeCursor } from '#shared/store/pagination.js';
import { ITEM_FORMATS, knownFormat } from '#shared/store/records/item-format.js';
import {
  PACKED_RULES_ATTRIBUTE,
  packRules,
  rulesOfItem,
} from '#shared/store/records/packed-rules.js';
import {
  atVersion,
  versionBump,
  versionedDelete,
  versionedPut,
} from '#shared/store/records/versioned-item.js';
import type { Table, TxItem } from '#shared/store/table.js';

/**
 * `pending`: added by an admin, not yet accepted by the person (consent). Grants may be given in
 * advance; checks and the authorizer treat a pending member as not a member.
 */
export type MemberStatus = 'active' | 'disabled' | 'pending';

/** A pending member's id: provisional, never the person's Cognito `sub` (rule 17). */
export const PENDING_ID_PREFIX = 'pending-';

export interface MemberRecord {
  tenantId: string;
  userId: string;
  email: string;
  status: MemberStatus;
  joinedAt: string;
  groups: string[];
  roles: RoleBinding[];
  rules: Rule[];
  /** Epoch ms; tokens whose auth_time is earlier are refused (forced logout). */
  sessionsValidAfter: number;
  /** Whether this member currently holds `gatehouse:superuser` full (counted on the tenant). */
  superuser: boolean;
  version: number;
  /**
   * Random id of this membership's life, set when it is created and never changed: tokens record
   * it, so a member deleted and added again (a new principal, rule 11) matches none of them.
   * Empty for items written before incarnations existed.
   */
  incarnation: string;
  /** A pending member's invite: accepting it activates this member. */
  inviteId?: string;
  /**
   * The item's format as read: absent (1) for items whose `sessionsValidAfter` is the member's
   * own forced-logout stamp only, {@link FOLDED_MEMBER_FORMAT} or higher when it also folds the
   * tenant floor and the user's sign-out stamp (see session-record.ts). A rewrite keeps format 1
   * as it is and writes any folded member as {@link MEMBER_FORMAT} (see {@link memberItem}).
   */
  format?: number;
}

/**
 * The member format whose `sessionsValidAfter` folds the tenant floor and the user's stamp: a
 * decision reads this item alone. Every later format folds them too.
 */
export const FOLDED_MEMBER_FORMAT = 2;

/**
 * The member format this version writes: folded stamps (format 2) and the direct rules packed
 * into one Binary attribute, `packedRules` (packed-rules.ts), instead of a list of maps. An
 * authorizer meeting a higher format it does not know denies (item-format.ts).
 */
export const MEMBER_FORMAT = ITEM_FORMATS.member;

/** Whether a member (as read or about to be written) folds its session stamps (format >= 2). */
export function foldsStamps(m: Pick<MemberRecord, 'format'>): boolean {
  return (m.format ?? 1) >= FOLDED_MEMBER_FORMAT;
}

/** The attributes the authorizer projects from the member item (plus the policy version). */
export const SNAPSHOT_ATTRIBUTES = [
  'userId',
  'email',
  'status',
  'groups',
  'roles',
  'rules',
  PACKED_RULES_ATTRIBUTE,
  'sessionsValidAfter',
  'version',
  'policyVersion',
  'incarnation',
  'format',
] as const;

/**
 * The full item for a member, with its index keys. A folded member is written in
 * {@link MEMBER_FORMAT}, its rules packed (no attribute when it has none); an unfolded one
 * (format 1, until the backfill folds it) keeps its plain `rules` list and no `format`, which is
 * what readers of format 1 expect.
 */
export function memberItem(m: MemberRecord): Record<string, unknown> {
  const { rules, format, ...rest } = m;
  const packed = foldsStamps(m) ? packRules(rules) : undefined;
  return {
    ...keys.member(m.tenantId, m.userId),
    ...keys.byUser(m.userId, m.tenantId),
    ...keys.memberByEmail(m.tenantId, m.email),
    type: 'member',
    ...rest,
    ...(foldsStamps(m)
      ? { format: MEMBER_FORMAT, ...(packed ? { [PACKED_RULES_ATTRIBUTE]: packed } : {}) }
      : { rules }),
  };
}

/** A member item's status as read (anything this version does not know reads as active). */
export function memberStatusOf(item: Record<string, unknown>): MemberStatus {
  return item.status === 'disabled' || item.status === 'pending' ? item.status : 'active';
}

/**
 * The member item as a record; throws `UnknownItemFormatError` for a format this version does not
 * know (written by a newer version: read back and written again, its new fields would be lost).
 */
export function memberFromItem(item: Record<string, unknown>): MemberRecord {
  knownFormat('member', item);
  return {
    tenantId: String(item.tenantId),
    userId: String(item.userId),
    email: String(item.email),
    status: memberStatusOf(item),
    joinedAt: String(item.joinedAt),
    groups: (item.groups as string[] | undefined) ?? [],
    roles: (item.roles as RoleBinding[] | undefined) ?? [],
    rules: rulesOfItem(item),
    sessionsValidAfter: Number(item.sessionsValidAfter ?? 0),
    superuser: item.superuser === true,
    version: Number(item.version ?? 0),
    incarnation: incarnationOf(item),
    ...(typeof item.inviteId === 'string' ? { inviteId: item.inviteId } : {}),
    ...(item.format === undefined ? {} : { format: Number(item.format) }),
  };
}

export function grantsOf(m: Pick<MemberRecord, 'groups' | 'roles' | 'rules'>): PrincipalGrants {
  return { groups: m.groups, roles: m.roles, rules: m.rules };
}

/** The public view of a member. */
export function memberView(m: MemberRecord) {
  return {
    userId: m.userId,
    email: m.email,
    status: m.status,
    joinedAt: m.joinedAt,
    groups: m.groups,
    roles: m.roles,
  };
}

/** A member as stored, strongly consistent, or undefined. */
export async function readMember(
  table: Table,
  tenantId: string,
  userId: string,
): Promise<MemberRecord | undefined> {
  const item = await table.get(keys.member(tenantId, userId));
  return item ? memberFromItem(item) : undefined;
}

/** Whether a member item exists (one projected, eventually consistent read). */
export async function memberExists(table: Table, tenantId: string, userId: string) {
  return (
    (await table.get(keys.member(tenantId, userId), { consistent: false, attributes: ['pk'] })) !==
    undefined
  );
}

/**
 * Who holds an email in the tenant: the member its uniqueness item names (read strongly
 * consistent), else the members the byEmail index lists (members from before that item existed).
 */
export async function memberIdsOfEmail(
  table: Table,
  tenantId: string,
  email: string,
): Promise<{ owner: string } | { indexed: string[] }> {
  const unique = await table.get(keys.memberEmail(tenantId, email));
  if (unique) return { owner: String(unique.userId) };
  return { indexed: await indexedMemberIdsOfEmail(table, tenantId, email) };
}

/** The members the byEmail index lists for an email (for members without a uniqueness item). */
export async function indexedMemberIdsOfEmail(
  table: Table,
  tenantId: string,
  email: string,
): Promise<string[]> {
  const { items } = await table.query({
    index: 'byEmail',
    partition: keys.memberByEmailPartition(tenantId),
    between: [email, email],
  });
  return items.map((i) => String(i.userId));
}

/** One page of a tenant's members, by userId or (with `email`) by email prefix. */
export async function memberPage(
  table: Table,
  tenantId: string,
  query: { limit: number; email?: string; startKey?: Record<string, unknown> },
) {
  const byEmail = query.email !== undefined;
  return table.query({
    ...(byEmail
      ? { index: 'byEmail', partition: keys.memberByEmailPartition(tenantId), prefix: query.email }
      : { partition: keys.tenantPartition(tenantId), prefix: keys.memberPrefix }),
    limit: query.limit,
    startKey: query.startKey,
    consistent: false,
  });
}

/** The key a listing's cursor starts after: the table key, plus the index key by email. */
export function memberCursorKey(item: Record<string, unknown>, byEmail: boolean) {
  return byEmail
    ? { pk: item.pk, sk: item.sk, gsi2pk: item.gsi2pk, gsi2sk: item.gsi2sk }
    : { pk: item.pk, sk: item.sk };
}

/** Where a member listing resumes: its cursor, checked against the listing's partition and range. */
export function memberListingStart(tenantId: string, email: string | undefined, cursor?: string) {
  const table = { pk: keys.tenantPartition(tenantId) };
  return email !== undefined
    ? decodeCursor(
        cursor,
        { ...table, gsi2pk: keys.memberByEmailPartition(tenantId) },
        { sk: keys.memberPrefix, gsi2sk: email },
      )
    : decodeCursor(cursor, table, { sk: keys.memberPrefix });
}

/** Writes a member: created (nobody there, else `taken`) or replacing the version read. */
export function memberPut(
  after: MemberRecord,
  before: Pick<MemberRecord, 'version'> | undefined,
  taken?: () => DomainError,
): TxItem {
  return versionedPut(memberItem(after), before, taken);
}

/** Deletes a member, conditioned on the version read. */
export function memberDelete(m: Pick<MemberRecord, 'tenantId' | 'userId' | 'version'>): TxItem {
  return versionedDelete(keys.member(m.tenantId, m.userId), m.version);
}

/**
 * Takes the uniqueness item of a member's email: nobody may hold it, or `takeOverFrom` (a
 * pending member becoming active). `taken` is the error when someone else holds it.
 */
export function memberEmailTake(
  m: Pick<MemberRecord, 'tenantId' | 'userId' | 'email'>,
  taken: () => DomainError,
  takeOverFrom?: string,
): TxItem {
  const key = keys.memberEmail(m.tenantId, m.email);
  return {
    put: { ...key, type: 'member-email', tenantId: m.tenantId, email: m.email, userId: m.userId },
    when: takeOverFrom
      ? { if: 'userId = :from', values: { ':from': takeOverFrom }, else: taken }
      : { if: 'attribute_not_exists(pk)', else: taken },
  };
}

/** Releases a deleted member's email (members from before the uniqueness item have none). */
export function memberEmailRelease(m: Pick<MemberRecord, 'tenantId' | 'userId' | 'email'>): TxItem {
  return {
    delete: keys.memberEmail(m.tenantId, m.email),
    when: { if: 'attribute_not_exists(pk) OR userId = :u', values: { ':u': m.userId } },
  };
}

const active = { if: '#s = :active', names: { '#s': 'status' }, values: { ':active': 'active' } };

/** The check that a member is still the active membership read (same version, active). */
export function memberActiveCheck(
  tenantId: string,
  m: Pick<MemberRecord, 'userId' | 'version'>,
): TxItem {
  return { check: keys.member(tenantId, m.userId), when: atVersion(m.version, active) };
}

/** Bumps an active member's version (as read): a concurrent change of it then re-plans. */
export function memberVersionBump(
  tenantId: string,
  m: Pick<MemberRecord, 'userId' | 'version'>,
): TxItem {
  return versionBump(keys.member(tenantId, m.userId), m.version, active);
}

/** The person's profile, written when a membership of theirs becomes active. */
export function userProfilePut(user: { userId: string; email: string }): TxItem {
  return {
    put: { ...keys.user(user.userId), type: 'user', userId: user.userId, email: user.email },
  };
}
