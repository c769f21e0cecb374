/**
 * The pure planners behind member and service-account changes: what a change writes, and what it
 * refuses (404, 403, 409, 400) before anything is written.
 */
import { describe, expect, it } from 'vitest';
import { compilePolicy, compilePrincipal } from '#shared/acl/engine.js';
import type { RoleBinding, Rule } from '#shared/acl/types.js';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import {
  ConflictError,
  ForbiddenError,
  InvalidError,
  LimitError,
  NotFoundError,
} from '#shared/errors/domain-errors.js';
import { DEFAULT_LIMITS } from '#shared/limits/tenant-limits.js';
import { alreadyMember, planMemberChange } from '#shared/members/member-writes.js';
import { fixedClock } from '#shared/platform/clock.js';
import { LAST_SUPERUSER } from '#shared/policy/superusers.js';
import { DEFAULT_SETTINGS } from '#shared/policy/tenant-settings.js';
import type { TenantState } from '#shared/policy/tenant-state.js';
import {
  type Grantee,
  grantEdits,
  type PrincipalKind,
  planGroupAdd,
  planGroupRemove,
  planRoleBind,
  planRoleUnbind,
  planRuleGrant,
  planRuleRevoke,
} from '#shared/principals/grant-edits.js';
import { grantsOf, type MemberRecord } from '#shared/store/records/member-record.js';
import { initialPolicy } from '#shared/store/records/policy-record.js';
import type { TxItem } from '#shared/store/table.js';

const now = new Date('2026-06-01T12:00:00Z');
const deps = { tableName: 'gatehouse', clock: fixedClock(now) } as unknown as StoreDeps;

function member(userId: string, grants: Partial<Grantee> = {}, superuser = false): MemberRecord {
  return {
    tenantId: 't1',
    userId,
    email: `${userId}@example.com`,
    status: 'active',
    joinedAt: now.toISOString(),
    groups: ['everyone', ...(grants.groups ?? [])],
    roles: grants.roles ?? [{ roleId: 'member' }],
    rules: grants.rules ?? [],
    sessionsValidAfter: 0,
    superuser,
    version: 3,
    incarnation: 'inc',
  };
}

/** Tenant state with a custom `deployer` role and `ops` group, acted on by `actor`. */
function tenant(actor: MemberRecord, superuserCount = 1): TenantState {
  const policy = initialPolicy();
  policy.roles.deployer = [{ resource: 'app:deploy', action: 'full' }];
  policy.groups.ops = { rules: [{ resource: 'app:ops', action: 'read' }], roles: [] };
  policy.namespaces = { app: ['read', 'full'] };
  const compiled = compilePolicy(policy);
  return {
    tenantId: 't1',
    name: 'Tenant',
    settings: DEFAULT_SETTINGS,
    superuserCount,
    tenantVersion: 1,
    limits: { ...DEFAULT_LIMITS },
    mailLimits: {} as TenantState['mailLimits'],
    policy,
    compiled,
    actor,
    actorPermissions: compilePrincipal(compiled, grantsOf(actor)),
  };
}

const owner = member('owner', { roles: [{ roleId: 'owner' }] }, true);
const admin = member('admin', { roles: [{ roleId: 'admin' }] });

const kind = (
  overrides: Partial<PrincipalKind<MemberRecord>> = {},
): PrincipalKind<MemberRecord> => ({
  label: 'Member',
  noun: 'this member',
  everyone: 'always',
  checksNamespaces: false,
  actions: {
    groupAdd: 'group.member.add',
    groupRemove: 'group.member.remove',
    roleBind: 'member.role.bind',
    roleUnbind: 'member.role.unbind',
  },
  edit: async () => {
    throw new Error('no write expected');
  },
  ...overrides,
});
const serviceAccountKind = kind({
  label: 'Service account',
  noun: 'this service account',
  everyone: 'never',
  checksNamespaces: true,
});

