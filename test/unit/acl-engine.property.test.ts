/** Differential property tests: the ACL engine against a naive reference model of the same rules. */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
// The engine under test, called as engine.* beside the reference model's ref* functions.
import * as engine from '#shared/acl/engine.js';
import { explain } from '#shared/acl/explain.js';
import {
  ACTIONS,
  type Action,
  type GrantSource,
  type PrincipalGrants,
  type RoleBinding,
  type Rule,
  type TenantPolicy,
} from '#shared/acl/types.js';

// ---- The reference model: expand everything into a flat list, check with startsWith. ----

interface RefRule {
  resource: string;
  action: Action;
  source: string;
}

function refCovers(rule: string, query: string): boolean {
  return query === rule || query.startsWith(`${rule}:`) || query.startsWith(`${rule}/`);
}

function refRole(policy: TenantPolicy, binding: RoleBinding, via: string): RefRule[] {
  if (!Object.hasOwn(policy.roles, binding.roleId)) return [];
  const source = `role ${binding.roleId} scope=${binding.scope ?? '-'} via=${via}`;
  const out: RefRule[] = [];
  for (const r of policy.roles[binding.roleId] ?? []) {
    if (binding.scope === undefined) out.push({ resource: r.resource, action: r.action, source });
    else if (refCovers(r.resource, binding.scope)) {
      out.push({ resource: binding.scope, action: r.action, source });
    } else if (refCovers(binding.scope, r.resource)) {
      out.push({ resource: r.resource, action: r.action, source });
    }
  }
  return out;
}

function refExpand(policy: TenantPolicy, grants: PrincipalGrants): RefRule[] {
  const out: RefRule[] = grants.rules.map((r) => ({ ...r, source: 'direct' }));
  const groups =
    grants.everyone === false
      ? grants.groups.filter((g) => g !== 'everyone')
      : [...grants.groups, 'everyone'];
  for (const groupId of new Set(groups)) {
    if (!Object.hasOwn(policy.groups, groupId)) continue;
    const group = policy.groups[groupId];
    if (group === undefined) continue;
    for (const r of group.rules) out.push({ ...r, source: `group ${groupId}` });
    for (const b of group.roles) out.push(...refRole(policy, b, groupId));
  }
  for (const b of grants.roles) out.push(...refRole(policy, b, '-'));
  return out;
}

function refSuperuser(rules: RefRule[]): boolean {
  return rules.some((r) => r.action === 'full' && refCovers(r.resource, 'gatehouse:superuser'));
}

function refAllowed(rules: RefRule[], resource: string, action: Action): boolean {
  if (refSuperuser(rules)) return true;
  return rules.some(
    (r) => refCovers(r.resource, resource) && (r.action === action || r.action === 'full'),
  );
}

function sourceText(s: GrantSource): string {
  if (s.type === 'direct') return 'direct';
  if (s.type === 'group') return `group ${s.groupId}`;
  return `role ${s.roleId} scope=${s.scope ?? '-'} via=${s.groupId ?? '-'}`;
}

// ---- Generators: small vocabularies so that rules, scopes and queries collide often. ----

const SEGMENTS = ['prod', 'prod-eu', 'prod2', 'web', 'services', 'dcos', 'a', 'a.b', 'x@y', 'q_1'];
const segment = fc.constantFrom(...SEGMENTS);
const separator = fc.constantFrom(':', '/');
const action = fc.constantFrom(...ACTIONS);

/** A resource id under one of a few roots, `maxLevels` deep at most. */
function resourceUpTo(maxLevels: number): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom('dcos', 'prod', 'a'),
      fc.array(fc.tuple(separator, segment), { maxLength: maxLevels - 1 }),
    )
    .map(([root, levels]) => root + levels.map(([sep, seg]) => sep + seg).join(''));
}

const resourceId = resourceUpTo(5);
/** Scopes are shallow, so they often cover (or sit under) the role permissions. */
const scopeId = resourceUpTo(3);

const resourceOrSpecial = fc.oneof(
  { weight: 12, arbitrary: resourceId },
  { weight: 1, arbitrary: fc.constantFrom('gatehouse:superuser', 'gatehouse') },
);

