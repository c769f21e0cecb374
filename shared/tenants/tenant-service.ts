/** Tenants: create (the creator becomes the first superuser), read, update settings, and "my tenants". */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { BUILT_IN_GROUPS, BUILT_IN_ROLES } from '#shared/acl/management-permissions.js';
import { EVERYONE_GROUP, SUPERUSERS_GROUP } from '#shared/acl/types.js';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { auditPut } from '#shared/audit/audit-event.js';
import { ConflictError, InvalidError, NotFoundError } from '#shared/errors/domain-errors.js';
import {
  tenantCapOf,
  tenantCreationLimit,
  tenantCreationWrite,
} from '#shared/limits/mail-limits.js';
import { newIncarnation } from '#shared/platform/incarnation.js';
import { assertCanGrant } from '#shared/policy/grant-guard.js';
import { DEFAULT_SETTINGS, type TenantSettings } from '#shared/policy/tenant-settings.js';
import { loadTenantState } from '#shared/policy/tenant-state.js';
import { keys } from '#shared/store/keys.js';
import { type MemberRecord, memberItem } from '#shared/store/records/member-record.js';
import { initialPolicy, policyItem } from '#shared/store/records/policy-record.js';
import { transactWrite } from '#shared/store/transact.js';
import type {
  CreateTenantInput,
  PatchTenantInput,
  TenantView,
} from '#shared/tenants/tenant-schemas.js';

/** Where the tenant-creation counter sits in the create transaction. */
const CAP_INDEX = 4;

export interface TenantRecord extends TenantView {
  superuserCount: number;
  version: number;
}

function tenantFromItem(item: Record<string, unknown>): TenantRecord {
  return {
    tenantId: String(item.tenantId),
    name: String(item.name),
    settings: { ...DEFAULT_SETTINGS, ...(item.settings as Partial<TenantSettings> | undefined) },
    createdAt: String(item.createdAt),
    createdBy: String(item.createdBy),
    superuserCount: Number(item.superuserCount ?? 0),
    version: Number(item.version ?? 0),
  };
}

export function tenantView(t: TenantRecord): TenantView {
  return {
    tenantId: t.tenantId,
    name: t.name,
    settings: t.settings,
    createdAt: t.createdAt,
    createdBy: t.createdBy,
  };
}

/**
 * Creates a tenant with its built-in groups and roles; the caller becomes its first
 * superuser (member of `superusers` and `everyone`). A taken id is a 409, also under races.
 */