const puts = (items: TxItem[]) => items.flatMap((i) => ('put' in i ? [i.put] : []));
const keysOf = (items: TxItem[]) =>
  items.map((i) =>
    'put' in i ? i.put.sk : 'update' in i ? i.update.sk : 'delete' in i ? i.delete.sk : i.check.sk,
  );

describe('planMemberChange', () => {
  it('refuses with 409 to disable the last active superuser', () => {
    const state = tenant(owner, 1);
    expect(() =>
      planMemberChange(
        deps,
        state,
        owner,
        { ...owner, status: 'disabled' },
        {
          actor: 'owner',
          action: 'member.disable',
          target: 'member:owner',
        },
      ),
    ).toThrow(new ConflictError(LAST_SUPERUSER));
  });

  it('counts a member made superuser and records the change in the audit trail', () => {
    const state = tenant(owner, 1);
    const before = member('bob');
    const change = planMemberChange(
      deps,
      state,
      before,
      { ...before, groups: [...before.groups, 'superusers'] },
      {
        actor: 'owner',
        action: 'group.member.add',
        target: 'member:bob',
      },
    );
    expect(change.after?.superuser).toBe(true);
    expect(change.after?.version).toBe(before.version + 1);
    const counter = change.items.find((i) => 'update' in i && i.update.sk === 'META');
    expect(counter && 'values' in counter ? counter.values?.[':d'] : undefined).toBe(1);
    const audit = puts(change.items).find((p) => p.type === 'audit');
    expect(audit).toMatchObject({
      action: 'group.member.add',
      target: 'member:bob',
      after: { superuser: true },
    });
  });

  it('deleting a member raises their session floor and frees their email, and writes no member', () => {
    const state = tenant(owner, 1);
    const change = planMemberChange(deps, state, member('bob'), undefined, {
      actor: 'owner',
      action: 'member.delete',
      target: 'member:bob',
    });
    expect(change.after).toBeUndefined();
    expect(keysOf(change.items)).toEqual(
      expect.arrayContaining(['MEMBER#bob', 'SESSIONFLOOR#bob', 'MEMBEREMAIL#bob@example.com']),
    );
    const floor = puts(change.items).find((p) => p.type === 'session-floor');
    expect(floor?.sessionsValidAfter).toBe(now.getTime());
  });

  it('a new member takes its email: someone holding it already answers 409 naming the email', () => {
    const state = tenant(owner, 1);
    const { superuser: _s, version: _v, incarnation: _i, ...fresh } = member('new');
    const change = planMemberChange(deps, state, undefined, fresh, {
      actor: 'owner',
      action: 'member.add',
      target: 'member:new',
    });
    const [memberWrite, emailWrite] = change.items;
    expect(memberWrite && 'put' in memberWrite && memberWrite.when?.if).toBe(
      'attribute_not_exists(pk)',
    );
    const taken = emailWrite?.when?.else?.();
    expect(taken).toBeInstanceOf(ConflictError);
    expect(taken?.message).toBe(alreadyMember('new@example.com').message);
    expect(taken?.extra).toEqual({ field: 'email' });
    expect(change.after?.incarnation).not.toBe('');
  });

  it('refuses with 409 a member past the tenant limit on role bindings, but lets them drop some', () => {
    const state = tenant(owner, 1);
    state.limits.bindingsPerPrincipal = 1;
    const before = member('bob');
    const more = { ...before, roles: [...before.roles, { roleId: 'deployer' }] };
    const audit = { actor: 'owner', action: 'member.role.bind' as const, target: 'member:bob' };
    expect(() => planMemberChange(deps, state, before, more, audit)).toThrow(LimitError);
    const crowded = { ...before, roles: more.roles };
    expect(planMemberChange(deps, state, crowded, before, audit).after?.roles).toEqual(
      before.roles,
    );
  });
});

