/** Tenants: create (the creator becomes the first superuser), read, update settings, and "my tenants". */
import { BUILT_IN_GROUPS, BUILT_IN_ROLES } from '#shared/acl/management-permissions.js';
import { EVERYONE_GROUP, SUPERUSERS_GROUP } from '#shared/acl/types.js';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { auditPut } from '#shared/audit/audit-event.js';
import {
  ConflictError,
  InvalidError,
  isRaceLost,
  NotFoundError,
} from '#shared/errors/domain-errors.js';
import { tenantCapOf, tenantCreationAdd } from '#shared/limits/mail-limits.js';
import { newIncarnation } from '#shared/platform/incarnation.js';
import { assertCanGrant } from '#shared/policy/grant-guard.js';
import {
  DEFAULT_SETTINGS,
  settingsOf,
  type TenantSettings,
} from '#shared/policy/tenant-settings.js';
import { loadTenantState } from '#shared/policy/tenant-state.js';
import { catalogItem } from '#shared/store/records/catalog-record.js';
import {
  MEMBER_FORMAT,
  type MemberRecord,
  memberItem,
} from '#shared/store/records/member-record.js';
import {
  initialPolicy,
  policyPut,
  policyVersionShardPuts,
} from '#shared/store/records/policy-record.js';
import {
  foldedStamp,
  type JoinStamps,
  joinGuards,
  readJoinStamps,
} from '#shared/store/records/session-record.js';
import {
  getTenantItem,
  memberEmailPut,
  membershipsOf,
  tenantCreate,
  tenantFromItem,
  tenantNames,
  tenantUpdate,
} from '#shared/store/records/tenant-record.js';
import { userProfilePut } from '#shared/store/records/user-record.js';
import type { TxItem } from '#shared/store/table.js';
import type {
  CreateTenantInput,
  PatchTenantInput,
  TenantView,
} from '#shared/tenants/tenant-schemas.js';

export interface TenantRecord extends TenantView {
  superuserCount: number;
  version: number;
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
 * A new tenant's records: the tenant and its creator, its first superuser, whose member item
 * folds `sessionsValidAfter` (the creator's sign-out stamp as read, epoch ms).
 */
export function newTenant(
  caller: Caller,
  input: CreateTenantInput,
  at: string,
  sessionsValidAfter = 0,
) {
  const tenant: TenantRecord = {
    tenantId: input.tenantId,
    name: input.name,
    settings: DEFAULT_SETTINGS,
    createdAt: at,
    createdBy: caller.userId,
    superuserCount: 1,
    version: 1,
  };
  const founder: MemberRecord = {
    tenantId: input.tenantId,
    userId: caller.userId,
    email: caller.email,
    status: 'active',
    joinedAt: at,
    groups: [EVERYONE_GROUP, SUPERUSERS_GROUP],
    roles: [],
    rules: [],
    sessionsValidAfter,
    superuser: true,
    version: 1,
    incarnation: newIncarnation(),
    format: MEMBER_FORMAT,
  };
  return { tenant, founder };
}

/** The items of the built-in groups and roles every tenant starts with. */
export function builtInItems(tenantId: string, at: string): TxItem[] {
  const common = { builtIn: true, createdAt: at, version: 1 };
  return [
    ...Object.entries(BUILT_IN_GROUPS).map(([groupId, g]) => ({
      put: catalogItem('group', tenantId, {
        groupId,
        name: g.name,
        description: g.description,
        ...common,
      }),
    })),
    ...Object.entries(BUILT_IN_ROLES).map(([roleId, r]) => ({
      put: catalogItem('role', tenantId, { roleId, name: r.name, ...common }),
    })),
  ];
}

/**
 * Creates a tenant with its built-in groups and roles; the caller becomes its first
 * superuser (member of `superusers` and `everyone`). A taken id is a 409, also under races;
 * rule 16: anyone signed in may create a tenant, a few per day (429 past the cap).
 */
export async function createTenant(
  deps: StoreDeps,
  caller: Caller,
  input: CreateTenantInput,
): Promise<TenantView> {
  const now = deps.clock.now();
  const at = now.toISOString();
  const cap = await tenantCapOf(deps, caller.userId);
  const taken = () =>
    new ConflictError(`Tenant id '${input.tenantId}' is taken`, { extra: { field: 'tenantId' } });
  const stampsOf = () => readJoinStamps(deps.table, input.tenantId, caller.userId);
  for (let attempt = 1; ; attempt++) {
    const read = await stampsOf();
    const { tenant, founder } = newTenant(caller, input, at, foldedStamp(read));
    try {
      await deps.table.transact(
        creationItems(deps, caller, tenant, founder, read, cap, taken, now),
      );
      return tenantView(tenant);
    } catch (error) {
      if (!isRaceLost(error)) throw error;
      // The founder's stamps moved (a sign-out meanwhile): read them again. Otherwise racing
      // creates of one id conflicted instead of failing the condition: taken all the same.
      if (attempt < MAX_CREATE_ATTEMPTS && !sameStamps(read, await stampsOf())) continue;
      throw attempt < MAX_CREATE_ATTEMPTS ? taken() : error;
    }
  }
}

/** Attempts of a tenant creation whose founder's stamps keep moving. */
const MAX_CREATE_ATTEMPTS = 4;

const sameStamps = (a: JoinStamps, b: JoinStamps) => a.floor === b.floor && a.user === b.user;

/** The one transaction that creates a tenant (see {@link createTenant}). */
function creationItems(
  deps: StoreDeps,
  caller: Caller,
  tenant: TenantRecord,
  founder: MemberRecord,
  read: JoinStamps,
  cap: number,
  taken: () => ConflictError,
  now: Date,
): TxItem[] {
  const { tenantId } = tenant;
  return [
    // First: when the id is taken and the cap reached too, the cap's 429 is the answer.
    tenantCreationAdd(deps, caller.userId, cap),
    tenantCreate(tenant, taken),
    policyPut(tenantId, initialPolicy()),
    ...policyVersionShardPuts(tenantId, initialPolicy().version),
    { put: memberItem(founder) },
    ...joinGuards(tenantId, founder.userId, read),
    memberEmailPut(tenantId, founder.email, founder.userId),
    ...builtInItems(tenantId, tenant.createdAt),
    userProfilePut(caller.userId, caller.email),
    auditPut(
      {
        tenantId,
        actor: caller.userId,
        action: 'tenant.create',
        target: `tenant:${tenantId}`,
        after: tenantView(tenant),
      },
      now,
    ),
  ];
}

/** Reads a tenant record, or throws NotFound. */
export async function loadTenant(deps: StoreDeps, tenantId: string): Promise<TenantRecord> {
  const item = await getTenantItem(deps.table, tenantId);
  if (!item) throw new NotFoundError(`Tenant '${tenantId}' not found`);
  const t = tenantFromItem(item);
  return { ...t, settings: settingsOf(t.settings) };
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
  await deps.table.transact([
    tenantUpdate(
      before,
      after,
      () => new ConflictError('The tenant changed while updating; retry'),
    ),
    auditPut(
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
  ]);
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
  const memberships = await membershipsOf(deps.table, caller.userId);
  const names = await tenantNames(
    deps.table,
    memberships.map((m) => String(m.tenantId)),
  );
  const tenants = memberships.map((m, i) => ({
    tenantId: String(m.tenantId),
    name: String(names[i]?.name ?? m.tenantId),
    status: String(m.status),
    joinedAt: String(m.joinedAt),
  }));
  return { userId: caller.userId, email: caller.email, tenants };
}
