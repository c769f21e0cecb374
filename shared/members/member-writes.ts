/**
 * Transaction items for changing a member while keeping "at least one active superuser":
 * the member update (conditioned on its version), a check that the policy is the one the
 * superuser flag was computed with, and the tenant's superuser counter, conditioned on staying >= 1.
 */

import type { StoreDeps } from '#shared/app/context.js';
import { type AuditInput, auditPut } from '#shared/audit/audit-event.js';
import { ConflictError } from '#shared/errors/domain-errors.js';
import { newIncarnation } from '#shared/platform/incarnation.js';
import { assertPrincipalWithinLimits, limitFieldOf } from '#shared/policy/policy-limits.js';
import { countsAsSuperuser, policyUnchanged, superuserCounter } from '#shared/policy/superusers.js';
import type { TenantState } from '#shared/policy/tenant-state.js';
import { keys } from '#shared/store/keys.js';
import { grantsOf, type MemberRecord, memberItem } from '#shared/store/records/member-record.js';
import type { TransactItem } from '#shared/store/transact.js';

export interface MemberChange {
  items: TransactItem[];
  after: MemberRecord | undefined;
}

/** The message of the 409 when an email already has a member (pending or active) in the tenant. */
export function alreadyMember(email: string): ConflictError {
  return new ConflictError(`${email} is already a member of this tenant (pending or active)`, {
    extra: { field: 'email' },
  });
}

/**
 * The uniqueness item of a member's email: taken when a member is created (conditioned on
 * nobody holding it, or on `takeOverFrom` holding it: a pending member becoming active), and
 * released when the member is deleted (members from before this item existed have none).
 */
function memberEmailWrite(
  deps: StoreDeps,
  tenantId: string,
  m: MemberRecord,
  op: 'take' | 'release',
  takeOverFrom?: string,
): TransactItem {
  const Key = keys.memberEmail(tenantId, m.email);
  if (op === 'release') {
    return {
      Delete: {
        TableName: deps.tableName,
        Key,
        ConditionExpression: 'attribute_not_exists(pk) OR userId = :u',
        ExpressionAttributeValues: { ':u': m.userId },
      },
    };
  }
  return {
    Put: {
      TableName: deps.tableName,
      Item: { ...Key, type: 'member-email', tenantId, email: m.email, userId: m.userId },
      ...(takeOverFrom
        ? {
            ConditionExpression: 'userId = :from',
            ExpressionAttributeValues: { ':from': takeOverFrom },
          }
        : { ConditionExpression: 'attribute_not_exists(pk)' }),
    },
  };
}

/**
 * Plans replacing `before` by `next` (or deleting it when `next` is undefined, or creating it
 * when `before` is undefined), with the counter, the policy check and the audit event.
 */
export function planMemberChange(
  deps: StoreDeps,
  state: TenantState,
  before: MemberRecord | undefined,
  next: Omit<MemberRecord, 'superuser' | 'version' | 'incarnation'> | undefined,
  audit: Omit<AuditInput, 'tenantId' | 'before' | 'after'> & { before?: unknown; after?: unknown },
  options: { takeOverEmailFrom?: string } = {},
): MemberChange {
  const T = deps.tableName;
  if (next) {
    // Only what grows is refused: dropping grants, logging out or deleting always works.
    assertPrincipalWithinLimits(
      state.limits,
      { compiled: state.compiled, grants: before ? grantsOf(before) : undefined },
      { compiled: state.compiled, grants: grantsOf(next) },
      limitFieldOf(audit.action),
      `member ${next.userId}`,
    );
  }
  const after: MemberRecord | undefined = next
    ? {
        ...next,
        superuser: countsAsSuperuser(state, next),
        version: (before?.version ?? 0) + 1,
        incarnation: before ? before.incarnation : newIncarnation(),
      }
    : undefined;
  const delta = (after?.superuser ? 1 : 0) - (before?.superuser ? 1 : 0);
  const items: TransactItem[] = [];
  if (after) {
    items.push({
      Put: {
        TableName: T,
        Item: memberItem(after),
        ConditionExpression: before ? 'version = :v' : 'attribute_not_exists(pk)',
        ...(before ? { ExpressionAttributeValues: { ':v': before.version } } : {}),
      },
    });
    if (!before)
      items.push(memberEmailWrite(deps, state.tenantId, after, 'take', options.takeOverEmailFrom));
  } else if (before) {
    items.push(
      {
        Delete: {
          TableName: T,
          Key: keys.member(state.tenantId, before.userId),
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': before.version },
        },
      },
      sessionFloorPut(deps, state.tenantId, before.userId),
    );
    items.push(memberEmailWrite(deps, state.tenantId, before, 'release'));
  }
  items.push(policyUnchanged(deps, state));
  const counter = superuserCounter(deps, state, delta);
  if (counter) items.push(counter);
  items.push(
    auditPut(
      T,
      {
        tenantId: state.tenantId,
        ...audit,
        before: audit.before ?? (before ? auditView(before) : undefined),
        after: audit.after ?? (after ? auditView(after) : undefined),
      },
      deps.clock.now(),
    ),
  );
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
  deps: StoreDeps,
  tenantId: string,
  member: Pick<MemberRecord, 'userId' | 'version'>,
): TransactItem {
  return {
    ConditionCheck: {
      TableName: deps.tableName,
      Key: keys.member(tenantId, member.userId),
      ConditionExpression: 'version = :v AND #s = :active',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':v': member.version, ':active': 'active' },
    },
  };
}

/**
 * Raises the tenant's session floor for a user to now, with the deletion of their membership:
 * every credential from before (session, personal token, and service-account tokens they
 * minted) stays dead for any later membership of the same person (rule 11). The floor only
 * grows: `now` is later than any stamp the deleted membership carried.
 */
export function sessionFloorPut(deps: StoreDeps, tenantId: string, userId: string): TransactItem {
  return {
    Put: {
      TableName: deps.tableName,
      Item: {
        ...keys.memberSessionFloor(tenantId, userId),
        type: 'session-floor',
        tenantId,
        userId,
        sessionsValidAfter: deps.clock.now().getTime(),
      },
    },
  };
}