describe('grant-edit planning', () => {
  const bob = member('bob');

  it('binds a role once per scope, and 404s an unknown role', () => {
    const state = tenant(owner);
    const once = planRoleBind(bob, state, { roleId: 'deployer' });
    expect(planRoleBind(once, state, { roleId: 'deployer' }).roles).toEqual(once.roles);
    const scoped = planRoleBind(once, state, { roleId: 'deployer', scope: 'app:deploy:web' });
    expect(scoped.roles.filter((r: RoleBinding) => r.roleId === 'deployer')).toHaveLength(2);
    expect(() => planRoleBind(bob, state, { roleId: 'ghost' })).toThrow(NotFoundError);
  });

  it('refuses with 403 an admin binding owner or adding someone to superusers', () => {
    const state = tenant(admin);
    expect(() => planRoleBind(bob, state, { roleId: 'owner' })).toThrow(ForbiddenError);
    expect(() => planGroupAdd(kind(), bob, state, 'superusers')).toThrow(ForbiddenError);
  });

  it('404s unbinding a role or leaving a group the principal does not have, naming its kind', () => {
    expect(() => planRoleUnbind(serviceAccountKind, bob, 'ci', 'deployer')).toThrow(
      "Service account 'ci' does not have role 'deployer'",
    );
    expect(() => planGroupRemove(kind(), bob, 'bob', 'ops')).toThrow(
      "Member 'bob' is not in group 'ops'",
    );
    expect(planRoleUnbind(kind(), bob, 'bob', 'member').roles).toEqual([]);
  });

  it('adds to a group once; a service account cannot join everyone (409); unknown groups 404', () => {
    const state = tenant(owner);
    const joined = planGroupAdd(kind(), bob, state, 'ops');
    expect(planGroupAdd(kind(), joined, state, 'ops').groups).toEqual(joined.groups);
    expect(() =>
      planGroupAdd(serviceAccountKind, { ...bob, groups: [] }, state, 'everyone'),
    ).toThrow(ConflictError);
    expect(() => planGroupAdd(kind(), bob, state, 'nope')).toThrow(NotFoundError);
  });

  it('grants a rule once; outside the namespaces a grant to either kind is a 400', () => {
    const state = tenant(owner);
    const rule: Rule = { resource: 'app:deploy', action: 'read' };
    const granted = planRuleGrant(kind(), bob, state, rule);
    expect(planRuleGrant(kind(), granted, state, rule).rules).toEqual([rule]);
    const outside: Rule = { resource: 'app:deploy', action: 'delete' };
    expect(() => planRuleGrant(serviceAccountKind, bob, state, outside)).toThrow(InvalidError);
    expect(() => planRuleGrant(kind(), bob, state, outside)).toThrow(InvalidError);
  });

  it('404s revoking a rule the principal does not hold', () => {
    const rule: Rule = { resource: 'app:x', action: 'read' };
    expect(() => planRuleRevoke(serviceAccountKind, bob, rule)).toThrow(
      'No such rule on this service account',
    );
    expect(planRuleRevoke(kind(), { ...bob, rules: [rule] }, rule).rules).toEqual([]);
  });

  it('refuses to take a member out of everyone with 409 before reading anything', async () => {
    await expect(
      grantEdits(kind()).removeGroup(deps, {} as Caller, 't1', 'bob', 'everyone'),
    ).rejects.toThrow(ConflictError);
  });

  it("a first join bumps the group (so a concurrent delete re-plans); joining again doesn't", async () => {
    const state = tenant(owner);
    const extras: TxItem[][] = [];
    const run = (p: MemberRecord) =>
      grantEdits(
        kind({
          edit: async (_d, _c, _t, _id, change, act, extra) => {
            expect(act.action).toBe('group.member.add');
            extras.push(extra?.(p) ?? []);
            return change(p, state);
          },
        }),
      ).addGroup(deps, {} as Caller, 't1', 'bob', 'ops');
    const joined = await run(bob);
    await run(joined);
    expect(extras.map(keysOf)).toEqual([['GROUP#ops'], []]);
  });
});
