/**
 * The DC/OS-style ACL API: grant and revoke rules for users (on member items) and groups (in
 * the tenant policy), list them, and answer checks with the engine's reasons.
 */
import {
  covers,
  namespaceViolation,
  type PermissionSet,
  validateResourceId,
} from '#shared/acl/engine.js';
import { explain } from '#shared/acl/explain.js';
import { ACTIONS, type Action, type Rule } from '#shared/acl/types.js';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { createPrincipalCache } from '#shared/auth/decision-caches.js';
import { InvalidError, NotFoundError } from '#shared/errors/domain-errors.js';
import { grantMemberRule, loadMember, revokeMemberRule } from '#shared/members/member-service.js';
import type { CheckInput } from '#shared/permissions/acl-schemas.js';
import {
  type CheckPrincipal,
  checkSubjects,
  principalsOf,
} from '#shared/permissions/check-subjects.js';
import { changeGroupGrants } from '#shared/policy/catalog.js';
import { assertCanGrant } from '#shared/policy/grant-guard.js';
import { compiledPolicyAt, loadTenantState } from '#shared/policy/tenant-state.js';
import { keys } from '#shared/store/keys.js';
import type { Page } from '#shared/store/pagination.js';
import { type MemberRecord, memberFromItem } from '#shared/store/records/member-record.js';
import { PACKED_RULES_ATTRIBUTE } from '#shared/store/records/packed-rules.js';

/**
 * The rule named by the path parameters `{rid}` and `{action}`; 400 naming `path.rid` or
 * `path.action`. `{rid}` is URL-encoded once by the client (`/` as `%2F`, `:` as is or `%3A`)
 * and decoded once by the gateway: it is never decoded again, so a `%` left in it (DC/OS's
 * double-encoded `%252F`) is a forbidden character and a 400, never a second spelling.
 */
export function ruleFromPath(rid: string, rawAction: string): Rule {
  const problem = validateResourceId(rid);
  if (problem) {
    throw new InvalidError(`Invalid resource id: ${problem}`, [
      { path: 'path.rid', message: problem },
    ]);
  }
  if (!(ACTIONS as readonly string[]).includes(rawAction)) {
    const message = `must be one of ${ACTIONS.join(', ')}`;
    throw new InvalidError(`Invalid action '${rawAction}'`, [{ path: 'path.action', message }]);
  }
  return { resource: rid, action: rawAction as Action };
}

/** 400 when a registered namespace does not accept the rule's action. */
export function assertNamespaceAccepts(
  namespaces: Readonly<Record<string, readonly Action[]>>,
  rule: Rule,
  path: string,
): void {
  const problem = namespaceViolation(namespaces, rule);
  if (problem) throw new InvalidError(problem, [{ path, message: problem }]);
}

/**
 * Grants a rule directly to a member; the caller must hold it and its namespace must accept it
 * (both checked against the state the grant's retry reads). Idempotent.
 */
export const grantUserRule = grantMemberRule;

/** Revokes a member's direct rule (404 when absent); 409 when it would leave no superuser. */
export const revokeUserRule = revokeMemberRule;

/** What a group rule edit takes: who asks, in which tenant, for which group, which rule. */
type GroupRuleArgs = [
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  groupId: string,
  rule: Rule,
];

/** Grants a rule to a group: every member of it holds it from their next request. Idempotent. */
export async function grantGroupRule(...args: GroupRuleArgs): Promise<void> {
  const [deps, caller, tenantId, groupId, rule] = args;
  await changeGroupGrants(deps, caller, tenantId, groupId, (grants, state) => {
    assertCanGrant(state.actorPermissions, state.compiled, state.policy, { rules: [rule] });
    const has = grants.rules.some((r) => r.resource === rule.resource && r.action === rule.action);
    const after = { rules: has ? grants.rules : [...grants.rules, rule], roles: grants.roles };
    return { after, action: 'acl.grant', limitField: 'path.rid', result: undefined };
  });
}

/** Revokes a group's rule (404 when absent); 409 when it would leave no superuser. */
export async function revokeGroupRule(...args: GroupRuleArgs): Promise<void> {
  const [deps, caller, tenantId, groupId, rule] = args;
  await changeGroupGrants(deps, caller, tenantId, groupId, (grants) => {
    const rules = grants.rules.filter(
      (r) => !(r.resource === rule.resource && r.action === rule.action),
    );
    if (rules.length === grants.rules.length) {
      throw new NotFoundError(`Group '${groupId}' has no rule ${rule.resource} ${rule.action}`);
    }
    return { after: { rules, roles: grants.roles }, action: 'acl.revoke', result: undefined };
  });
}

export interface AclEntry {
  principal: string;
  resource: string;
  action: Action;
}

/** The members holding direct rules (every page), eventually consistent like any listing. */
async function membersWithRules(deps: StoreDeps, tenantId: string): Promise<MemberRecord[]> {
  const items = await deps.table.queryAll({
    partition: keys.tenantPartition(tenantId),
    prefix: keys.memberPrefix,
    // Format 3 packs the rules (an attribute only when there are some); earlier formats list them.
    filter: {
      if: 'attribute_exists(#packed) OR size(#rules) > :zero',
      names: { '#packed': PACKED_RULES_ATTRIBUTE, '#rules': 'rules' },
      values: { ':zero': 0 },
    },
    consistent: false,
  });
  return items.map(memberFromItem);
}

