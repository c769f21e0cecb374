/** The authorizer's decision steps, given items: who is a member, which stamps end a session, what the caches share. */
import { describe, expect, it, vi } from 'vitest';
import { isAllowed, isSuperuser, type PermissionSet } from '#shared/acl/engine.js';
import { createPolicyCache, createPrincipalCache } from '#shared/auth/decision-caches.js';
import {
  apiTokenDecisionKeys,
  apiTokenSnapshotFrom,
  DECISION_ATTRIBUTES,
  followUpKeys,
  grantsOf,
  LAST_USED_INTERVAL_MS,
  lastUseIsDue,
  memberDecisionKeys,
  memberSnapshotFrom,
  personalTokenDecisionKeys,
  personalTokenSnapshotFrom,
  principalCacheKey,
} from '#shared/auth/snapshot-steps.js';
import { keys } from '#shared/store/keys.js';
import { UnknownItemFormatError } from '#shared/store/records/item-format.js';
import {
  FOLDED_MEMBER_FORMAT,
  MEMBER_FORMAT,
  type MemberRecord,
  memberItem,
} from '#shared/store/records/member-record.js';
import { initialPolicy } from '#shared/store/records/policy-record.js';

const noPermissions = { masks: new Map() } as unknown as PermissionSet;
const permissions = () => noPermissions;
const record: MemberRecord = {
  tenantId: 't1',
  userId: 'u1',
  email: 'ana@example.test',
  status: 'active',
  joinedAt: '2026-06-01T12:00:00.000Z',
  groups: [],
  roles: [],
  rules: [],
  sessionsValidAfter: 0,
  superuser: false,
  version: 1,
  incarnation: 'inc-1',
};
const member = (fields: Record<string, unknown> = {}) => ({
  email: 'ana@example.test',
  status: 'active',
  incarnation: 'inc-1',
  ...fields,
});

describe('memberSnapshotFrom', () => {
  it('is no member for an absent, pending or unknown membership (fail closed)', () => {
    expect(
      memberSnapshotFrom('u1', [undefined, undefined, undefined], permissions),
    ).toBeUndefined();
    for (const status of ['pending', 'suspended', undefined]) {
      expect(memberSnapshotFrom('u1', [member({ status })], permissions)).toBeUndefined();
    }
  });

  it('keeps a disabled member (the authorizer refuses it with its own reason)', () => {
    expect(memberSnapshotFrom('u1', [member({ status: 'disabled' })], permissions)?.status).toBe(
      'disabled',
    );
  });

  it('ends a folded member item (format 2) at its own stamp, which holds the other two', () => {
    const folded = member({ format: FOLDED_MEMBER_FORMAT, sessionsValidAfter: 7 });
    expect(memberSnapshotFrom('u1', [folded], permissions)?.sessionsValidAfter).toBe(7);
  });

  it('reads a member item of format 3 (packed rules) as folded, and unpacks its rules to compile', () => {
    const rules = [{ resource: 'app:x', action: 'read' as const }];
    const item = memberItem({ ...record, rules, format: MEMBER_FORMAT, sessionsValidAfter: 9 });
    const compile = vi.fn((_member: Record<string, unknown>) => noPermissions);
    const snapshot = memberSnapshotFrom('u1', [item, { sessionsValidAfter: 99 }], compile);
    expect(snapshot?.sessionsValidAfter).toBe(9);
    expect(grantsOf(compile.mock.calls[0]?.[0] ?? {}).rules).toEqual(rules);
  });

  it('refuses a member item (or a stamp) of a format this version does not know: never a member, never allowed', () => {
    for (const format of [MEMBER_FORMAT + 1, 99, 'two', 0]) {
      const unknown = member({ format, sessionsValidAfter: 0 });
      expect(() => memberSnapshotFrom('u1', [unknown], permissions)).toThrow(
        UnknownItemFormatError,
      );
      // Whatever the status says: nothing of an unknown item is read.
      const pending = member({ format, status: 'pending' });
      expect(() => memberSnapshotFrom('u1', [pending], permissions)).toThrow(
        UnknownItemFormatError,
      );
    }
    const futureStamp = { sessionsValidAfter: 0, format: 2 };
    expect(() => memberSnapshotFrom('u1', [member(), futureStamp], permissions)).toThrow(
      expect.objectContaining({ kind: 'session-floor' }),
    );
    expect(() => memberSnapshotFrom('u1', [member(), undefined, futureStamp], permissions)).toThrow(
      expect.objectContaining({ kind: 'user-sessions' }),
    );
  });

  it('ends sessions at the latest of the forced logout, the tenant floor and the sign-out everywhere', () => {
    const at = (forced: number, floor: number, user: number) =>
      memberSnapshotFrom(
        'u1',
        [
          member({ sessionsValidAfter: forced }),
          { sessionsValidAfter: floor },
          { sessionsValidAfter: user },
        ],
        permissions,
      )?.sessionsValidAfter;
    expect(at(3, 1, 2)).toBe(3);
    // A floor left by a deleted membership outlives it: the re-created member's old tokens stay dead.
    expect(at(0, 5, 2)).toBe(5);
    // Signing out everywhere ends the session in every tenant.
    expect(at(1, 0, 9)).toBe(9);
    expect(
      memberSnapshotFrom('u1', [member(), undefined, undefined], permissions)?.sessionsValidAfter,
    ).toBe(0);
  });

  it('compiles permissions only for a member, and carries the membership incarnation', () => {
    const compile = vi.fn(permissions);
    memberSnapshotFrom('u1', [member({ status: 'pending' })], compile);
    expect(compile).not.toHaveBeenCalled();
    const snapshot = memberSnapshotFrom('u1', [member()], compile);
    expect(compile).toHaveBeenCalledOnce();
    expect(snapshot).toMatchObject({
      userId: 'u1',
      email: 'ana@example.test',
      incarnation: 'inc-1',
    });
  });
});

