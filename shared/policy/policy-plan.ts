/**
 * Planning a policy change (pure): which limits it must keep, what it must read, and the writes
 * that commit it while keeping "at least one active superuser" — flipped member flags, the
 * counter and the audit event, conditioned on every version the decision was computed from.
 */
import { type CompiledPolicy, compilePolicy } from '#shared/acl/engine.js';
import type { TenantPolicy } from '#shared/acl/types.js';
import { type AuditInput, auditPut } from '#shared/audit/audit-event.js';
import { ConflictError } from '#shared/errors/domain-errors.js';
import type { LimitName } from '#shared/limits/tenant-limits.js';
import {
  assertPolicyWithinLimits,
  assertPrincipalWithinLimits,
  type GrownGrants,
  holdsGrown,
} from '#shared/policy/policy-limits.js';
import { mayFlipSuperusers } from '#shared/policy/superuser-flips.js';
import { countsAsSuperuser, LAST_SUPERUSER } from '#shared/policy/superusers.js';
import type { TenantState } from '#shared/policy/tenant-state.js';
import { keys } from '#shared/store/keys.js';
import { grantsOf, type MemberRecord, memberItem } from '#shared/store/records/member-record.js';
import {
  POLICY_VERSION_SHARDS,
  policyPut,
  policyVersionShardPuts,
} from '#shared/store/records/policy-record.js';
import {
  type ServiceAccountRecord,
  serviceAccountGrants,
  serviceAccountItem,
} from '#shared/store/records/service-account-record.js';
import { superuserCountSet } from '#shared/store/records/tenant-record.js';
import type { TxItem } from '#shared/store/table.js';

/**
 * Items of a policy change besides the principals it rewrites or checks: the policy, the
 * superuser counter, the audit event and the change's own items (one today; room is kept for two
 * more). The policy-version shards come on top.
 */
const OTHER_POLICY_WRITES = 6;

/**
 * Most member items one policy change may rewrite or check: DynamoDB allows 100 items per
 * transaction, less the policy-version shards and the change's other items (82 with 12 shards).
 */
export const MAX_MEMBER_WRITES = 100 - POLICY_VERSION_SHARDS - OTHER_POLICY_WRITES;

export type PolicyContent = Omit<TenantPolicy, 'version'>;

export interface PolicyChangeOptions {
  /** Group/role items and other writes that belong to the same change. */
  items?: TxItem[];
  /**
   * Edits every member whose grants the change touches (e.g. dropping a deleted group);
   * returns undefined for members it leaves alone.
   */
  editMember?: (m: MemberRecord) => Omit<MemberRecord, 'superuser' | 'version'> | undefined;
  /** The same for service accounts (they never count as superusers); loads them only when set. */
  editServiceAccount?: (sa: ServiceAccountRecord) => ServiceAccountRecord | undefined;
  /**
   * The request field that grows the policy, named when a tenant limit is reached (per limit
   * when a function); `body` by default.
   */
  limitField?: string | ((limit: LimitName) => string);
}

/** A policy change checked against the tenant's limits, and what it needs to read next. */
export interface PreparedPolicyChange {
  next: TenantPolicy;
  compiled: CompiledPolicy;
  /** Groups and roles that now give more: their holders are checked against the limits. */
  grown: GrownGrants;
  /** The field named when a holder would pass the effective-rules limit. */
  field: string;
  /** Whether every member must be read (superuser flags, edits, or grown holders). */
  readMembers: boolean;
  /** Whether every service account must be read (edits or grown holders). */
  readAccounts: boolean;
  /** Whether members' superuser flags and the counter are recomputed. */
  superuserPass: boolean;
}

/** What {@link planPolicyWrites} needs read: every member / service account when asked for. */
export interface PolicyChangeReads {
  members?: MemberRecord[];
  accounts: ServiceAccountRecord[];
}

function tooMany(what: string): ConflictError {
  return new ConflictError(
    `This change would rewrite ${what}; at most ${MAX_MEMBER_WRITES} members can be changed at once. Change fewer members first (e.g. move them out of the group)`,
    { extra: { limit: MAX_MEMBER_WRITES } },
  );
}

/**
 * Checks the next policy (its version is the read one plus one) against the tenant's limits,
 * before anything else is read, and says what the change must read to be planned.
 */
export function preparePolicyChange(
  state: TenantState,
  nextPolicy: PolicyContent,
  options: PolicyChangeOptions = {},
): PreparedPolicyChange {
  const next: TenantPolicy = { ...nextPolicy, version: state.policy.version + 1 };
  const compiled = compilePolicy(next);
  const limitField = options.limitField ?? 'body';
  const fieldOf = typeof limitField === 'function' ? limitField : () => limitField;
  const grown = assertPolicyWithinLimits(
    state.limits,
    state.tenantId,
    { policy: state.policy, compiled: state.compiled },
    { policy: next, compiled },
    fieldOf,
  );
  const checkHolders = grown.groups.size > 0 || grown.roles.size > 0;
  const superuserPass = options.editMember !== undefined || mayFlipSuperusers(state.policy, next);
  return {
    next,
    compiled,
    grown,
    field: fieldOf('effectiveRulesPerPrincipal'),
    readMembers: superuserPass || checkHolders,
    readAccounts: options.editServiceAccount !== undefined || checkHolders,
    superuserPass,
  };
}

