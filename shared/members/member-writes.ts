/**
 * Transaction items for changing a member while keeping "at least one active superuser":
 * the member write (conditioned on its version), a check that the policy is the one the
 * superuser flag was computed with, and the tenant's superuser counter, conditioned on staying >= 1.
 */

import type { StoreDeps } from '#shared/app/context.js';
import { type AuditInput, auditPut } from '#shared/audit/audit-event.js';
import { ConflictError, type DomainError } from '#shared/errors/domain-errors.js';
import { newIncarnation } from '#shared/platform/incarnation.js';
import { assertPrincipalWithinLimits, limitFieldOf } from '#shared/policy/policy-limits.js';
import { countsAsSuperuser, policyUnchanged, superuserCounter } from '#shared/policy/superusers.js';
import type { TenantState } from '#shared/policy/tenant-state.js';
import {
  foldsStamps,
  grantsOf,
  type MemberRecord,
  memberActiveCheck,
  memberDelete,
  memberEmailRelease,
  memberEmailTake,
  memberPut,
} from '#shared/store/records/member-record.js';
import { joinedTenantRemove, sessionFloorPut } from '#shared/store/records/session-record.js';
import type { TxItem } from '#shared/store/table.js';

export interface MemberChange {
  items: TxItem[];
  after: MemberRecord | undefined;
}

/** The message of the 409 when an email already has a member (pending or active) in the tenant. */
export function alreadyMember(email: string): ConflictError {
  return new ConflictError(`${email} is already a member of this tenant (pending or active)`, {
    extra: { field: 'email' },
  });
}

type MemberAudit = Omit<AuditInput, 'tenantId' | 'before' | 'after'> & {
  before?: unknown;
  after?: unknown;
};

export interface MemberChangeOptions {
  /** The pending member whose email uniqueness item a new member takes over. */
  takeOverEmailFrom?: string;
  /**
   * The error when a new member's item or email is taken already (a lost race otherwise for
   * the member item; {@link alreadyMember} for the email).
   */
  taken?: () => DomainError;
}

/** The member as `next` becomes: its superuser flag, next version and (kept) incarnation. */
function nextRecord(
  state: TenantState,
  before: MemberRecord | undefined,
  next: Omit<MemberRecord, 'superuser' | 'version' | 'incarnation'>,
  action: string,
): MemberRecord {
  // Only what grows is refused: dropping grants, logging out or deleting always works.
  assertPrincipalWithinLimits(
    state.limits,
    { compiled: state.compiled, grants: before ? grantsOf(before) : undefined },
    { compiled: state.compiled, grants: grantsOf(next) },
    limitFieldOf(action),
    `member ${next.userId}`,
  );
  return {
    ...next,
    superuser: countsAsSuperuser(state, next),
    version: (before?.version ?? 0) + 1,
    incarnation: before ? before.incarnation : newIncarnation(),
  };
}

/** The member's own items: its write, or its deletion with the session floor and email release. */
function memberItems(
  deps: StoreDeps,
  before: MemberRecord | undefined,
  after: MemberRecord | undefined,
  options: MemberChangeOptions,
): TxItem[] {
  if (after) {
    if (before) return [memberPut(after, before)];
    const taken = options.taken ?? (() => alreadyMember(after.email));
    return [
      memberPut(after, undefined, options.taken),
      memberEmailTake(after, taken, options.takeOverEmailFrom),
    ];
  }
  if (!before) return [];
  return [
    memberDelete(before),
    // The tenant's session floor for the person rises to now (rule 11): every credential from
    // before stays dead for any later membership of the same person.
    sessionFloorPut(before.tenantId, before.userId, deps.clock.now().getTime()),
    memberEmailRelease(before),
    ...(joinedFolded(before) ? [joinedTenantRemove(before.tenantId, before.userId)] : []),
  ];
}

/** Whether a member joined with its stamps folded: the tenant is in the user's `tenants` set. */
function joinedFolded(m: MemberRecord): boolean {
  return foldsStamps(m) && m.status !== 'pending';
}

/**
 * Plans replacing `before` by `next` (or deleting it when `next` is undefined, or creating it
 * when `before` is undefined), with the counter, the policy check and the audit event. The
 * items start with the member's write (and, for a new member, its email's uniqueness item).
 */
export function planMemberChange(
  deps: StoreDeps,
  state: TenantState,
  before: MemberRecord | undefined,
  next: Omit<MemberRecord, 'superuser' | 'version' | 'incarnation'> | undefined,
  audit: MemberAudit,
  options: MemberChangeOptions = {},
): MemberChange {
  const after = next ? nextRecord(state, before, next, audit.action) : undefined;
  const delta = (after?.superuser ? 1 : 0) - (before?.superuser ? 1 : 0);
  const items = [...memberItems(deps, before, after, options), policyUnchanged(state)];
  const counter = superuserCounter(state, delta);
  if (counter) items.push(counter);
  const event = {
    tenantId: state.tenantId,
    ...audit,
    before: audit.before ?? (before ? auditView(before) : undefined),
    after: audit.after ?? (after ? auditView(after) : undefined),
  };
  items.push(auditPut(event, deps.clock.now()));
  return { items, after };
}

function auditView(m: MemberRecord) {
  return {
    userId: m.userId,
    email: m.email,
    status: m.status,
    groups: m.groups,
    roles: m.roles,
    rules: m.rules,
    superuser: m.superuser,
  };
}

/**
 * The check that a member is still the active membership a decision read (same version, still
 * active) when the transaction commits: an actor, an inviter, a minter.
 */
export function memberStillActive(
  _deps: StoreDeps,
  tenantId: string,
  member: Pick<MemberRecord, 'userId' | 'version'>,
): TxItem {
  return memberActiveCheck(tenantId, member);
}