describe('decision batches', () => {
  it('reads one policy-version shard and the member item, nothing else', () => {
    expect(memberDecisionKeys('t1', 'u1', 3)).toEqual([
      keys.policyVersionShard('t1', 3),
      keys.member('t1', 'u1'),
    ]);
    expect(keys.policyVersionShard('t1', 3)).toEqual({ pk: 'POLICYVERSION#t1#3', sk: 'V' });
  });

  it("reads an API token with its account, a shard and its minter's member item", () => {
    expect(apiTokenDecisionKeys('t1', 'sa1', 'tok1', 'u1', 0)).toEqual([
      keys.apiToken('t1', 'sa1', 'tok1'),
      keys.serviceAccount('t1', 'sa1'),
      keys.policyVersionShard('t1', 0),
      keys.member('t1', 'u1'),
    ]);
    expect(personalTokenDecisionKeys('t1', 'u1', 'tok1', 5)).toEqual([
      keys.personalToken('t1', 'u1', 'tok1'),
      keys.policyVersionShard('t1', 5),
      keys.member('t1', 'u1'),
    ]);
  });

  it('reads nothing more in the steady state: a shard and a folded member item', () => {
    const shard = { policyVersion: 4 };
    const folded = member({ format: FOLDED_MEMBER_FORMAT });
    expect(followUpKeys('t1', 'u1', shard, folded)).toEqual([]);
    // No member at all: nothing to fold either.
    expect(followUpKeys('t1', 'u1', shard, undefined)).toEqual([]);
  });

  it('reads the policy item of a tenant without shards, and the stamps of a member of format 1', () => {
    expect(followUpKeys('t1', 'u1', undefined, member({ format: 2 }))).toEqual([keys.policy('t1')]);
    expect(followUpKeys('t1', 'u1', { policyVersion: 1 }, member())).toEqual([
      keys.memberSessionFloor('t1', 'u1'),
      keys.userSessions('u1'),
    ]);
    expect(followUpKeys('t1', 'u1', undefined, member({ format: 1 }))).toEqual([
      keys.policy('t1'),
      keys.memberSessionFloor('t1', 'u1'),
      keys.userSessions('u1'),
    ]);
  });

  it('projects the keys, so each item is matched to its key', () => {
    expect(DECISION_ATTRIBUTES).toEqual(
      expect.arrayContaining(['pk', 'sk', 'policyVersion', 'format', 'sessionsValidAfter']),
    );
  });
});

