/** The member item: a user's membership in one tenant, and the authorizer's one-read snapshot. */
import type { PrincipalGrants, RoleBinding, Rule } from '#shared/acl/types.js';
import { incarnationOf } from '#shared/platform/incarnation.js';
import { keys } from '#shared/store/keys.js';

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
}

/** The attributes the authorizer projects from the member item (plus the policy version). */
export const SNAPSHOT_ATTRIBUTES = [
  'userId',
  'email',
  'status',
  'groups',
  'roles',
  'rules',
  'sessionsValidAfter',
  'version',
  'policyVersion',
  'incarnation',
] as const;

/** The full item for a member, with its index keys. */
export function memberItem(m: MemberRecord): Record<string, unknown> {
  return {
    ...keys.member(m.tenantId, m.userId),
    ...keys.byUser(m.userId, m.tenantId),
    ...keys.memberByEmail(m.tenantId, m.email),
    type: 'member',
    ...m,
  };
}

export function memberFromItem(item: Record<string, unknown>): MemberRecord {
  return {
    tenantId: String(item.tenantId),
    userId: String(item.userId),
    email: String(item.email),
    status: item.status === 'disabled' || item.status === 'pending' ? item.status : 'active',
    joinedAt: String(item.joinedAt),
    groups: (item.groups as string[] | undefined) ?? [],
    roles: (item.roles as RoleBinding[] | undefined) ?? [],
    rules: (item.rules as Rule[] | undefined) ?? [],
    sessionsValidAfter: Number(item.sessionsValidAfter ?? 0),
    superuser: item.superuser === true,
    version: Number(item.version ?? 0),
    incarnation: incarnationOf(item),
    ...(typeof item.inviteId === 'string' ? { inviteId: item.inviteId } : {}),
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
