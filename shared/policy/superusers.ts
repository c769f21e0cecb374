/** The superuser counter and the policy-version check that every member or policy write carries. */
import { compilePrincipal, isSuperuser } from '#shared/acl/engine.js';
import type { StoreDeps } from '#shared/app/context.js';
import { ConflictError } from '#shared/errors/domain-errors.js';
import type { TenantState } from '#shared/policy/tenant-state.js';
import { grantsOf, type MemberRecord } from '#shared/store/records/member-record.js';
import { policyVersionCheck } from '#shared/store/records/policy-record.js';
import { superuserCountAdd } from '#shared/store/records/tenant-record.js';
import { type TxItem, transactItemOf } from '#shared/store/table.js';
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
export function policyUnchanged(state: TenantState): TxItem;
/** @deprecated The raw DynamoDB shape, for callers not yet on the storage port. */
export function policyUnchanged(deps: StoreDeps, state: TenantState): TransactItem;
export function policyUnchanged(
  ...args: [TenantState] | [StoreDeps, TenantState]
): TxItem | TransactItem {
  if (args.length === 2) return transactItemOf(args[0].tableName, policyUnchanged(args[1]));
  return policyVersionCheck(args[0].tenantId, args[0].policy.version);
}

/** Adjusts the superuser counter by `delta`, refusing to go below one. */
export function superuserCounter(state: TenantState, delta: number): TxItem | undefined;
/** @deprecated The raw DynamoDB shape, for callers not yet on the storage port. */
export function superuserCounter(
  deps: StoreDeps,
  state: TenantState,
  delta: number,
): TransactItem | undefined;
export function superuserCounter(
  ...args: [TenantState, number] | [StoreDeps, TenantState, number]
): TxItem | TransactItem | undefined {
  if (args.length === 3) {
    const item = superuserCounter(args[1], args[2]);
    return item && transactItemOf(args[0].tableName, item);
  }
  const [state, delta] = args;
  if (delta === 0) return undefined;
  if (state.superuserCount + delta < 1) throw new ConflictError(LAST_SUPERUSER);
  return superuserCountAdd(state.tenantId, delta);
}
