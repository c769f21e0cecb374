/** The pure planners of policy changes and tenant creation: which writes a change commits, which errors it raises. */

import { describe, expect, it } from 'vitest';
import { compilePolicy } from '#shared/acl/engine.js';
import { BUILT_IN_GROUPS, BUILT_IN_ROLES } from '#shared/acl/management-permissions.js';
import { SUPERUSER_RESOURCE, type TenantPolicy } from '#shared/acl/types.js';
import { ConflictError, LimitError } from '#shared/errors/domain-errors.js';
import { mailLimitsOf } from '#shared/limits/mail-limits.js';
import { limitsOf } from '#shared/limits/tenant-limits.js';
import {
  MAX_MEMBER_WRITES,
  type PolicyChangeOptions,
  type PolicyContent,
  planPolicyWrites,
  preparePolicyChange,
} from '#shared/policy/policy-plan.js';
import { holderBumps } from '#shared/policy/policy-writes.js';
import { LAST_SUPERUSER } from '#shared/policy/superusers.js';
import { DEFAULT_SETTINGS } from '#shared/policy/tenant-settings.js';
import type { TenantState } from '#shared/policy/tenant-state.js';
import { catalogDelete } from '#shared/store/records/catalog-record.js';
import type { MemberRecord } from '#shared/store/records/member-record.js';
import { initialPolicy, POLICY_VERSION_SHARDS } from '#shared/store/records/policy-record.js';
import type { ServiceAccountRecord } from '#shared/store/records/service-account-record.js';
import type { TxItem } from '#shared/store/table.js';
import { builtInItems, newTenant } from '#shared/tenants/tenant-service.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const TENANT = 't1';

function stateOf(policy: TenantPolicy, superuserCount: number, limits = limitsOf(undefined)) {
  const state: TenantState = {
    tenantId: TENANT,
    name: 'Tenant',
    settings: DEFAULT_SETTINGS,
    superuserCount,
    tenantVersion: 1,
    limits,
    mailLimits: mailLimitsOf({}, NOW),
    policy,
    compiled: compilePolicy(policy),
  };
  return state;
}

function member(userId: string, groups: string[], superuser: boolean): MemberRecord {
  return {
    tenantId: TENANT,
    userId,
    email: `${userId}@example.com`,
    status: 'active',
    joinedAt: NOW.toISOString(),
    groups,
    roles: [],
    rules: [],
    sessionsValidAfter: 0,
    superuser,
    version: 3,
    incarnation: 'inc',
  };
}

function account(serviceAccountId: string, groups: string[]): ServiceAccountRecord {
  return {
    tenantId: TENANT,
    serviceAccountId,
    name: serviceAccountId,
    status: 'active',
    groups,
    roles: [],
    rules: [],
    createdAt: NOW.toISOString(),
    version: 5,
    incarnation: 'inc',
  };
}

/** The policy with a custom group `ops` that carries the superuser rule. */
function policyWithOps(): TenantPolicy {
  const p = initialPolicy();
  p.groups.ops = { rules: [{ resource: SUPERUSER_RESOURCE, action: 'full' }], roles: [] };
  return p;
}

function plan(
  state: TenantState,
  next: PolicyContent,
  reads: { members?: MemberRecord[]; accounts?: ServiceAccountRecord[] } = {},
  options: PolicyChangeOptions = {},
): TxItem[] {
  const change = preparePolicyChange(state, next, options);
  return planPolicyWrites(
    state,
    change,
    {
      members: change.readMembers ? (reads.members ?? []) : undefined,
      accounts: reads.accounts ?? [],
    },
    { actor: 'u0', action: 'tenant.update', target: 'test:1' },
    NOW,
    options,
  );
}

