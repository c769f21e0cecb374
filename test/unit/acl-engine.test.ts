/** Example tests of the ACL engine: DC/OS seed scenarios, roles, scopes, namespaces and ids. */

import { describe, expect, it } from 'vitest';
import {
  compilePolicy,
  compilePrincipal,
  covers,
  effectiveRules,
  isAllowed,
  isSuperuser,
  namespaceViolation,
  type PermissionSet,
  validateResourceId,
} from '#shared/acl/engine.js';
import { explain } from '#shared/acl/explain.js';
import type { Action, PrincipalGrants, Rule, TenantPolicy } from '#shared/acl/types.js';

const MARATHON_SERVICES = 'dcos:service:marathon:marathon:services';

function policyOf(partial: Partial<TenantPolicy> = {}): TenantPolicy {
  return { version: 1, roles: {}, groups: {}, namespaces: {}, ...partial };
}

function principal(partial: Partial<PrincipalGrants> = {}): PrincipalGrants {
  return { groups: [], roles: [], rules: [], ...partial };
}

function setOf(policy: TenantPolicy, grants: PrincipalGrants): PermissionSet {
  return compilePrincipal(compilePolicy(policy), grants);
}

describe('covers', () => {
  it('covers the resource itself and descendants after either separator', () => {
    expect(covers('a:services/prod', 'a:services/prod')).toBe(true);
    expect(covers('a:services/prod', 'a:services/prod/web')).toBe(true);
    expect(covers('a:services/prod', 'a:services/prod:web')).toBe(true);
  });

  it('does not let a rule on prod cover prod-eu', () => {
    expect(covers('a:services/prod', 'a:services/prod-eu')).toBe(false);
    expect(covers('a:services/prod', 'a:services/prod-eu/web')).toBe(false);
  });

  it('does not let a rule cover its ancestors', () => {
    expect(covers('a:services/prod', 'a:services')).toBe(false);
  });
});

describe('DC/OS seed scenarios', () => {
  const rules: Rule[] = [
    { resource: 'dcos:adminrouter:service:marathon', action: 'full' },
    { resource: 'dcos:service:marathon:marathon', action: 'full' },
  ];
  const set = setOf(policyOf(), principal({ rules }));

  it('lets a user with full on both Marathon resources read and fully access both', () => {
    for (const { resource } of rules) {
      expect(isAllowed(set, resource, 'read')).toBe(true);
      expect(isAllowed(set, resource, 'full')).toBe(true);
    }
    expect(isAllowed(set, `${MARATHON_SERVICES}/group1/app`, 'delete')).toBe(true);
  });

  it('denies the same user other services and the parent resources', () => {
    expect(isAllowed(set, 'dcos:service:metronome', 'read')).toBe(false);
    expect(isAllowed(set, 'dcos:adminrouter:service', 'read')).toBe(false);
    expect(isAllowed(set, 'dcos:adminrouter:service:marathon-lb', 'read')).toBe(false);
  });

  it('lets create on services/production cover a deep child but not production-eu', () => {
    const s = setOf(
      policyOf(),
      principal({ rules: [{ resource: `${MARATHON_SERVICES}/production`, action: 'create' }] }),
    );
    expect(isAllowed(s, `${MARATHON_SERVICES}/production/frontend/webserver`, 'create')).toBe(true);
    expect(isAllowed(s, `${MARATHON_SERVICES}/production-eu`, 'create')).toBe(false);
    expect(isAllowed(s, `${MARATHON_SERVICES}/production-eu/frontend`, 'create')).toBe(false);
  });

  it('does not let create imply read, nor the four actions together imply full', () => {
    const resource = `${MARATHON_SERVICES}/production`;
    const four: Rule[] = (['create', 'read', 'update', 'delete'] as const).map((action) => ({
      resource,
      action,
    }));
    const createOnly = setOf(policyOf(), principal({ rules: [{ resource, action: 'create' }] }));
    expect(isAllowed(createOnly, resource, 'read')).toBe(false);
    const s = setOf(policyOf(), principal({ rules: four }));
    expect(isAllowed(s, resource, 'update')).toBe(true);
    expect(isAllowed(s, resource, 'full')).toBe(false);
  });
});

describe('malformed input', () => {
  it('denies an unknown action, even to a superuser, and ignores rules with one', () => {
    const bogus = { resource: 'a', action: 'toString' } as unknown as Rule;
    const s = setOf(
      policyOf(),
      principal({ rules: [bogus, { resource: 'gatehouse:superuser', action: 'full' }] }),
    );
    expect(isAllowed(s, 'a', 'toString' as unknown as Rule['action'])).toBe(false);
    expect(explain(s, 'a', 'admin' as unknown as Rule['action']).allowed).toBe(false);
    expect(effectiveRules(s).map((r) => r.action)).toEqual(['full']);
  });
});

