/** The authorizer's compiled-policy cache stays bounded by entries and by weight (LRU). */
import { describe, expect, it } from 'vitest';
import { compiledPolicyWeight, compilePolicy } from '#shared/acl/engine.js';
import { BoundedCache } from '#shared/platform/bounded-cache.js';
import { initialPolicy } from '#shared/store/records/policy-record.js';

describe('BoundedCache', () => {
  it('evicts the least recently used entry beyond its entry bound', () => {
    const cache = new BoundedCache<string, number>(2, 100, () => 1);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('evicts by weight, replaces in place, and never keeps a value heavier than its budget', () => {
    const cache = new BoundedCache<string, number>(10, 10, (v) => v);
    cache.set('a', 4);
    cache.set('b', 4);
    cache.set('c', 4);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.weight).toBe(8);
    cache.set('b', 2);
    expect(cache.weight).toBe(6);
    cache.set('huge', 11);
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.weight).toBe(6);
  });

  it('weighs a compiled policy by the rules it expands to', () => {
    const policy = initialPolicy();
    const small = compiledPolicyWeight(compilePolicy(policy));
    policy.roles.wide = Array.from({ length: 200 }, (_, i) => ({
      resource: `app:${i}`,
      action: 'read' as const,
    }));
    policy.groups.ops = {
      rules: [],
      roles: [{ roleId: 'wide' }, { roleId: 'wide', scope: 'app' }],
    };
    expect(compiledPolicyWeight(compilePolicy(policy))).toBe(small + 201 + 401);
  });
});
