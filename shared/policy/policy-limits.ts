/**
 * The tenant limits a policy change must keep (pure): counts of roles, groups and namespaces,
 * the size of each role and group, the rules the groups expand to, and the policy item's bytes.
 * Only a measure that grows past its limit is refused, so a tenant over a lowered limit can
 * always shrink.
 */
import { type CompiledPolicy, effectiveRuleCount, groupRuleCount } from '#shared/acl/engine.js';
import { BUILT_IN_GROUPS, BUILT_IN_ROLES } from '#shared/acl/management-permissions.js';
import type { PrincipalGrants, TenantPolicy } from '#shared/acl/types.js';
import { itemSizeBytes } from '#shared/limits/item-size.js';
import { assertWithin, type LimitName, type TenantLimits } from '#shared/limits/tenant-limits.js';
import { policyItem } from '#shared/store/records/policy-record.js';

/** A policy with its compiled form, as a change reads it and as it would write it. */
export interface PolicyPair {
  policy: TenantPolicy;
  compiled: CompiledPolicy;
}

/** Groups and roles whose contribution to their holders grew: their holders must be re-checked. */
export interface GrownGrants {
  groups: Set<string>;
  roles: Set<string>;
}

const customCount = (ids: Record<string, unknown>, builtIn: Record<string, unknown>) =>
  Object.keys(ids).filter((id) => !Object.hasOwn(builtIn, id)).length;

function totalGroupRules(compiled: CompiledPolicy): number {
  let total = 0;
  for (const groupId of compiled.groups.keys()) total += groupRuleCount(compiled, groupId);
  return total;
}

/**
 * 409 naming the limit and `field` when `after` grows a measure past the tenant's limits.
 * @returns the groups and roles that now give their holders more rules than before.
 */
export function assertPolicyWithinLimits(
  limits: TenantLimits,
  tenantId: string,
  before: PolicyPair,
  after: PolicyPair,
  fieldOf: (limit: LimitName) => string,
): GrownGrants {
  const check = (limit: LimitName, was: number, now: number, detail?: string) =>
    assertWithin(limits, limit, was, now, fieldOf(limit), detail);
  const b = before.policy;
  const a = after.policy;
  check(
    'rolesPerTenant',
    customCount(b.roles, BUILT_IN_ROLES),
    customCount(a.roles, BUILT_IN_ROLES),
  );
  check(
    'groupsPerTenant',
    customCount(b.groups, BUILT_IN_GROUPS),
    customCount(a.groups, BUILT_IN_GROUPS),
  );
  check('namespacesPerTenant', Object.keys(b.namespaces).length, Object.keys(a.namespaces).length);
  const grown: GrownGrants = { groups: new Set(), roles: new Set() };
  for (const [roleId, rules] of Object.entries(a.roles)) {
    const was = b.roles[roleId]?.length ?? 0;
    check('permissionsPerRole', was, rules.length, `role ${roleId}`);
    // A new role or group has no holders yet: only existing ones send us to the principals.
    if (b.roles[roleId] !== undefined && rules.length > was) grown.roles.add(roleId);
  }
  for (const [groupId, grants] of Object.entries(a.groups)) {
    const was = b.groups[groupId];
    const detail = `group ${groupId}`;
    check('rulesPerPrincipal', was?.rules.length ?? 0, grants.rules.length, detail);
    check('bindingsPerPrincipal', was?.roles.length ?? 0, grants.roles.length, detail);
    const wasRules = groupRuleCount(before.compiled, groupId);
    const rules = groupRuleCount(after.compiled, groupId);
    check('effectiveRulesPerPrincipal', wasRules, rules, detail);
    if (was !== undefined && rules > wasRules) grown.groups.add(groupId);
  }
  check(
    'effectiveGroupRulesPerTenant',
    totalGroupRules(before.compiled),
    totalGroupRules(after.compiled),
  );
  check(
    'policyBytes',
    itemSizeBytes(policyItem(tenantId, b)),
    itemSizeBytes(policyItem(tenantId, a)),
  );
  return grown;
}

/** Whether a principal holds one of the grown groups or roles (directly; groups via `grown.groups`). */
export function holdsGrown(grants: PrincipalGrants, grown: GrownGrants): boolean {
  if (grown.groups.size === 0 && grown.roles.size === 0) return false;
  const groups = new Set(grants.groups);
  if (grants.everyone !== false) groups.add('everyone');
  for (const g of groups) if (grown.groups.has(g)) return true;
  return grants.roles.some((r) => grown.roles.has(r.roleId));
}

/**
 * 409 when a principal's own grants (direct rules, role bindings) or its effective rules grow
 * past the tenant's limits; `who` names it in the message.
 */
export function assertPrincipalWithinLimits(
  limits: TenantLimits,
  before: { compiled: CompiledPolicy; grants: PrincipalGrants | undefined },
  after: { compiled: CompiledPolicy; grants: PrincipalGrants },
  field: string,
  who: string,
): void {
  const b = before.grants;
  const a = after.grants;
  assertWithin(limits, 'rulesPerPrincipal', b?.rules.length ?? 0, a.rules.length, field, who);
  assertWithin(limits, 'bindingsPerPrincipal', b?.roles.length ?? 0, a.roles.length, field, who);
  const wasRules = b ? effectiveRuleCount(before.compiled, b) : 0;
  const rules = effectiveRuleCount(after.compiled, a);
  assertWithin(limits, 'effectiveRulesPerPrincipal', wasRules, rules, field, who);
}

/** The request field a principal change grows, by its audit action (`body` for the rest). */
export function limitFieldOf(action: string): string {
  if (action.endsWith('role.bind')) return 'path.roleId';
  if (action.endsWith('group.add') || action === 'group.member.add') return 'path.groupId';
  if (action === 'acl.grant') return 'path.rid';
  return 'body';
}
