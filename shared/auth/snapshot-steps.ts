/**
 * The pure steps of a decision's read: which keys the one batch reads, and what the items it
 * returns mean (a member's snapshot, a token's snapshot, the principal-cache key). No I/O, so
 * each step is tested on items alone.
 */
import { createHash } from 'node:crypto';
import type { PermissionSet } from '#shared/acl/engine.js';
import type { PrincipalGrants, RoleBinding } from '#shared/acl/types.js';
import type {
  ApiTokenSnapshot,
  MemberSnapshot,
  PersonalTokenSnapshot,
  TokenUse,
} from '#shared/auth/snapshot-types.js';
import { incarnationOf } from '#shared/platform/incarnation.js';
import { keys } from '#shared/store/keys.js';
import { type ItemKind, knownFormat } from '#shared/store/records/item-format.js';
import { FOLDED_MEMBER_FORMAT, SNAPSHOT_ATTRIBUTES } from '#shared/store/records/member-record.js';
import { PACKED_RULES_ATTRIBUTE, rulesOfItem } from '#shared/store/records/packed-rules.js';
import { memberStampKeys, stampOf } from '#shared/store/records/session-record.js';
import type { Item, Key } from '#shared/store/table.js';

/** An item of the batch, undefined when it does not exist. */
export type Row = Item | undefined;

/** How often the last-used time of one token is written at most. */
export const LAST_USED_INTERVAL_MS = 60_000;

/**
 * Every attribute any decision reads, from any of the items of its one batch, plus the keys
 * (the batch matches items to keys by them).
 */
export const DECISION_ATTRIBUTES = [
  ...new Set([
    ...SNAPSHOT_ATTRIBUTES,
    'tenantId',
    'serviceAccountId',
    'secretHash',
    'createdAt',
    'expiresAt',
    'revoked',
    'lastUsedAt',
    'mintedBy',
    'minterIncarnation',
    'accountIncarnation',
    'memberIncarnation',
  ]),
  'pk',
  'sk',
];

/**
 * The batch of a session decision: one policy-version shard (`shard`, chosen at random by the
 * reader), then the member item. In the steady state that is all a decision reads: two small
 * items, whatever the size of the tenant's policy (see {@link followUpKeys} for the rest).
 */
export function memberDecisionKeys(tenantId: string, userId: string, shard: number): Key[] {
  return [keys.policyVersionShard(tenantId, shard), keys.member(tenantId, userId)];
}

/** The batch of an API-token decision: token, account, a version shard, then the minter's item. */
export function apiTokenDecisionKeys(
  tenantId: string,
  serviceAccountId: string,
  tokenId: string,
  minterUserId: string,
  shard: number,
): Key[] {
  return [
    keys.apiToken(tenantId, serviceAccountId, tokenId),
    keys.serviceAccount(tenantId, serviceAccountId),
    ...memberDecisionKeys(tenantId, minterUserId, shard),
  ];
}

/** The batch of a personal-token decision: token, a version shard, then the owner's item. */
export function personalTokenDecisionKeys(
  tenantId: string,
  userId: string,
  tokenId: string,
  shard: number,
) {
  return [
    keys.personalToken(tenantId, userId, tokenId),
    ...memberDecisionKeys(tenantId, userId, shard),
  ];
}

/**
 * A member item's format: 1 when it has none (written before stamps were folded into it);
 * throws `UnknownItemFormatError` for a format this version does not know (item-format.ts).
 */
export function memberFormatOf(member: Item): number {
  return knownFormat('member', member);
}

/**
 * Refuses (throws `UnknownItemFormatError`) an item of the batch whose format this version does
 * not know; absent items pass. Checked before anything is read from the item.
 */
export function assertKnownFormats(rows: readonly [ItemKind, Row][]): void {
  for (const [kind, row] of rows) if (row) knownFormat(kind, row);
}

/**
 * What a decision must read after its batch, in a second BatchGetItem, and only for data from
 * before this version: the policy item (projected to its version) when the tenant has no version
 * shard yet, and the tenant floor and the user stamp when the member item does not fold them
 * (format 1). Empty in the steady state.
 */
export function followUpKeys(
  tenantId: string,
  userId: string,
  versionRow: Row,
  member: Row,
): Key[] {
  return [
    ...(versionRow ? [] : [keys.policy(tenantId)]),
    ...(member && memberFormatOf(member) === 1 ? memberStampKeys(tenantId, userId) : []),
  ];
}

/**
 * The policy version the batch's version item names (a shard, or for a tenant without shards
 * the policy item projected down to it), once its format is known.
 */
export function policyVersionOf(versionRow: Item): number {
  knownFormat(versionRow.sk === 'POLICY' ? 'policy' : 'policy-version', versionRow);
  return Number(versionRow.policyVersion);
}

