/** Why the engine allows or denies (pure): the deciding rule and where it came from. */
import { actionBit, type PermissionSet } from './engine.js';
import { isSeparatorCode } from './resource.js';
import {
  type Action,
  type Decision,
  type EffectiveRule,
  type GrantSource,
  SUPERUSER_RESOURCE,
} from './types.js';

const explainIndexes = new WeakMap<PermissionSet, Map<string, EffectiveRule[]>>();

function explainIndex(set: PermissionSet): Map<string, EffectiveRule[]> {
  let index = explainIndexes.get(set);
  if (index === undefined) {
    index = new Map();
    for (const chunk of set.sources) {
      for (const rule of chunk.rules) {
        const list = index.get(rule.resource);
        if (list === undefined) index.set(rule.resource, [rule]);
        else list.push(rule);
      }
    }
    explainIndexes.set(set, index);
  }
  return index;
}

/** The rule of `rules` granting `action`: that exact action first, else `full`. */
function grantOf(rules: readonly EffectiveRule[], action: Action): EffectiveRule | undefined {
  return rules.find((r) => r.action === action) ?? rules.find((r) => r.action === 'full');
}

/**
 * Finds the deepest rule covering `resource` that grants `action` (an exact action first): the
 * resource itself, then each ancestor (`ancestorsOf`, deepest first), cut only until a match, so
 * a check allowed near its leaf builds no list of every ancestor.
 */
function findMatch(
  index: ReadonlyMap<string, readonly EffectiveRule[]>,
  resource: string,
  action: Action,
): EffectiveRule | undefined {
  const own = index.get(resource);
  const match = own === undefined ? undefined : grantOf(own, action);
  if (match !== undefined) return match;
  for (let end = resource.length - 1; end >= 0; end--) {
    if (!isSeparatorCode(resource.charCodeAt(end))) continue;
    const rules = index.get(resource.substring(0, end));
    const found = rules === undefined ? undefined : grantOf(rules, action);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Each rule's {@link describeRule}, built once: a batch of checks repeats a few reasons. */
const ruleReasons = new WeakMap<EffectiveRule, string>();

function reasonOf(rule: EffectiveRule): string {
  let reason = ruleReasons.get(rule);
  if (reason === undefined) {
    reason = describeRule(rule);
    ruleReasons.set(rule, reason);
  }
  return reason;
}

/** Says where a grant came from, e.g. `via role viewer scoped to a:b via group ops`. */
export function describeSource(source: GrantSource): string {
  switch (source.type) {
    case 'direct':
      return 'granted directly';
    case 'group':
      return `via group ${source.groupId}`;
    case 'role': {
      const scope = source.scope === undefined ? '' : ` scoped to ${source.scope}`;
      const group = source.groupId === undefined ? '' : ` via group ${source.groupId}`;
      return `via role ${source.roleId}${scope}${group}`;
    }
  }
}

/** One line for an effective rule, e.g. `dcos:service:marathon full via group ops`. */
export function describeRule(rule: EffectiveRule): string {
  return `${rule.resource} ${rule.action} ${describeSource(rule.source)}`;
}

/**
 * Decides like {@link isAllowed} and says why: the superuser rule, or the deepest rule covering
 * the resource that grants the action, with its source (direct, group, role, scope).
 * Slower than isAllowed (it builds a per-set index on first use); meant for APIs and audits.
 */
export function explain(set: PermissionSet, resource: string, action: Action): Decision {
  if (actionBit(action) === 0) {
    return { allowed: false, reason: `unknown action ${String(action)}` };
  }
  const index = explainIndex(set);
  if (set.superuser) {
    const matched = findMatch(index, SUPERUSER_RESOURCE, 'full');
    if (matched !== undefined) {
      return { allowed: true, reason: `superuser: ${describeRule(matched)}`, matched };
    }
  }
  const matched = findMatch(index, resource, action);
  if (matched === undefined) {
    return { allowed: false, reason: `no rule grants ${action} on ${resource}` };
  }
  return { allowed: true, reason: reasonOf(matched), matched };
}