export async function createTenant(
  deps: StoreDeps,
  caller: Caller,
  input: CreateTenantInput,
): Promise<TenantView> {
  const now = deps.clock.now();
  const at = now.toISOString();
  const tenant: TenantRecord = {
    tenantId: input.tenantId,
    name: input.name,
    settings: DEFAULT_SETTINGS,
    createdAt: at,
    createdBy: caller.userId,
    superuserCount: 1,
    version: 1,
  };
  const member: MemberRecord = {
    tenantId: input.tenantId,
    userId: caller.userId,
    email: caller.email,
    status: 'active',
    joinedAt: at,
    groups: [EVERYONE_GROUP, SUPERUSERS_GROUP],
    roles: [],
    rules: [],
    sessionsValidAfter: 0,
    superuser: true,
    version: 1,
    incarnation: newIncarnation(),
  };
  const T = deps.tableName;
  const cap = await tenantCapOf(deps, caller.userId);
  const builtInGroups = Object.entries(BUILT_IN_GROUPS).map(([groupId, g]) => ({
    Put: {
      TableName: T,
      Item: {
        ...keys.group(input.tenantId, groupId),
        type: 'group',
        tenantId: input.tenantId,
        groupId,
        name: g.name,
        description: g.description,
        builtIn: true,
        createdAt: at,
        version: 1,
      },
    },
  }));
  const builtInRoles = Object.entries(BUILT_IN_ROLES).map(([roleId, r]) => ({
    Put: {
      TableName: T,
      Item: {
        ...keys.role(input.tenantId, roleId),
        type: 'role',
        tenantId: input.tenantId,
        roleId,
        name: r.name,
        builtIn: true,
        createdAt: at,
        version: 1,
      },
    },
  }));
  await transactWrite(
    deps.db,
    [
      {
        Put: {
          TableName: T,
          Item: { ...keys.tenant(input.tenantId), type: 'tenant', ...tenant },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      { Put: { TableName: T, Item: policyItem(input.tenantId, initialPolicy()) } },
      { Put: { TableName: T, Item: memberItem(member) } },
      {
        Put: {
          TableName: T,
          Item: {
            ...keys.memberEmail(input.tenantId, member.email),
            type: 'member-email',
            tenantId: input.tenantId,
            email: member.email,
            userId: member.userId,
          },
        },
      },
      // Rule 16: anyone signed in may create a tenant, a few per day (index CAP_INDEX).
      tenantCreationWrite(deps, caller.userId, cap),
      ...builtInGroups,
      ...builtInRoles,
      {
        Put: {
          TableName: T,
          Item: {
            ...keys.user(caller.userId),
            type: 'user',
            userId: caller.userId,
            email: caller.email,
          },
        },
      },
      auditPut(
        T,
        {
          tenantId: input.tenantId,
          actor: caller.userId,
          action: 'tenant.create',
          target: `tenant:${input.tenantId}`,
          after: tenantView(tenant),
        },
        now,
      ),
    ],
    (codes) =>
      codes[CAP_INDEX] === 'ConditionalCheckFailed'
        ? tenantCreationLimit(deps, cap)
        : new ConflictError(`Tenant id '${input.tenantId}' is taken`, {
            extra: { field: 'tenantId' },
          }),
  );
  return tenantView(tenant);
}

/** Reads a tenant record, or throws NotFound. */
export async function loadTenant(deps: StoreDeps, tenantId: string): Promise<TenantRecord> {
  const res = await deps.db.send(
    new GetCommand({ TableName: deps.tableName, Key: keys.tenant(tenantId), ConsistentRead: true }),
  );
  if (!res.Item) throw new NotFoundError(`Tenant '${tenantId}' not found`);
  return tenantFromItem(res.Item);
}

export async function getTenant(deps: StoreDeps, tenantId: string): Promise<TenantView> {
  return tenantView(await loadTenant(deps, tenantId));
}

/** Renames a tenant or changes its settings; optimistic on the tenant version, audited. */
export async function patchTenant(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  input: PatchTenantInput,
): Promise<TenantView> {
  const before = await loadTenant(deps, tenantId);
  if (input.settings?.defaultRoles || input.settings?.defaultGroups) {
    await assertCanSetDefaults(deps, caller, tenantId, before.settings, input.settings);
  }
  const after: TenantRecord = {
    ...before,
    name: input.name ?? before.name,
    settings: { ...before.settings, ...input.settings },
    version: before.version + 1,
  };
  const now = deps.clock.now();
  await transactWrite(
    deps.db,
    [
      {
        Update: {
          TableName: deps.tableName,
          Key: keys.tenant(tenantId),
          UpdateExpression: 'SET #name = :name, settings = :settings, version = :next',
          ConditionExpression: 'version = :prev',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: {
            ':name': after.name,
            ':settings': after.settings,
            ':next': after.version,
            ':prev': before.version,
          },
        },
      },
      auditPut(
        deps.tableName,
        {
          tenantId,
          actor: caller.userId,
          action: 'tenant.update',
          target: `tenant:${tenantId}`,
          before: tenantView(before),
          after: tenantView(after),
        },
        now,
      ),
    ],
    () => new ConflictError('The tenant changed while updating; retry'),
  );
  return tenantView(after);
}

/**
 * Default roles and groups are grants every later joiner receives, so setting them is granting:
 * each must exist (400 naming the entry), and the caller must hold what each newly added one
 * confers (403), as for any grant. Defaults that were already set are not re-checked.
 */
async function assertCanSetDefaults(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  current: TenantSettings,
  next: Partial<TenantSettings>,
) {
  const state = await loadTenantState(deps, tenantId, caller);
  next.defaultRoles?.forEach((roleId, i) => {
    if (!state.policy.roles[roleId]) {
      throw new InvalidError(`Unknown role '${roleId}'`, [
        { path: `body.settings.defaultRoles.${i}`, message: `unknown role '${roleId}'` },
      ]);
    }
  });
  next.defaultGroups?.forEach((groupId, i) => {
    if (!state.policy.groups[groupId]) {
      throw new InvalidError(`Unknown group '${groupId}'`, [
        { path: `body.settings.defaultGroups.${i}`, message: `unknown group '${groupId}'` },
      ]);
    }
  });
  assertCanGrant(state.actorPermissions, state.compiled, state.policy, {
    roles: (next.defaultRoles ?? [])
      .filter((r) => !current.defaultRoles.includes(r))
      .map((roleId) => ({ roleId })),
    groups: (next.defaultGroups ?? []).filter((g) => !current.defaultGroups.includes(g)),
  });
}

/** The caller's identity and the tenants they belong to (byUser index). */
export async function describeMe(deps: StoreDeps, caller: Caller) {
  const res = await deps.db.send(
    new QueryCommand({
      TableName: deps.tableName,
      IndexName: 'byUser',
      KeyConditionExpression: 'gsi1pk = :u',
      ExpressionAttributeValues: { ':u': keys.byUserPartition(caller.userId) },
    }),
  );
  const memberships = (res.Items ?? []).filter((i) => i.type === 'member');
  const tenants = await Promise.all(
    memberships.map(async (m) => {
      const t = await deps.db.send(
        new GetCommand({ TableName: deps.tableName, Key: keys.tenant(String(m.tenantId)) }),
      );
      return {
        tenantId: String(m.tenantId),
        name: String(t.Item?.name ?? m.tenantId),
        status: String(m.status),
        joinedAt: String(m.joinedAt),
      };
    }),
  );
  return { userId: caller.userId, email: caller.email, tenants };
}