const rule: fc.Arbitrary<Rule> = fc.record({ resource: resourceOrSpecial, action });
const rules = fc.array(rule, { maxLength: 6 });

const ROLE_IDS = ['r0', 'r1', 'r2', 'r3'];
const GROUP_IDS = ['everyone', 'g1', 'g2', 'g3', 'g4'];

const binding: fc.Arbitrary<RoleBinding> = fc
  .tuple(fc.constantFrom(...ROLE_IDS), fc.option(scopeId, { nil: undefined }))
  .map(([roleId, scope]) => (scope === undefined ? { roleId } : { roleId, scope }));

const policyArb: fc.Arbitrary<TenantPolicy> = fc.record({
  version: fc.nat(),
  // r3 stays undefined in most policies: an unknown role must contribute nothing.
  roles: fc.dictionary(fc.constantFrom(...ROLE_IDS), rules, { maxKeys: 4 }),
  groups: fc.dictionary(
    fc.constantFrom(...GROUP_IDS),
    fc.record({ rules, roles: fc.array(binding, { maxLength: 3 }) }),
    { maxKeys: 5 },
  ),
  namespaces: fc.constant({}),
});

/** Members and service accounts: the same grants, but a service account is never in `everyone`. */
const grantsArb: fc.Arbitrary<PrincipalGrants> = fc
  .record({
    groups: fc.array(fc.constantFrom(...GROUP_IDS, 'g-unknown'), { maxLength: 4 }),
    roles: fc.array(binding, { maxLength: 3 }),
    rules,
    kind: fc.constantFrom('member', 'service-account'),
  })
  .map(({ kind, ...grants }) =>
    kind === 'service-account' ? { ...grants, everyone: false } : grants,
  );

/** How to turn a resource of the scenario into a query near it. */
type Move = 'same' | 'ancestor' | 'descendant' | 'deep' | 'trap' | 'swap' | 'fresh';

const queryRecipe = fc.record({
  pick: fc.nat(),
  move: fc.constantFrom<Move>('same', 'ancestor', 'descendant', 'deep', 'trap', 'swap', 'fresh'),
  levels: fc.array(fc.tuple(separator, segment), { minLength: 1, maxLength: 8 }),
  suffix: fc.constantFrom('-eu', '2', 'x', '.b', '_'),
  fresh: resourceId,
  action,
});

type Recipe = typeof queryRecipe extends fc.Arbitrary<infer T> ? T : never;

function scenarioResources(policy: TenantPolicy, grants: PrincipalGrants): string[] {
  const out = ['gatehouse:superuser', 'gatehouse:superuser:x', 'gatehouse'];
  const addRules = (rs: Rule[]) => {
    for (const r of rs) out.push(r.resource);
  };
  const addBindings = (bs: RoleBinding[]) => {
    for (const b of bs) if (b.scope !== undefined) out.push(b.scope);
  };
  for (const rs of Object.values(policy.roles)) addRules(rs);
  for (const g of Object.values(policy.groups)) {
    addRules(g.rules);
    addBindings(g.roles);
  }
  addRules(grants.rules);
  addBindings(grants.roles);
  return out;
}

function materialize(resources: string[], recipe: Recipe): string {
  const base = resources[recipe.pick % resources.length] ?? recipe.fresh;
  const tail = recipe.levels.map(([sep, seg]) => sep + seg).join('');
  switch (recipe.move) {
    case 'same':
      return base;
    case 'ancestor': {
      const cuts = [...base].flatMap((c, i) => (c === ':' || c === '/' ? [i] : []));
      const cut = cuts[recipe.pick % Math.max(cuts.length, 1)];
      return cut === undefined ? base : base.slice(0, cut);
    }
    case 'descendant':
      return base + tail.slice(0, (recipe.levels[0]?.[1].length ?? 0) + 1);
    case 'deep':
      return base + tail;
    case 'trap':
      return base + recipe.suffix + (recipe.pick % 2 === 0 ? '' : tail);
    case 'swap':
      return base.replace(/[:/]/, (s) => (s === ':' ? '/' : ':'));
    case 'fresh':
      return recipe.fresh;
  }
}

const NUM_RUNS = 1000;

