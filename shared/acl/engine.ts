/** The ACL engine: compiles a tenant policy and a principal's grants into a permission set and decides checks (pure, no I/O). */

import { ancestorsOf, covers, isSeparatorCode } from './resource.js';
import {
  type Action,
  type EffectiveRule,
  EVERYONE_GROUP,
  type GrantSource,
  type PrincipalGrants,
  type RoleBinding,
  type Rule,
  SUPERUSER_RESOURCE,
  type TenantPolicy,
} from './types.js';

export { ancestorsOf, covers, validateResourceId } from './resource.js';

const FULL_BIT = 16;
const FULL_MASK = 31;

/**
 * The bit each action needs in a resource's mask. A grant of `full` sets all five bits, so it
 * satisfies every request, while a request for `full` is satisfied only by a `full` grant.
 */
export const ACTION_BITS: Readonly<Record<Action, number>> = Object.freeze({
  create: 1,
  read: 2,
  update: 4,
  delete: 8,
  full: FULL_BIT,
});

/** The bit a request for `action` needs, or 0 for a string that is not an action. */
export function actionBit(action: string): number {
  const bit: unknown = ACTION_BITS[action as Action];
  return typeof bit === 'number' ? bit : 0;
}

/** The mask a grant of `action` contributes to its resource (0 for an unknown action). */
export function grantMask(action: Action): number {
  return action === 'full' ? FULL_MASK : actionBit(action);
}

/** Rules that share one source, with their resource -> action-mask index. */
export interface Chunk {
  readonly rules: readonly EffectiveRule[];
  readonly masks: ReadonlyMap<string, number>;
}

/** A group's expanded grants: its own rules and its role bindings, merged into one mask index. */
interface CompiledGroup {
  readonly chunks: readonly Chunk[];
  readonly masks: ReadonlyMap<string, number>;
}

/** A tenant policy prepared for many {@link compilePrincipal} calls; cache it by version. */
export interface CompiledPolicy {
  readonly version: number;
  readonly roles: ReadonlyMap<string, readonly Rule[]>;
  readonly groups: ReadonlyMap<string, CompiledGroup>;
  readonly namespaces: Readonly<Record<string, readonly Action[]>>;
}

/**
 * A principal's effective permissions: resource -> action mask for the hot path, the superuser
 * flag, and the rules with their sources (shared with the compiled policy) for explanations.
 */
export interface PermissionSet {
  readonly superuser: boolean;
  readonly masks: ReadonlyMap<string, number>;
  readonly sources: readonly Chunk[];
}

const EMPTY_CHUNK: Chunk = Object.freeze({ rules: [], masks: new Map<string, number>() });

function sourceKey(source: GrantSource): string {
  switch (source.type) {
    case 'direct':
      return 'direct';
    case 'group':
      return `group\u0000${source.groupId}`;
    case 'role':
      return `role\u0000${source.roleId}\u0000${source.scope ?? ''}\u0000${source.groupId ?? ''}`;
  }
}

/** Builds a deduplicated chunk of rules that all come from `source`. */
function buildChunk(rules: Iterable<Rule>, source: GrantSource): Chunk {
  const frozenSource = Object.freeze(source);
  // First the exact actions granted per resource (to drop repeats), then widen `full` to all bits.
  const masks = new Map<string, number>();
  const out: EffectiveRule[] = [];
  for (const rule of rules) {
    const bit = actionBit(rule.action);
    // Stored data is not trusted to be well-typed: a rule with an unknown action grants nothing.
    if (bit === 0) continue;
    const previous = masks.get(rule.resource) ?? 0;
    if ((previous & bit) !== 0) continue;
    masks.set(rule.resource, previous | bit);
    out.push(Object.freeze({ resource: rule.resource, action: rule.action, source: frozenSource }));
  }
  if (out.length === 0) return EMPTY_CHUNK;
  for (const [resource, exact] of masks) {
    if ((exact & FULL_BIT) !== 0) masks.set(resource, FULL_MASK);
  }
  return { rules: out, masks };
}

/**
 * Restricts a role permission to the binding scope: subtrees are nested or disjoint, so the
 * intersection is the deeper of the two resources, or nothing.
 */
function scopeResource(resource: string, scope: string): string | null {
  if (covers(resource, scope)) return scope;
  if (covers(scope, resource)) return resource;
  return null;
}

/**
 * A role's rules as a binding confers them: all of them unscoped; with a scope, each narrowed
 * to it, minus any that a registered namespace refuses there (a scope must not turn a role's
 * `read` on `dcos` into `read` under a namespace that accepts only `full`).
 */