describe('superuser', () => {
  it('grants every permission to a holder of gatehouse:superuser full', () => {
    const s = setOf(
      policyOf({
        groups: {
          superusers: { rules: [{ resource: 'gatehouse:superuser', action: 'full' }], roles: [] },
        },
      }),
      principal({ groups: ['superusers'] }),
    );
    expect(isSuperuser(s)).toBe(true);
    expect(isAllowed(s, 'anything:at/all', 'full')).toBe(true);
    const d = explain(s, 'anything:at/all', 'delete');
    expect(d.allowed).toBe(true);
    expect(d.reason).toBe('superuser: gatehouse:superuser full via group superusers');
  });

  it('does not make gatehouse:superuser with read a superuser', () => {
    const s = setOf(
      policyOf(),
      principal({ rules: [{ resource: 'gatehouse:superuser', action: 'read' }] }),
    );
    expect(isSuperuser(s)).toBe(false);
    expect(isAllowed(s, 'dcos:service', 'read')).toBe(false);
  });

  it('makes the owner role bound through a group a superuser', () => {
    const s = setOf(
      policyOf({
        roles: { owner: [{ resource: 'gatehouse:superuser', action: 'full' }] },
        groups: { admins: { rules: [], roles: [{ roleId: 'owner' }] } },
      }),
      principal({ groups: ['admins'] }),
    );
    expect(isSuperuser(s)).toBe(true);
    expect(explain(s, 'x', 'read').reason).toBe(
      'superuser: gatehouse:superuser full via role owner via group admins',
    );
  });
});

describe('groups', () => {
  it('applies the everyone group to a principal that does not list it', () => {
    const s = setOf(
      policyOf({
        groups: { everyone: { rules: [{ resource: 'public', action: 'read' }], roles: [] } },
      }),
      principal(),
    );
    expect(isAllowed(s, 'public/docs', 'read')).toBe(true);
    expect(explain(s, 'public/docs', 'read').reason).toBe('public read via group everyone');
  });

  it('ignores unknown groups and roles', () => {
    const s = setOf(policyOf(), principal({ groups: ['ghosts'], roles: [{ roleId: 'nope' }] }));
    expect(effectiveRules(s)).toEqual([]);
    expect(isAllowed(s, 'a', 'read')).toBe(false);
  });
});

describe('roles', () => {
  const policy = policyOf({
    roles: {
      operator: [
        { resource: 'dcos:service', action: 'update' },
        { resource: 'dcos:service:marathon:marathon:services/prod/web', action: 'delete' },
        { resource: 'billing', action: 'read' },
      ],
    },
  });

  it('narrows a scoped role to its scope and keeps deeper permissions inside it', () => {
    const s = setOf(
      policy,
      principal({ roles: [{ roleId: 'operator', scope: `${MARATHON_SERVICES}/prod` }] }),
    );
    expect(isAllowed(s, `${MARATHON_SERVICES}/prod/api`, 'update')).toBe(true);
    expect(isAllowed(s, `${MARATHON_SERVICES}/prod-eu`, 'update')).toBe(false);
    expect(isAllowed(s, 'dcos:service:metronome', 'update')).toBe(false);
    expect(isAllowed(s, `${MARATHON_SERVICES}/prod/web/1`, 'delete')).toBe(true);
    expect(isAllowed(s, `${MARATHON_SERVICES}/prod/api`, 'delete')).toBe(false);
    expect(isAllowed(s, 'billing', 'read')).toBe(false);
    expect(explain(s, `${MARATHON_SERVICES}/prod/api`, 'update').reason).toBe(
      `${MARATHON_SERVICES}/prod update via role operator scoped to ${MARATHON_SERVICES}/prod`,
    );
  });

  it('grants the whole role when bound without a scope', () => {
    const s = setOf(policy, principal({ roles: [{ roleId: 'operator' }] }));
    expect(isAllowed(s, 'dcos:service:metronome', 'update')).toBe(true);
    expect(isAllowed(s, 'billing/2024', 'read')).toBe(true);
  });

  it('applies a scoped role bound to a group and names the group in the explanation', () => {
    const p = policyOf({
      ...policy,
      groups: { ops: { rules: [], roles: [{ roleId: 'operator', scope: 'billing' }] } },
    });
    const s = setOf(p, principal({ groups: ['ops'] }));
    expect(isAllowed(s, 'billing:eu', 'read')).toBe(true);
    expect(isAllowed(s, 'dcos:service', 'update')).toBe(false);
    expect(explain(s, 'billing:eu', 'read').reason).toBe(
      'billing read via role operator scoped to billing via group ops',
    );
  });
});