/** A group or role that now gives more must not push any of its holders past the limit. */
function assertHoldersWithinLimits(
  state: TenantState,
  change: PreparedPolicyChange,
  reads: PolicyChangeReads,
  options: PolicyChangeOptions,
): void {
  const { grown, compiled, field } = change;
  if (grown.groups.size === 0 && grown.roles.size === 0) return;
  const holders = [
    ...(reads.members ?? []).map((m) => ({
      before: grantsOf(m),
      after: grantsOf(options.editMember?.(m) ?? m),
      name: `member ${m.userId}`,
    })),
    ...reads.accounts.map((sa) => ({
      before: serviceAccountGrants(sa),
      after: serviceAccountGrants(options.editServiceAccount?.(sa) ?? sa),
      name: `service account ${sa.serviceAccountId}`,
    })),
  ];
  for (const h of holders) {
    if (!holdsGrown(h.after, grown)) continue;
    assertPrincipalWithinLimits(
      state.limits,
      { compiled: state.compiled, grants: h.before },
      { compiled, grants: h.after },
      field,
      h.name,
    );
  }
}

/**
 * Service accounts are never superusers (their own writes refuse it), so dropping grants from
 * them changes no counter: the edited ones are only rewritten, conditioned on the version read.
 */
function serviceAccountWrites(
  accounts: readonly ServiceAccountRecord[],
  edit: PolicyChangeOptions['editServiceAccount'],
): TxItem[] {
  const writes: TxItem[] = [];
  for (const sa of accounts) {
    const edited = edit?.(sa);
    if (!edited) continue;
    writes.push({
      put: serviceAccountItem({ ...edited, version: sa.version + 1 }),
      when: { if: 'version = :v', values: { ':v': sa.version } },
    });
  }
  if (writes.length > MAX_MEMBER_WRITES) throw tooMany(`${writes.length} service accounts`);
  return writes;
}

/**
 * Rewrites each member whose flag or grants change (conditioned on its version), checks the
 * version of every member that stays a superuser, and sets the superuser counter conditioned on
 * the value read, refusing to reach zero (409) or to pass the transaction's size.
 */
function superuserWrites(
  state: TenantState,
  change: PreparedPolicyChange,
  members: readonly MemberRecord[],
  accountWrites: number,
  editMember: PolicyChangeOptions['editMember'],
): TxItem[] {
  const nextState: TenantState = { ...state, policy: change.next, compiled: change.compiled };
  const writes: TxItem[] = [];
  const checks: TxItem[] = [];
  let delta = 0;
  for (const m of members) {
    const edited = editMember?.(m);
    const grants = edited ?? m;
    const superuser = countsAsSuperuser(nextState, grants);
    const version = { if: 'version = :v', values: { ':v': m.version } };
    if (edited || superuser !== m.superuser) {
      delta += (superuser ? 1 : 0) - (m.superuser ? 1 : 0);
      writes.push({
        put: memberItem({ ...m, ...grants, superuser, version: m.version + 1 }),
        when: version,
      });
    } else if (superuser) {
      // A concurrent change could have taken this member's other superuser path away.
      checks.push({ check: keys.member(state.tenantId, m.userId), when: version });
    }
  }
  const accountsToo = accountWrites > 0 ? ` and ${accountWrites} service accounts` : '';
  if (writes.length + accountWrites > MAX_MEMBER_WRITES) {
    throw tooMany(`${writes.length} members${accountsToo}`);
  }
  if (state.superuserCount + delta < 1) throw new ConflictError(LAST_SUPERUSER);
  if (writes.length + checks.length + accountWrites > MAX_MEMBER_WRITES) {
    throw tooMany(
      `or check ${writes.length + checks.length} members (superusers included)${accountsToo}`,
    );
  }
  // The exact count read: a member who became a superuser meanwhile makes this fail.
  const counter = superuserCountSet(
    state.tenantId,
    state.superuserCount,
    state.superuserCount + delta,
  );
  return [...writes, ...checks, counter];
}

/**
 * The writes of a prepared policy change, given what it read: the policy (conditioned on the
 * version read), the change's own items, rewritten service accounts, the superuser pass when
 * prepared for one, and the audit event. Throws the 409s of limits and superusers.
 */
export function planPolicyWrites(
  state: TenantState,
  change: PreparedPolicyChange,
  reads: PolicyChangeReads,
  audit: Omit<AuditInput, 'tenantId'>,
  now: Date,
  options: PolicyChangeOptions = {},
): TxItem[] {
  assertHoldersWithinLimits(state, change, reads, options);
  const accounts = serviceAccountWrites(reads.accounts, options.editServiceAccount);
  const members =
    change.superuserPass && reads.members
      ? superuserWrites(state, change, reads.members, accounts.length, options.editMember)
      : [];
  return [
    policyPut(state.tenantId, change.next, state.policy.version),
    // Every shard names the new version in the same transaction: a decision that reads any
    // of them after the commit loads the new policy (revocations hold on the next request).
    ...policyVersionShardPuts(state.tenantId, change.next.version),
    ...(options.items ?? []),
    ...accounts,
    ...members,
    auditPut({ tenantId: state.tenantId, ...audit }, now),
  ];
}
