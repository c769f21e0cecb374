/**
 * Compiled policies of this process by tenant, each valid for the version it was compiled from:
 * every policy write bumps the version, so a tenant's version names one policy content. Bounded
 * by tenants and by total weight (see `compiledPolicyWeight`), so a warm Lambda's memory is too.
 */
import { type CompiledPolicy, compiledPolicyWeight, compilePolicy } from '#shared/acl/engine.js';
import type { TenantPolicy } from '#shared/acl/types.js';
import { BoundedCache } from '#shared/platform/bounded-cache.js';

export class CompiledPolicies {
  private readonly cache: BoundedCache<string, CompiledPolicy>;

  constructor(maxTenants: number, maxWeight: number) {
    this.cache = new BoundedCache(maxTenants, maxWeight, compiledPolicyWeight);
  }

  /** The tenant's policy compiled at `version`, when this process holds it. */
  at(tenantId: string, version: number): CompiledPolicy | undefined {
    const cached = this.cache.get(tenantId);
    return cached?.version === version ? cached : undefined;
  }

  /** `policy` compiled: from the cache when it holds its version, else compiled and kept. */
  of(tenantId: string, policy: TenantPolicy): CompiledPolicy {
    const cached = this.at(tenantId, policy.version);
    if (cached) return cached;
    const fresh = compilePolicy(policy);
    this.cache.set(tenantId, fresh);
    return fresh;
  }
}
