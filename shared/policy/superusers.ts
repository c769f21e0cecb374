/** The superuser counter and the policy-version check that every member or policy write carries. */
import { compilePrincipal, isSuperuser } from '#shared/acl/engine.js';
import { ConflictError } from '#shared/errors/domain-errors.js';
import type { TenantState } from '#shared/policy/tenant-state.js';
import { grantsOf, type MemberRecord } from '#shared/store/records/member-record.js';
import { policyVersionCheck } from '#shared/store/records/policy-record.js';
import { superuserCountAdd } from '#shared/store/records/tenant-record.js';
import type { TxItem } from '#shared/store/table.js';

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
export function policyUnchanged(state: TenantState): TxItem {
  return policyVersionCheck(state.tenantId, state.policy.version);
}

/** Adjusts the superuser counter by `delta`, refusing to go below one. */
export function superuserCounter(state: TenantState, delta: number): TxItem | undefined {
  if (delta === 0) return undefined;
  if (state.superuserCount + delta < 1) throw new ConflictError(LAST_SUPERUSER);
  return superuserCountAdd(state.tenantId, delta);
}
