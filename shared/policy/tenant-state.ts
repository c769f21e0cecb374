/**
 * What a management decision is computed from: the tenant (settings, superuser count), its
 * policy and the acting member, read together in one BatchGetItem, strongly consistent.
 * Writes built from it are conditioned on the versions read here.
 */
import { CompiledPolicies } from '#shared/acl/compiled-policies.js';
import { type CompiledPolicy, compilePrincipal, type PermissionSet } from '#shared/acl/engine.js';
import type { TenantPolicy } from '#shared/acl/types.js';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { NotFoundError } from '#shared/errors/domain-errors.js';
import { type MailLimits, mailLimitsOf, type OperatorLimits } from '#shared/limits/mail-limits.js';
import { limitsOf, type TenantLimits } from '#shared/limits/tenant-limits.js';
import { settingsOf, type TenantSettings } from '#shared/policy/tenant-settings.js';
import { keys } from '#shared/store/keys.js';
import {
  grantsOf,
  type MemberRecord,
  memberFromItem,
} from '#shared/store/records/member-record.js';
import { policyFromItem } from '#shared/store/records/policy-record.js';
import type { Item, Key } from '#shared/store/table.js';

export interface TenantState {
  tenantId: string;
  name: string;
  settings: TenantSettings;
  superuserCount: number;
  tenantVersion: number;
  /** The tenant's limits: the defaults with the operator's overrides. */
  limits: TenantLimits;
  /** Invite mails this tenant may send now (rule 16). */
  mailLimits: MailLimits;
  policy: TenantPolicy;
  compiled: CompiledPolicy;
  /** The acting member (undefined for system actors or non-members). */
  actor?: MemberRecord;
  /** The actor's effective permissions under `policy`. */
  actorPermissions?: PermissionSet;
}

/**
 * Compiled policies of this process by tenant, valid for the version they were compiled from:
 * every policy write bumps the version (conditioned on the one read) and tenants are never
 * deleted, so a tenant's version names one policy content. Bounded like the authorizer's.
 */
const compiledPolicies = new CompiledPolicies(200, 300_000);

/**
 * The tenant's policy compiled at `version` when this process already holds it (a previous
 * request read that version): what a read-only answer needs without the policy item.
 */
export function compiledPolicyAt(tenantId: string, version: number) {
  return compiledPolicies.at(tenantId, version);
}

/**
 * Loads the tenant, its policy and (optionally) the caller's membership in one request, with any
 * `extraKeys` read in the same BatchGetItem (past 100 keys in all, the port sends its requests of
 * 100 together); their items come back in `extra`, read with `deps.table.pick`.
 */
export async function loadTenantState(
  deps: StoreDeps,
  tenantId: string,
  caller?: Caller,
  extraKeys: readonly Key[] = [],
): Promise<TenantState & { extra: Map<string, Item> }> {
  const memberKey = caller ? keys.member(tenantId, caller.userId) : undefined;
  const keyList = [
    keys.tenant(tenantId),
    keys.policy(tenantId),
    ...(memberKey ? [memberKey] : []),
    ...extraKeys,
  ];
  const items = await deps.table.batchGet(keyList);
  const tenant = deps.table.pick(items, keys.tenant(tenantId));
  const policyRow = deps.table.pick(items, keys.policy(tenantId));
  if (!tenant || !policyRow) throw new NotFoundError(`Tenant '${tenantId}' not found`);
  const memberRow = memberKey ? deps.table.pick(items, memberKey) : undefined;
  const policy = policyFromItem(policyRow);
  const compiled = compiledPolicies.of(tenantId, policy);
  const actor = memberRow ? memberFromItem(memberRow) : undefined;
  return {
    tenantId,
    name: String(tenant.name),
    settings: settingsOf(tenant.settings),
    superuserCount: Number(tenant.superuserCount ?? 0),
    tenantVersion: Number(tenant.version ?? 0),
    limits: limitsOf(tenant),
    mailLimits: mailLimitsOf(
      {
        createdAt: String(tenant.createdAt ?? ''),
        operatorLimits: tenant.operatorLimits as OperatorLimits | undefined,
      },
      deps.clock.now(),
    ),
    policy,
    compiled,
    actor,
    actorPermissions: actor ? compilePrincipal(compiled, grantsOf(actor)) : undefined,
    /** The items read (the extra keys' among them), by key id as `table.pick` reads them. */
    extra: items,
  };
}
