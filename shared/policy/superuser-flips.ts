/** Whether a policy change can make or unmake superusers (pure): decides if members are re-read. */
import { covers } from '#shared/acl/resource.js';
import { type Rule, SUPERUSER_RESOURCE, type TenantPolicy } from '#shared/acl/types.js';

type PolicyContent = Omit<TenantPolicy, 'version'>;

/** Whether a rule set makes its holder a superuser (a `full` rule covering the superuser resource). */
function grantsSuperuser(rules: readonly Rule[]): boolean {
  return rules.some((r) => r.action === 'full' && covers(r.resource, SUPERUSER_RESOURCE));
}

/**
 * Whether a group carries the superuser rule, directly or through a role binding. A scoped
 * binding confers it only when its scope covers the superuser resource too.
 */
function groupMakesSuperusers(policy: PolicyContent, groupId: string): boolean {
  const group = policy.groups[groupId];
  if (!group) return false;
  if (grantsSuperuser(group.rules)) return true;
  return group.roles.some(
    (b) =>
      grantsSuperuser(policy.roles[b.roleId] ?? []) &&
      (b.scope === undefined || covers(b.scope, SUPERUSER_RESOURCE)),
  );
}

/**
 * Whether switching policies can change anybody's superuser status: superuser status is the OR
 * of per-source contributions, so only a group or role whose contribution changes can flip it.
 */
export function mayFlipSuperusers(before: PolicyContent, after: PolicyContent): boolean {
  const groups = new Set([...Object.keys(before.groups), ...Object.keys(after.groups)]);
  for (const g of groups) {
    if (groupMakesSuperusers(before, g) !== groupMakesSuperusers(after, g)) return true;
  }
  const roles = new Set([...Object.keys(before.roles), ...Object.keys(after.roles)]);
  for (const r of roles) {
    if (grantsSuperuser(before.roles[r] ?? []) !== grantsSuperuser(after.roles[r] ?? [])) {
      return true;
    }
  }
  return false;
}