describe('ACL engine against the reference model', () => {
  it('decides every query like the reference (isAllowed and explain)', () => {
    fc.assert(
      fc.property(
        policyArb,
        grantsArb,
        fc.array(queryRecipe, { minLength: 1, maxLength: 40 }),
        (policy, grants, recipes) => {
          const set = engine.compilePrincipal(engine.compilePolicy(policy), grants);
          const reference = refExpand(policy, grants);
          const resources = scenarioResources(policy, grants);
          for (const recipe of recipes) {
            const query = materialize(resources, recipe);
            const expected = refAllowed(reference, query, recipe.action);
            expect(engine.isAllowed(set, query, recipe.action), `${recipe.action} ${query}`).toBe(
              expected,
            );
            const decision = explain(set, query, recipe.action);
            expect(decision.allowed, `explain ${recipe.action} ${query}`).toBe(expected);
            if (decision.matched !== undefined) {
              const m = decision.matched;
              expect(
                m.action === 'full' || m.action === recipe.action || engine.isSuperuser(set),
              ).toBe(true);
              expect(
                engine.covers(m.resource, engine.isSuperuser(set) ? 'gatehouse:superuser' : query),
              ).toBe(true);
            }
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('agrees with the reference on the superuser flag', () => {
    fc.assert(
      fc.property(policyArb, grantsArb, (policy, grants) => {
        const set = engine.compilePrincipal(engine.compilePolicy(policy), grants);
        expect(engine.isSuperuser(set)).toBe(refSuperuser(refExpand(policy, grants)));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('lists exactly the reference rules, once per resource, action and source', () => {
    fc.assert(
      fc.property(policyArb, grantsArb, (policy, grants) => {
        const set = engine.compilePrincipal(engine.compilePolicy(policy), grants);
        const actual = engine
          .effectiveRules(set)
          .map((r) => `${r.resource} ${r.action} ${sourceText(r.source)}`);
        const expected = new Set(
          refExpand(policy, grants).map((r) => `${r.resource} ${r.action} ${r.source}`),
        );
        expect(actual.length).toBe(new Set(actual).size);
        expect(new Set(actual)).toEqual(expected);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('resource helpers against the reference', () => {
  it('covers exactly when the query equals the rule or extends it after a separator', () => {
    const near = fc.tuple(resourceId, resourceId, fc.constantFrom('', ':', '/', '-', 'x'));
    fc.assert(
      fc.property(near, ([r, q, glue]) => {
        for (const query of [q, r, r + glue + q]) {
          expect(engine.covers(r, query)).toBe(refCovers(r, query));
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('validates resource ids like the documented grammar', () => {
    const grammar = /^[A-Za-z0-9_.@-]+(?:[:/][A-Za-z0-9_.@-]+)*$/;
    const chars = fc.constantFrom(...'aZ9_.-@:/ *?%é\\'.split(''));
    const id = fc.oneof(
      fc.string({ unit: chars, maxLength: 12 }),
      resourceId,
      fc.constantFrom(
        'x'.repeat(256),
        'x'.repeat(257),
        `${'a:'.repeat(128)}b`,
        `${'a:'.repeat(31)}b`,
        `${'a:'.repeat(32)}b`,
      ),
    );
    fc.assert(
      fc.property(id, (rid) => {
        // Rule 15: no level is `.` or `..`; at most 32 levels (limit resourceDepth).
        const levels = rid.split(/[:/]/);
        const dotLevel = levels.some((level) => level === '.' || level === '..');
        const valid = rid.length <= 256 && levels.length <= 32 && grammar.test(rid) && !dotLevel;
        expect(engine.validateResourceId(rid) === null).toBe(valid);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('reports a namespace violation exactly when the deepest covering namespace refuses', () => {
    const namespaces = fc.dictionary(
      resourceId,
      fc.uniqueArray(action, { minLength: 1, maxLength: 3 }),
      { maxKeys: 4 },
    );
    fc.assert(
      fc.property(namespaces, rule, (ns, r) => {
        const covering = Object.keys(ns)
          .filter((prefix) => refCovers(prefix, r.resource))
          .sort((x, y) => y.length - x.length);
        const deepest = covering[0];
        const refused = deepest !== undefined && !(ns[deepest] ?? []).includes(r.action);
        expect(engine.namespaceViolation(ns, r) !== null).toBe(refused);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