function* scopedRules(
  rules: readonly Rule[],
  scope: string | undefined,
  namespaces: Readonly<Record<string, readonly Action[]>>,
): Generator<Rule> {
  for (const rule of rules) {
    if (scope === undefined) {
      yield rule;
      continue;
    }
    const resource = scopeResource(rule.resource, scope);
    if (resource === null) continue;
    const scoped = { resource, action: rule.action };
    if (namespaceViolation(namespaces, scoped) === null) yield scoped;
  }
}

function roleChunks(
  roles: ReadonlyMap<string, readonly Rule[]>,
  namespaces: Readonly<Record<string, readonly Action[]>>,
  bindings: readonly RoleBinding[],
  groupId: string | undefined,
): Chunk[] {
  const seen = new Set<string>();
  const out: Chunk[] = [];
  for (const binding of bindings) {
    const rules = roles.get(binding.roleId);
    if (rules === undefined) continue;
    const source: GrantSource = { type: 'role', roleId: binding.roleId };
    if (binding.scope !== undefined) source.scope = binding.scope;
    if (groupId !== undefined) source.groupId = groupId;
    const key = sourceKey(source);
    if (seen.has(key)) continue;
    seen.add(key);
    const chunk = buildChunk(scopedRules(rules, binding.scope, namespaces), source);
    if (chunk.rules.length > 0) out.push(chunk);
  }
  return out;
}

/** Merges mask indexes, sharing the only non-empty one instead of copying it. */
function mergeMasks(maps: readonly ReadonlyMap<string, number>[]): ReadonlyMap<string, number> {
  let largest: ReadonlyMap<string, number> | undefined;
  let nonEmpty = 0;
  for (const map of maps) {
    if (map.size === 0) continue;
    nonEmpty++;
    if (largest === undefined || map.size > largest.size) largest = map;
  }
  if (largest === undefined) return EMPTY_CHUNK.masks;
  if (nonEmpty === 1) return largest;
  const merged = new Map(largest);
  for (const map of maps) {
    if (map === largest) continue;
    for (const [resource, mask] of map) {
      const previous = merged.get(resource);
      merged.set(resource, previous === undefined ? mask : previous | mask);
    }
  }
  return merged;
}

/**
 * Precomputes a tenant policy: each group's own rules and role bindings (scoped or not) are
 * expanded once into deduplicated rules with their sources and a resource -> mask index.
 * Bindings to unknown roles contribute nothing.
 */
export function compilePolicy(policy: TenantPolicy): CompiledPolicy {
  const roles = new Map<string, readonly Rule[]>();
  for (const [roleId, rules] of Object.entries(policy.roles)) {
    roles.set(
      roleId,
      rules.map((r) => Object.freeze({ resource: r.resource, action: r.action })),
    );
  }
  const namespaces: Record<string, readonly Action[]> = Object.create(null);
  for (const [prefix, actions] of Object.entries(policy.namespaces)) {
    namespaces[prefix] = Object.freeze([...actions]);
  }
  Object.freeze(namespaces);
  const groups = new Map<string, CompiledGroup>();
  for (const [groupId, grants] of Object.entries(policy.groups)) {
    const chunks: Chunk[] = [];
    const own = buildChunk(grants.rules, { type: 'group', groupId });
    if (own.rules.length > 0) chunks.push(own);
    chunks.push(...roleChunks(roles, namespaces, grants.roles, groupId));
    groups.set(groupId, { chunks, masks: mergeMasks(chunks.map((c) => c.masks)) });
  }
  return { version: policy.version, roles, groups, namespaces };
}

/**
 * Computes a principal's effective permissions: its direct rules, the rules and roles of its
 * groups (including `everyone`, unless `grants.everyone` is false), and its own role bindings, each scoped binding
 * restricted to its scope. Unknown groups and roles contribute nothing. Cache the result per
 * principal and policy version: {@link isAllowed} on it is a handful of map lookups.
 */