/** A principal item's own grants (groups, role bindings, direct rules, unpacked if packed). */
export function grantsOf(principal: Item): Required<Omit<PrincipalGrants, 'everyone'>> {
  return {
    groups: (principal.groups as string[] | undefined) ?? [],
    roles: (principal.roles as RoleBinding[] | undefined) ?? [],
    rules: rulesOfItem(principal),
  };
}

/**
 * The principal cache's key: the tenant, the policy version, `everyone` and a hash of the
 * principal item's grants as stored. Nothing about who the principal is takes part, so a deleted
 * and re-created principal (rule 11) can never meet an entry of its former self: equal grants
 * under an equal policy compile to equal permissions, whoever holds them. Packed rules are
 * hashed as their bytes, so a decision unpacks them only when it compiles (once per item
 * version and policy version); a tag keeps the two spellings of rules apart.
 */
export function principalCacheKey(
  tenantId: string,
  policyVersion: number,
  everyone: boolean,
  principal: Item,
): string {
  const packed = principal[PACKED_RULES_ATTRIBUTE];
  const hash = createHash('sha256').update(
    JSON.stringify([principal.groups ?? [], principal.roles ?? []]),
  );
  if (packed instanceof Uint8Array) hash.update('\npacked\n').update(packed);
  else hash.update('\nplain\n').update(JSON.stringify(principal.rules ?? []));
  return `${tenantId}#${policyVersion}#${everyone ? 'e' : '-'}#${hash.digest('base64url')}`;
}

/**
 * A membership's snapshot from its item (and, for an item of format 1, its tenant floor and the
 * user's stamp); undefined when it is not a member (absent, pending, or a status this version
 * does not know: fail closed). An item of a format this version does not know throws
 * `UnknownItemFormatError` (the authorizer denies). `permissionsOf` compiles the member's
 * permissions, only for a member.
 */
export function memberSnapshotFrom(
  userId: string,
  [member, floor, userStamp]: Row[],
  permissionsOf: (member: Item) => PermissionSet,
): MemberSnapshot | undefined {
  if (!member) return undefined;
  const format = memberFormatOf(member);
  assertKnownFormats([
    ['session-floor', floor],
    ['user-sessions', userStamp],
  ]);
  if (member.status !== 'active' && member.status !== 'disabled') return undefined;
  // A folded item holds the latest of the three stamps itself (session-record.ts).
  const sessionsValidAfter =
    format >= FOLDED_MEMBER_FORMAT
      ? stampOf(member)
      : Math.max(stampOf(member), stampOf(floor), stampOf(userStamp));
  return {
    userId,
    email: String(member.email ?? ''),
    status: member.status,
    sessionsValidAfter,
    incarnation: incarnationOf(member),
    permissions: permissionsOf(member),
  };
}

/** Epoch ms of an ISO time attribute, 0 when absent or unreadable. */
const epochMs = (value: unknown) => Date.parse(String(value ?? '')) || 0;

/** What every token item says about itself: its secret, lifetime, revocation and last use. */
function tokenFields(token: Item) {
  return {
    tenantId: String(token.tenantId ?? ''),
    secretHash: String(token.secretHash ?? ''),
    createdAt: epochMs(token.createdAt),
    expiresAt: epochMs(token.expiresAt),
    // Fail closed: only an explicit `false` is a live token.
    revoked: token.revoked !== false,
    lastUsedAt: epochMs(token.lastUsedAt),
  };
}

/** An API token's snapshot from its item, its account, its minter's membership and permissions. */
export function apiTokenSnapshotFrom(
  token: Item,
  account: Item,
  minter: MemberSnapshot | undefined,
  permissions: PermissionSet,
): ApiTokenSnapshot {
  return {
    ...tokenFields(token),
    serviceAccountId: String(token.serviceAccountId ?? ''),
    accountStatus: account.status === 'active' ? 'active' : 'disabled',
    accountIncarnation: incarnationOf(account),
    tokenAccountIncarnation: String(token.accountIncarnation ?? ''),
    mintedBy: String(token.mintedBy ?? ''),
    minterIncarnation: String(token.minterIncarnation ?? ''),
    minter,
    permissions,
  };
}

/** A personal token's snapshot from its item and its owner's membership. */
export function personalTokenSnapshotFrom(
  token: Item,
  member: MemberSnapshot,
): PersonalTokenSnapshot {
  return {
    ...tokenFields(token),
    userId: String(token.userId ?? ''),
    memberIncarnation: String(token.memberIncarnation ?? ''),
    member,
  };
}

/**
 * Whether a token's last use should be written now: not when the read showed a use within
 * the interval, nor when this instance wrote one within it (`touchedAt`, epoch ms, 0 if never).
 */
export function lastUseIsDue(use: TokenUse, touchedAt: number, now: Date): boolean {
  const cutoff = now.getTime() - LAST_USED_INTERVAL_MS;
  return use.lastUsedAt <= cutoff && touchedAt <= cutoff;
}