describe('token snapshots', () => {
  it('fails closed: a token without `revoked: false` is revoked, an unreadable time is 0', () => {
    const owner = memberSnapshotFrom('u1', [member()], permissions);
    if (!owner) throw new Error('an active member is a member');
    const snapshot = personalTokenSnapshotFrom(
      { tenantId: 't1', userId: 'u1', expiresAt: 'soon' },
      owner,
    );
    expect(snapshot.revoked).toBe(true);
    expect(snapshot.expiresAt).toBe(0);
    expect(snapshot.memberIncarnation).toBe('');
  });

  it('reads an API token and a disabled account', () => {
    const snapshot = apiTokenSnapshotFrom(
      {
        tenantId: 't1',
        serviceAccountId: 'sa1',
        revoked: false,
        createdAt: '2026-01-01T00:00:00.000Z',
        accountIncarnation: 'a1',
      },
      { status: 'disabled', incarnation: 'a2' },
      undefined,
      noPermissions,
    );
    expect(snapshot).toMatchObject({
      revoked: false,
      createdAt: Date.parse('2026-01-01T00:00:00.000Z'),
      accountStatus: 'disabled',
      accountIncarnation: 'a2',
      tokenAccountIncarnation: 'a1',
      minter: undefined,
    });
  });
});

describe('last-used writes', () => {
  const now = new Date('2026-06-01T12:00:00.000Z');
  const use = (lastUsedAt: number) => ({ key: { pk: 'p', sk: 's' }, lastUsedAt });

  it('writes at most once a minute per token', () => {
    const minuteAgo = now.getTime() - LAST_USED_INTERVAL_MS;
    expect(lastUseIsDue(use(0), 0, now)).toBe(true);
    expect(lastUseIsDue(use(minuteAgo), 0, now)).toBe(true);
    expect(lastUseIsDue(use(minuteAgo + 1), 0, now)).toBe(false);
    expect(lastUseIsDue(use(0), now.getTime() - 1000, now)).toBe(false);
  });
});

describe('principal cache', () => {
  const grants = { groups: ['g'], roles: [], rules: [{ resource: 'app:x', action: 'read' }] };

  it('is keyed by content: equal grants share an entry whoever holds them, any change does not', () => {
    const key = principalCacheKey('t1', 3, true, grants);
    expect(principalCacheKey('t1', 3, true, { ...grants, userId: 'other' })).toBe(key);
    expect(principalCacheKey('t1', 4, true, grants)).not.toBe(key);
    expect(principalCacheKey('t2', 3, true, grants)).not.toBe(key);
    expect(principalCacheKey('t1', 3, false, grants)).not.toBe(key);
    expect(principalCacheKey('t1', 3, true, { ...grants, groups: [] })).not.toBe(key);
    expect(principalCacheKey('t1', 3, true, { ...grants, rules: [] })).not.toBe(key);
  });

  it('compiles the grants: a direct rule allows, nothing else does, a member is no superuser', async () => {
    const policyAt = createPolicyCache(async () => initialPolicy());
    const permissionsOf = createPrincipalCache();
    const policy = await policyAt('t1', 1);
    const set = permissionsOf('t1', { rules: grants.rules }, policy, true);
    expect(isAllowed(set, 'app:x', 'read')).toBe(true);
    expect(isAllowed(set, 'app:x', 'update')).toBe(false);
    expect(isSuperuser(set)).toBe(false);
    expect(permissionsOf('t1', { rules: grants.rules, userId: 'b' }, policy, true)).toBe(set);
  });
});

describe('policy cache', () => {
  it('loads a tenant policy once per version, and again after it changed', async () => {
    const load = vi.fn(async () => ({ ...initialPolicy(), version: 7 }));
    const policyAt = createPolicyCache(load);
    await policyAt('t1', 7);
    await policyAt('t1', 7);
    expect(load).toHaveBeenCalledOnce();
    load.mockResolvedValueOnce({ ...initialPolicy(), version: 8 });
    expect((await policyAt('t1', 8)).version).toBe(8);
    expect(load).toHaveBeenCalledTimes(2);
  });
});
