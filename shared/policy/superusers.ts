/** The superuser counter and the policy-version check that every member or policy write carries. */
import { compilePrincipal, isSuperuser } from '#shared/acl/engine.js';
import type { StoreDeps } from '#shared/app/context.js';
import { ConflictError } from '#shared/errors/domain-errors.js';
import type { TenantState } from '#shared/policy/tenant-state.js';
import { keys } from '#shared/store/keys.js';
import { grantsOf, type MemberRecord } from '#shared/store/records/member-record.js';
import type { TransactItem } from '#shared/store/transact.js';

export const LAST_SUPERUSER =
  'This would leave the tenant without an active superuser; make someone else a superuser first';

/** Whether this member counts towards the tenant's superusers under the state's policy. */
export function countsAsSuperuser(
  state: TenantState,
  m: Pick<MemberRecord, 'status' | 'groups' | 'roles' | 'rules'>,
): boolean {
  return m.status === 'active' && isSuperuser(compilePrincipal(state.compiled, grantsOf(m)));
}

/** The policy must still be the version the decision was computed from. */
export function policyUnchanged(deps: StoreDeps, state: TenantState): TransactItem {
  return {
    ConditionCheck: {
      TableName: deps.tableName,
      Key: keys.policy(state.tenantId),
      ConditionExpression: 'policyVersion = :v',
      ExpressionAttributeValues: { ':v': state.policy.version },
    },
  };
}

/** Adjusts the superuser counter by `delta`, refusing to go below one. */
export function superuserCounter(
  deps: StoreDeps,
  state: TenantState,
  delta: number,
): TransactItem | undefined {
  if (delta === 0) return undefined;
  if (state.superuserCount + delta < 1) throw new ConflictError(LAST_SUPERUSER);
  return {
    Update: {
      TableName: deps.tableName,
      Key: keys.tenant(state.tenantId),
      UpdateExpression: 'ADD superuserCount :d',
      ConditionExpression: 'superuserCount >= :min',
      ExpressionAttributeValues: { ':d': delta, ':min': 1 - delta },
    },
  };
}
