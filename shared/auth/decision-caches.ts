/**
 * The authorizer's two in-memory caches, bounded so a warm Lambda's memory stays bounded: the
 * compiled policy of each tenant (by version: a new version is loaded and compiled once), and
 * the compiled permissions of principals (by content, see `principalCacheKey`), so a member's
 * packed rules are unpacked once per item content, not per decision.
 */
import { CompiledPolicies } from '#shared/acl/compiled-policies.js';
import { type CompiledPolicy, compilePrincipal, type PermissionSet } from '#shared/acl/engine.js';
import type { TenantPolicy } from '#shared/acl/types.js';
import { grantsOf, principalCacheKey } from '#shared/auth/snapshot-steps.js';
import { BoundedCache } from '#shared/platform/bounded-cache.js';
import type { Item } from '#shared/store/table.js';

/** A tenant's policy compiled at one version. */
export interface VersionedPolicy {
  version: number;
  compiled: CompiledPolicy;
}

/** Bounds of the compiled-principal cache: entries, and their total weight in mask entries. */
export const MAX_CACHED_PRINCIPALS = 5000;
const MAX_CACHED_PRINCIPAL_WEIGHT = 500_000;

/**
 * Bounds of the compiled-policy cache: tenants kept, and their total weight in rules (see
 * `compiledPolicyWeight`; a tenant at every limit weighs about 70,000, a small one under 100).
 */
export const MAX_CACHED_POLICIES = 500;
export const MAX_CACHED_POLICY_WEIGHT = 300_000;

/**
 * The compiled policy of a tenant at `version`: from the cache when it holds that version, else
 * loaded (`load`, one read) and compiled, and kept under the version the loaded policy has.
 */
export function createPolicyCache(load: (tenantId: string) => Promise<TenantPolicy>) {
  const policies = new CompiledPolicies(MAX_CACHED_POLICIES, MAX_CACHED_POLICY_WEIGHT);
  return async function policyAt(tenantId: string, version: number): Promise<VersionedPolicy> {
    const cached = policies.at(tenantId, version);
    if (cached) return { version, compiled: cached };
    const compiled = policies.of(tenantId, await load(tenantId));
    return { version: compiled.version, compiled };
  };
}

/**
 * The compiled permissions of a principal item under a tenant's policy, cached by content (the
 * tenant, the policy version, `everyone` and the grants: never who the principal is).
 */
export function createPrincipalCache() {
  const principals = new BoundedCache<string, PermissionSet>(
    MAX_CACHED_PRINCIPALS,
    MAX_CACHED_PRINCIPAL_WEIGHT,
    (set) => set.masks.size + 1,
  );
  return function permissionsOf(
    tenantId: string,
    principal: Item,
    policy: VersionedPolicy,
    everyone: boolean,
  ): PermissionSet {
    const cacheKey = principalCacheKey(tenantId, policy.version, everyone, principal);
    let set = principals.get(cacheKey);
    if (!set) {
      // Packed rules are unpacked here only, once per grants and policy version.
      set = compilePrincipal(policy.compiled, { ...grantsOf(principal), everyone });
      principals.set(cacheKey, set);
    }
    return set;
  };
}