export function compilePrincipal(policy: CompiledPolicy, grants: PrincipalGrants): PermissionSet {
  const sources: Chunk[] = [];
  const maskMaps: ReadonlyMap<string, number>[] = [];
  const direct = buildChunk(grants.rules, { type: 'direct' });
  if (direct.rules.length > 0) {
    sources.push(direct);
    maskMaps.push(direct.masks);
  }
  const groupIds = new Set(grants.groups);
  if (grants.everyone === false) groupIds.delete(EVERYONE_GROUP);
  else groupIds.add(EVERYONE_GROUP);
  for (const groupId of groupIds) {
    const group = policy.groups.get(groupId);
    if (group === undefined || group.chunks.length === 0) continue;
    sources.push(...group.chunks);
    maskMaps.push(group.masks);
  }
  for (const chunk of roleChunks(policy.roles, policy.namespaces, grants.roles, undefined)) {
    sources.push(chunk);
    maskMaps.push(chunk.masks);
  }
  const masks = mergeMasks(maskMaps);
  return Object.freeze({
    superuser: hasGrant(masks, SUPERUSER_RESOURCE, FULL_BIT),
    masks,
    sources,
  });
}

/**
 * An approximate size of a compiled policy, in rules (each role permission and each rule a
 * group expands to, plus one per role and group): what a cache of compiled policies weighs.
 */
export function compiledPolicyWeight(policy: CompiledPolicy): number {
  let weight = 0;
  for (const rules of policy.roles.values()) weight += rules.length + 1;
  for (const groupId of policy.groups.keys()) weight += groupRuleCount(policy, groupId) + 1;
  return weight;
}

/** How many effective rules a group contributes to each member: its own and its bindings' ones. */
export function groupRuleCount(policy: CompiledPolicy, groupId: string): number {
  let count = 0;
  for (const chunk of policy.groups.get(groupId)?.chunks ?? []) count += chunk.rules.length;
  return count;
}

/**
 * How many effective rules {@link compilePrincipal} would give these grants (what
 * {@link effectiveRules} lists), counted without building the permission set.
 */
export function effectiveRuleCount(policy: CompiledPolicy, grants: PrincipalGrants): number {
  let count = buildChunk(grants.rules, { type: 'direct' }).rules.length;
  const groupIds = new Set(grants.groups);
  if (grants.everyone === false) groupIds.delete(EVERYONE_GROUP);
  else groupIds.add(EVERYONE_GROUP);
  for (const groupId of groupIds) count += groupRuleCount(policy, groupId);
  for (const chunk of roleChunks(policy.roles, policy.namespaces, grants.roles, undefined))
    count += chunk.rules.length;
  return count;
}

function hasGrant(masks: ReadonlyMap<string, number>, resource: string, bit: number): boolean {
  for (let i = 0; i < resource.length; i++) {
    if (isSeparatorCode(resource.charCodeAt(i))) {
      const mask = masks.get(resource.substring(0, i));
      if (mask !== undefined && (mask & bit) !== 0) return true;
    }
  }
  const mask = masks.get(resource);
  return mask !== undefined && (mask & bit) !== 0;
}

/**
 * Decides whether the permission set allows `action` on `resource`: the superuser flag, else
 * one map lookup per ancestor of the resource (and the resource itself), stopping at the
 * first mask with the action's bit. Deny by default; an unknown action is denied.
 */
export function isAllowed(set: PermissionSet, resource: string, action: Action): boolean {
  const bit = actionBit(action);
  if (bit === 0) return false;
  if (set.superuser) return true;
  return hasGrant(set.masks, resource, bit);
}

/** True when the set holds `gatehouse:superuser` with `full`: every permission in the tenant. */
export function isSuperuser(set: PermissionSet): boolean {
  return set.superuser;
}

/** Every effective rule with its source, deduplicated per (resource, action, source). */
export function effectiveRules(set: PermissionSet): EffectiveRule[] {
  const out: EffectiveRule[] = [];
  for (const chunk of set.sources) for (const rule of chunk.rules) out.push(rule);
  return out;
}

/**
 * Checks a rule against the tenant's registered namespaces: the deepest namespace covering the
 * rule's resource decides which actions may be granted there.
 * @returns an error message when the action is not accepted there, else null.
 */
export function namespaceViolation(
  namespaces: Readonly<Record<string, readonly Action[]>>,
  rule: Rule,
): string | null {
  const ancestors = ancestorsOf(rule.resource);
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const prefix = ancestors[i] ?? '';
    if (!Object.hasOwn(namespaces, prefix)) continue;
    const accepted = namespaces[prefix] ?? [];
    if (accepted.includes(rule.action)) return null;
    const list = accepted.length === 0 ? 'none' : accepted.join(', ');
    return `namespace ${prefix} accepts only ${list}; ${rule.action} cannot be granted on ${rule.resource}`;
  }
  return null;
}