function pageOf<T>(all: T[], query: { limit: number; cursor?: string }): Page<T> {
  let offset = 0;
  if (query.cursor !== undefined) {
    offset = Number.parseInt(Buffer.from(query.cursor, 'base64url').toString('utf8'), 10);
    if (!Number.isInteger(offset) || offset < 0) {
      throw new InvalidError('The cursor is not valid for this listing', [
        { path: 'query.cursor', message: 'invalid cursor' },
      ]);
    }
  }
  const end = offset + query.limit;
  return {
    items: all.slice(offset, end),
    nextCursor: end < all.length ? Buffer.from(String(end), 'utf8').toString('base64url') : null,
  };
}

/**
 * Lists ACL rules granted directly to users (member items) and to groups (the policy), by
 * principal and resource, optionally filtered to one principal and to rules on or under
 * `resource`.
 */
export async function listAcls(
  deps: StoreDeps,
  tenantId: string,
  query: { limit: number; cursor?: string; principal?: string; resource?: string },
): Promise<Page<AclEntry>> {
  const state = await loadTenantState(deps, tenantId);
  const [kind, id] = query.principal?.split(/:(.*)/s) ?? [];
  const entries: AclEntry[] = [];
  if (kind !== 'user') {
    for (const [groupId, grants] of Object.entries(state.policy.groups)) {
      if (kind === 'group' && groupId !== id) continue;
      for (const r of grants.rules) entries.push({ principal: `group:${groupId}`, ...r });
    }
  }
  if (kind !== 'group') {
    let members: MemberRecord[];
    if (kind === 'user' && id) {
      members = await loadMember(deps, tenantId, id).then(
        (m) => [m],
        () => [],
      );
    } else {
      members = await membersWithRules(deps, tenantId);
    }
    for (const m of members) {
      for (const r of m.rules) entries.push({ principal: `user:${m.userId}`, ...r });
    }
  }
  const filtered = query.resource
    ? entries.filter((e) => covers(query.resource ?? '', e.resource))
    : entries;
  filtered.sort(
    (a, b) =>
      a.principal.localeCompare(b.principal) ||
      a.resource.localeCompare(b.resource) ||
      a.action.localeCompare(b.action),
  );
  return pageOf(filtered, query);
}

export interface CheckResult {
  allowed: boolean;
  reason: string;
  userId?: string;
  resource: string;
  action: Action;
}

/**
 * What a check is answered from, in one request: the subjects' items, and the tenant policy.
 * When the authorizer decided this request under a policy version this process holds compiled
 * (`decidedUnder`), only the subjects are read (small items; the policy item can be 256 KiB);
 * otherwise they are read with the tenant state, in its one BatchGetItem.
 */
async function checkState(
  deps: StoreDeps,
  tenantId: string,
  subjects: ReturnType<typeof checkSubjects>['subjects'],
  decidedUnder: number | undefined,
) {
  const subjectKeys = [...subjects.values()].map((s) => s.key);
  const held = decidedUnder === undefined ? undefined : compiledPolicyAt(tenantId, decidedUnder);
  if (held) return { compiled: held, items: await deps.table.batchGet(subjectKeys) };
  const state = await loadTenantState(deps, tenantId, undefined, subjectKeys);
  return { compiled: state.compiled, items: state.extra };
}

/** This process's compiled permissions of the principals checked, by tenant, policy version and grants. */
const checkPermissionsOf = createPrincipalCache();

/**
 * Answers "may this member do `action` on `resource`?" for one check or a batch, each with the
 * engine's reason (which rule, via what). A single check of a non-member is a 404; in a batch
 * it is a denial with its reason. Disabled members are denied; pending members are not members.
 */
export async function checkAccess(
  deps: StoreDeps,
  tenantId: string,
  checks: CheckInput[],
  single: boolean,
  decidedUnder?: number,
): Promise<CheckResult[]> {
  const { subjects, idOfCheck } = checkSubjects(tenantId, checks);
  const { compiled, items } = await checkState(deps, tenantId, subjects, decidedUnder);
  const principals = await principalsOf(deps, tenantId, subjects, items);
  const policy = { version: compiled.version, compiled };
  // One permission set per principal per request (its key hashes the item's grants), compiled
  // once per item content and policy version in this process, as the authorizer does: the item
  // itself was read for this request, so a grant removed a moment ago is gone here.
  const sets = new Map<CheckPrincipal, PermissionSet>();
  const permissionsOf = (p: CheckPrincipal) => {
    let set = sets.get(p);
    if (!set) {
      set = checkPermissionsOf(tenantId, p.item, policy, !p.serviceAccount);
      sets.set(p, set);
    }
    return set;
  };
  return checks.map((c, i): CheckResult => {
    const found = principals.get(idOfCheck[i] ?? '');
    // A pending member has not accepted yet: not a member (consent, rule 17).
    const m = found?.status === 'pending' ? undefined : found;
    const subject = c.userId ?? c.email ?? c.serviceAccountId ?? '';
    if (!m) {
      if (single) throw new NotFoundError(`No member '${subject}' in this tenant`);
      return {
        allowed: false,
        reason: `no member ${subject}`,
        resource: c.resource,
        action: c.action,
      };
    }
    const { allowed, reason } =
      m.status === 'active'
        ? explain(permissionsOf(m), c.resource, c.action)
        : { allowed: false, reason: 'member is disabled' };
    // One literal per answer, in the order the API has always given (no spread of a base).
    return { userId: m.userId, resource: c.resource, action: c.action, allowed, reason };
  });
}