const puts = (items: TxItem[], type: string) =>
  items.filter((i): i is Extract<TxItem, { put: unknown }> => 'put' in i && i.put.type === type);

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('planning a policy change', () => {
  it('writes only the policy (over the version read), its version shards and the audit event when no superuser can flip', () => {
    const state = stateOf(initialPolicy(), 1);
    const next = { ...initialPolicy(), namespaces: { app: ['full' as const] } };
    const change = preparePolicyChange(state, next);
    expect(change).toMatchObject({ readMembers: false, readAccounts: false, superuserPass: false });
    const items = plan(state, next);
    expect(items).toHaveLength(2 + POLICY_VERSION_SHARDS);
    // Every shard names the new version, in the same transaction as the policy.
    const shards = puts(items, 'policy-version');
    expect(shards.map((i) => i.put.pk)).toEqual(
      Array.from({ length: POLICY_VERSION_SHARDS }, (_, k) => `POLICYVERSION#${TENANT}#${k}`),
    );
    expect(new Set(shards.map((i) => i.put.policyVersion))).toEqual(new Set([2]));
    expect(items[0]).toMatchObject({
      put: { sk: 'POLICY', policyVersion: 2, namespaces: { app: ['full'] } },
      when: { if: 'policyVersion = :read', values: { ':read': 1 } },
    });
    expect(puts(items, 'audit')[0]?.put).toMatchObject({
      tenantId: TENANT,
      actor: 'u0',
      action: 'tenant.update',
      at: NOW.toISOString(),
    });
  });

  it('refuses (409) a change that would leave the tenant without a superuser', () => {
    const state = stateOf(initialPolicy(), 1);
    const next = structuredClone(initialPolicy()) as PolicyContent;
    const superusers = next.groups.superusers;
    if (superusers) superusers.rules = [];
    const error = caught(() =>
      plan(state, next, { members: [member('u1', ['superusers'], true)] }),
    );
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).message).toBe(LAST_SUPERUSER);
  });

  it('unmakes a superuser who is not the last: rewrites them, checks the other, sets the counter', () => {
    const state = stateOf(policyWithOps(), 2);
    const next = structuredClone(policyWithOps()) as PolicyContent;
    next.groups.ops = { rules: [], roles: [] };
    const items = plan(state, next, {
      members: [member('keeper', ['superusers'], true), member('opsie', ['ops'], true)],
    });
    const rewritten = puts(items, 'member');
    expect(rewritten).toHaveLength(1);
    expect(rewritten[0]).toMatchObject({
      put: { userId: 'opsie', superuser: false, version: 4 },
      when: { if: 'version = :v', values: { ':v': 3 } },
    });
    expect(items).toContainEqual({
      check: { pk: `TENANT#${TENANT}`, sk: 'MEMBER#keeper' },
      when: { if: 'version = :v', values: { ':v': 3 } },
    });
    expect(items).toContainEqual(
      expect.objectContaining({
        set: 'SET superuserCount = :next',
        values: { ':next': 1 },
        when: { if: 'superuserCount = :read', values: { ':read': 2 } },
      }),
    );
  });

  it('rewrites exactly the members and service accounts an edit touches, each over its version', () => {
    const state = stateOf(policyWithOps(), 1);
    const next = structuredClone(policyWithOps()) as PolicyContent;
    next.groups.extra = { rules: [], roles: [] };
    const drop = <P extends { groups: string[] }>(p: P) =>
      p.groups.includes('extra')
        ? { ...p, groups: p.groups.filter((g) => g !== 'extra') }
        : undefined;
    const items = plan(
      state,
      next,
      {
        members: [member('boss', ['superusers'], true), member('m1', ['extra'], false)],
        accounts: [account('sa1', ['extra']), account('sa2', [])],
      },
      { editMember: drop, editServiceAccount: drop },
    );
    expect(puts(items, 'member').map((i) => [i.put.userId, i.put.groups])).toEqual([['m1', []]]);
    const accounts = puts(items, 'service-account');
    expect(accounts.map((i) => i.put.serviceAccountId)).toEqual(['sa1']);
    expect(accounts[0]?.when).toEqual({ if: 'version = :v', values: { ':v': 5 } });
  });

  it(`refuses (409, naming the limit) to rewrite more than ${MAX_MEMBER_WRITES} members at once`, () => {
    const members = [member('boss', ['superusers'], true)];
    for (let i = 0; i <= MAX_MEMBER_WRITES; i++) members.push(member(`m${i}`, ['ops'], true));
    const next = structuredClone(policyWithOps()) as PolicyContent;
    next.groups.ops = { rules: [], roles: [] };
    const error = caught(() => plan(stateOf(policyWithOps(), members.length), next, { members }));
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).extra).toEqual({ limit: MAX_MEMBER_WRITES });
  });

  it(`fits DynamoDB's 100 items when it rewrites ${MAX_MEMBER_WRITES} members, with the shards and its own item`, () => {
    const members = [member('boss', ['superusers'], true)];
    for (let i = 1; i < MAX_MEMBER_WRITES; i++) members.push(member(`m${i}`, ['ops'], true));
    const next = structuredClone(policyWithOps()) as PolicyContent;
    next.groups.ops = { rules: [], roles: [] };
    const own: TxItem = { put: { pk: `TENANT#${TENANT}`, sk: 'GROUP#x', type: 'group' } };
    const items = plan(
      stateOf(policyWithOps(), members.length),
      next,
      { members },
      { items: [own] },
    );
    expect(puts(items, 'member').length + items.filter((i) => 'check' in i).length).toBe(
      MAX_MEMBER_WRITES,
    );
    expect(puts(items, 'policy-version')).toHaveLength(POLICY_VERSION_SHARDS);
    expect(items.length).toBeLessThanOrEqual(100);
  });

  it('refuses a change past a tenant limit before reading anything, naming the request field', () => {
    const limits = { ...limitsOf(undefined), rolesPerTenant: 0 };
    const state = stateOf(initialPolicy(), 1, limits);
    const next = structuredClone(initialPolicy()) as PolicyContent;
    next.roles.custom = [];
    const error = caught(() =>
      preparePolicyChange(state, next, {
        limitField: (limit) => (limit === 'rolesPerTenant' ? 'body.roleId' : 'body.permissions'),
      }),
    );
    expect(error).toBeInstanceOf(LimitError);
    expect((error as LimitError).status).toBe(409);
    expect(JSON.stringify(error)).toContain('body.roleId');
  });

  it('reads every member when a change can flip superusers, and accounts only for edits or growth', () => {
    const state = stateOf(policyWithOps(), 1);
    const next = structuredClone(policyWithOps()) as PolicyContent;
    next.groups.ops = { rules: [], roles: [] };
    expect(preparePolicyChange(state, next)).toMatchObject({
      readMembers: true,
      readAccounts: false,
      superuserPass: true,
    });
    const grown = structuredClone(policyWithOps()) as PolicyContent;
    grown.groups.everyone = { rules: [{ resource: 'app', action: 'read' }], roles: [] };
    expect(preparePolicyChange(state, grown)).toMatchObject({
      readMembers: true,
      readAccounts: true,
      superuserPass: false,
    });
  });
});

