/**
 * Every tenant's limits (DESIGN rule 16), declared once: how many roles, groups and namespaces
 * a tenant may have, how large a role or a principal's grants may grow, and how large the policy
 * item may be. Reaching one is a {@link LimitError} (409) naming the limit and the field; an
 * operator may raise or lower them for one tenant with a `limits` map on its tenant item.
 */
import { type FieldError, LimitError } from '#shared/errors/domain-errors.js';

export interface TenantLimits {
  /** Custom roles of a tenant (the built-in ones do not count). */
  rolesPerTenant: number;
  /** Custom groups of a tenant (the built-in ones do not count). */
  groupsPerTenant: number;
  /** Permissions of one role. */
  permissionsPerRole: number;
  /** Direct ACL rules of one principal: a member, a service account or a group. */
  rulesPerPrincipal: number;
  /** Role bindings (each role and scope) of one principal: a member, a service account or a group. */
  bindingsPerPrincipal: number;
  /**
   * Effective rules of one principal: its direct rules, its groups' rules and every role binding
   * (its own and its groups'), each counted once per source, as the permissions listing shows them.
   */
  effectiveRulesPerPrincipal: number;
  /** The sum of every group's effective rules: what each policy compile expands. */
  effectiveGroupRulesPerTenant: number;
  /** Registered resource namespaces. */
  namespacesPerTenant: number;
  /** The policy item as DynamoDB measures it (its hard limit is 400 KB). */
  policyBytes: number;
}

/** The defaults every tenant gets. See docs/limits.md for where the numbers come from. */
export const DEFAULT_LIMITS: Readonly<TenantLimits> = Object.freeze({
  rolesPerTenant: 250,
  groupsPerTenant: 250,
  permissionsPerRole: 200,
  rulesPerPrincipal: 200,
  bindingsPerPrincipal: 50,
  effectiveRulesPerPrincipal: 5_000,
  effectiveGroupRulesPerTenant: 20_000,
  namespacesPerTenant: 100,
  policyBytes: 256 * 1024,
});

export type LimitName = keyof TenantLimits;

/** What each limit counts, for messages. */
const DESCRIPTIONS: Readonly<Record<LimitName, string>> = {
  rolesPerTenant: 'custom roles in the tenant',
  groupsPerTenant: 'custom groups in the tenant',
  permissionsPerRole: 'permissions in one role',
  rulesPerPrincipal: 'direct rules on one principal',
  bindingsPerPrincipal: 'role bindings on one principal',
  effectiveRulesPerPrincipal: 'effective rules of one principal',
  effectiveGroupRulesPerTenant: 'effective rules of all groups together',
  namespacesPerTenant: 'namespaces in the tenant',
  policyBytes: 'bytes in the tenant policy',
};

/**
 * The tenant's limits: the defaults, overridden by the positive integers of an operator-set
 * `limits` map on the tenant item (anything else in it is ignored).
 */
export function limitsOf(tenantItem: Record<string, unknown> | undefined): TenantLimits {
  const limits: TenantLimits = { ...DEFAULT_LIMITS };
  const overrides = tenantItem?.limits;
  if (!overrides || typeof overrides !== 'object') return limits;
  for (const name of Object.keys(DEFAULT_LIMITS) as LimitName[]) {
    const value = (overrides as Record<string, unknown>)[name];
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) limits[name] = value;
  }
  return limits;
}

/** The error for reaching `limit`: 409 `limit-reached`, naming it, its maximum and the field. */
export function limitReached(
  limits: TenantLimits,
  limit: LimitName,
  field: string,
  detail?: string,
): LimitError {
  const max = limits[limit];
  const message = `limit ${limit} reached: at most ${max} ${DESCRIPTIONS[limit]}`;
  const errors: FieldError[] = [{ path: field, message }];
  return new LimitError(detail ? `${message}; ${detail}` : message, limit, max, errors);
}

/**
 * 409 when a measure grows past its limit. A measure already past it (a lowered limit) may
 * stay or shrink, so a tenant over a limit can always clean up.
 */
export function assertWithin(
  limits: TenantLimits,
  limit: LimitName,
  before: number,
  after: number,
  field: string,
  detail?: string,
): void {
  if (after > limits[limit] && after > before) {
    const what = detail ? `${detail}: ` : '';
    throw limitReached(limits, limit, field, `${what}this change makes it ${after}`);
  }
}