describe('explain and effectiveRules', () => {
  const s = setOf(
    policyOf({
      groups: {
        ops: { rules: [{ resource: 'dcos:service:marathon', action: 'full' }], roles: [] },
      },
    }),
    principal({
      groups: ['ops', 'ops'],
      rules: [
        { resource: 'dcos:service', action: 'read' },
        { resource: 'dcos:service', action: 'read' },
      ],
    }),
  );

  it('names the deepest matching rule and its group', () => {
    expect(explain(s, 'dcos:service:marathon/app', 'read')).toEqual({
      allowed: true,
      reason: 'dcos:service:marathon full via group ops',
      matched: {
        resource: 'dcos:service:marathon',
        action: 'full',
        source: { type: 'group', groupId: 'ops' },
      },
    });
  });

  it('says nothing grants a denied request', () => {
    const d = explain(s, 'dcos:service:metronome', 'update');
    expect(d).toEqual({
      allowed: false,
      reason: 'no rule grants update on dcos:service:metronome',
    });
  });

  it('lists each effective rule once per source', () => {
    expect(effectiveRules(s)).toEqual([
      { resource: 'dcos:service', action: 'read', source: { type: 'direct' } },
      {
        resource: 'dcos:service:marathon',
        action: 'full',
        source: { type: 'group', groupId: 'ops' },
      },
    ]);
  });
});

describe('namespaceViolation', () => {
  const namespaces = {
    'dcos:adminrouter': ['full' as const],
    'dcos:adminrouter:ops/logs': ['read' as const, 'full' as const],
  };
  const violation = (resource: string, action: Action) =>
    namespaceViolation(namespaces, { resource, action });

  it('rejects an action the namespace does not accept', () => {
    expect(violation('dcos:adminrouter:service:marathon', 'read')).toMatch(
      /dcos:adminrouter accepts only full/,
    );
  });

  it('accepts the namespace actions and resources outside any namespace', () => {
    expect(violation('dcos:adminrouter:package', 'full')).toBeNull();
    expect(violation('dcos:adminrouter-x', 'read')).toBeNull();
    expect(violation('dcos', 'read')).toBeNull();
  });

  it('uses the deepest namespace covering the resource', () => {
    expect(violation('dcos:adminrouter:ops/logs/x', 'read')).toBeNull();
    expect(violation('dcos:adminrouter:ops/logs', 'update')).toMatch(
      /dcos:adminrouter:ops\/logs accepts only read, full/,
    );
  });
});

describe('validateResourceId', () => {
  it('accepts DC/OS style ids with both separators and the allowed punctuation', () => {
    expect(validateResourceId('dcos:service:marathon:marathon:services/group1/group2')).toBeNull();
    expect(validateResourceId('a:B-1_2.3@x/y')).toBeNull();
    expect(validateResourceId('x'.repeat(256))).toBeNull();
  });

  it('rejects empty, too long and forbidden characters', () => {
    expect(validateResourceId('')).not.toBeNull();
    expect(validateResourceId('x'.repeat(257))).not.toBeNull();
    for (const bad of ['a b', 'a:*', 'a?b', 'é', 'a\\b', 'a%2Fb']) {
      expect(validateResourceId(bad)).not.toBeNull();
    }
  });

  it('rejects empty levels', () => {
    for (const bad of [':a', '/a', 'a:', 'a/', 'a::b', 'a//b', 'a:/b', 'a/:b']) {
      expect(validateResourceId(bad)).not.toBeNull();
    }
  });
});

describe('validateResourceId: one spelling per id (rule 15)', () => {
  it('rejects `.` and `..` levels anywhere, and keeps dots inside a level', () => {
    for (const bad of ['.', '..', 'a/./b', 'a/../b', 'a:.:b', 'a:..', './a', 'a/..', 'a/.']) {
      expect(validateResourceId(bad), bad).toMatch(/level '\.{1,2}'/);
    }
    for (const ok of ['a/.b', 'a/b.', 'a/...', 'a.b:c..d'])
      expect(validateResourceId(ok)).toBeNull();
  });

  it('rejects encoded separators, lookalikes, NUL and controls, naming the code point', () => {
    for (const bad of [
      'a%2Fb',
      'a%252Fb',
      'a\u2215b',
      'a\uff1ab',
      'a\u0000b',
      'a\u001b[2Jb',
      'a\u009bb',
      'a\u202eb',
    ]) {
      expect(validateResourceId(bad), JSON.stringify(bad)).toMatch(/forbidden character/);
    }
    expect(validateResourceId('a\u0000b')).toMatch(/U\+0000/);
  });
});