describe('holders of groups and roles', () => {
  it('announces holders of custom groups and roles only, once each', () => {
    const items = holderBumps(TENANT, {
      groups: ['everyone', 'superusers', 'ops', 'ops'],
      roles: [...Object.keys(BUILT_IN_ROLES), 'auditor'],
    });
    expect(items.map((i) => ('update' in i ? i.update.sk : undefined))).toEqual([
      'GROUP#ops',
      'ROLE#auditor',
    ]);
    expect(items[0]?.when).toEqual({ if: 'attribute_exists(pk)' });
  });

  it('deletes a group or role only as read: no new holder since', () => {
    expect(
      catalogDelete('group', TENANT, 'ops', { version: 2, holderVersion: undefined }).when,
    ).toEqual({
      if: 'version = :v AND attribute_not_exists(holderVersion)',
      values: { ':v': 2 },
    });
    expect(catalogDelete('role', TENANT, 'r', { version: 2, holderVersion: 7 }).when).toEqual({
      if: 'version = :v AND holderVersion = :h',
      values: { ':v': 2, ':h': 7 },
    });
  });
});

describe('planning a new tenant', () => {
  it('makes the creator its only superuser, in everyone and superusers', () => {
    const { tenant, founder } = newTenant(
      { userId: 'u1', email: 'a@example.com' },
      { tenantId: 'acme', name: 'Acme' },
      NOW.toISOString(),
    );
    expect(tenant).toMatchObject({ tenantId: 'acme', superuserCount: 1, createdBy: 'u1' });
    expect(founder).toMatchObject({
      status: 'active',
      superuser: true,
      groups: ['everyone', 'superusers'],
    });
  });

  it('writes every built-in group and role, unconditionally', () => {
    const items = builtInItems('acme', NOW.toISOString());
    const ids = items.map((i) => ('put' in i ? i.put.sk : undefined));
    expect(ids).toEqual([
      ...Object.keys(BUILT_IN_GROUPS).map((g) => `GROUP#${g}`),
      ...Object.keys(BUILT_IN_ROLES).map((r) => `ROLE#${r}`),
    ]);
    for (const item of items) {
      expect(item).not.toHaveProperty('when');
      expect(item).toMatchObject({ put: { builtIn: true, version: 1, tenantId: 'acme' } });
    }
  });
});
