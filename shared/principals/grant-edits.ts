/**
 * The six grant edits of a principal (join/leave a group, bind/unbind a role, grant/revoke a
 * direct rule), written once for members and service accounts. Each edit is a pure plan of the
 * principal's next grants under fresh tenant state, run by the kind's own versioned write (which
 * adds its actor check, rule-12 check, limits, counter and audit event).
 */

import { namespaceViolation } from '#shared/acl/engine.js';
import { EVERYONE_GROUP, type RoleBinding, type Rule } from '#shared/acl/types.js';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import type { AuditAction } from '#shared/audit/audit-actions.js';
import { ConflictError, InvalidError, NotFoundError } from '#shared/errors/domain-errors.js';
import {
  assertCanGrant,
  assertScopeAccepted,
  assertValidScope,
} from '#shared/policy/grant-guard.js';
import { holderBumps } from '#shared/policy/policy-writes.js';
import type { TenantState } from '#shared/policy/tenant-state.js';
import type { TxItem } from '#shared/store/table.js';

/** What a principal is granted, held on its own item. */
export interface Grantee {
  groups: string[];
  roles: RoleBinding[];
  rules: Rule[];
}

/** One versioned change of a principal: its act (and rule-12 wording) and extra items. */
export type EditPrincipal<P extends Grantee> = (
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  id: string,
  change: (p: P, state: TenantState) => P,
  act: { action: AuditAction; against?: string },
  extra?: (p: P) => TxItem[],
) => Promise<P | undefined>;

/** What the grant edits need to know of one kind of principal. */
export interface PrincipalKind<P extends Grantee> {
  /** How a 404 names one: "Member 'x'", "Service account 'x'". */
  label: string;
  /** How a missing rule's 404 names it: "this member". */
  noun: string;
  /** Members are all in `everyone` (nobody leaves it); service accounts never join it. */
  everyone: 'always' | 'never';
  /** Whether a rule grant checks the namespaces here (the ACL API checks members' itself). */
  checksNamespaces: boolean;
  /** Audit actions of the group and role edits (rules are `acl.grant` / `acl.revoke`). */
  actions: {
    groupAdd: AuditAction;
    groupRemove: AuditAction;
    roleBind: AuditAction;
    roleUnbind: AuditAction;
  };
  edit: EditPrincipal<P>;
}

/** Binds `binding` (replacing the same role on the same scope). 404 unknown role; 403 unheld. */
export function planRoleBind<P extends Grantee>(p: P, state: TenantState, binding: RoleBinding): P {
  if (!state.policy.roles[binding.roleId])
    throw new NotFoundError(`Role '${binding.roleId}' not found`);
  assertScopeAccepted(state.policy, binding);
  assertCanGrant(state.actorPermissions, state.compiled, state.policy, { roles: [binding] });
  const others = p.roles.filter((r) => !(r.roleId === binding.roleId && r.scope === binding.scope));
  return { ...p, roles: [...others, binding] };
}

/** Drops every binding of `roleId`; 404 when there is none. */
export function planRoleUnbind<P extends Grantee>(
  kind: Pick<PrincipalKind<P>, 'label'>,
  p: P,
  id: string,
  roleId: string,
): P {
  if (!p.roles.some((r) => r.roleId === roleId))
    throw new NotFoundError(`${kind.label} '${id}' does not have role '${roleId}'`);
  return { ...p, roles: p.roles.filter((r) => r.roleId !== roleId) };
}

/** Joins `groupId` (idempotent). 404 unknown group; 409 `everyone` for a non-member; 403 unheld. */
export function planGroupAdd<P extends Grantee>(
  kind: Pick<PrincipalKind<P>, 'everyone'>,
  p: P,
  state: TenantState,
  groupId: string,
): P {
  if (!state.policy.groups[groupId]) throw new NotFoundError(`Group '${groupId}' not found`);
  if (groupId === EVERYONE_GROUP && kind.everyone === 'never')
    throw new ConflictError("'everyone' is every member; service accounts are not members");
  assertCanGrant(state.actorPermissions, state.compiled, state.policy, { groups: [groupId] });
  return p.groups.includes(groupId) ? p : { ...p, groups: [...p.groups, groupId] };
}

/** Leaves `groupId`; 404 when not in it. */
export function planGroupRemove<P extends Grantee>(
  kind: Pick<PrincipalKind<P>, 'label'>,
  p: P,
  id: string,
  groupId: string,
): P {
  if (!p.groups.includes(groupId))
    throw new NotFoundError(`${kind.label} '${id}' is not in group '${groupId}'`);
  return { ...p, groups: p.groups.filter((g) => g !== groupId) };
}

const sameRule = (a: Rule, b: Rule) => a.resource === b.resource && a.action === b.action;

/** Grants a direct rule (idempotent). 400 outside the namespaces (when checked here); 403 unheld. */
export function planRuleGrant<P extends Grantee>(
  kind: Pick<PrincipalKind<P>, 'checksNamespaces'>,
  p: P,
  state: TenantState,
  rule: Rule,
): P {
  if (kind.checksNamespaces) {
    const problem = namespaceViolation(state.policy.namespaces, rule);
    if (problem) throw new InvalidError(problem, [{ path: 'path.action', message: problem }]);
  }
  assertCanGrant(state.actorPermissions, state.compiled, state.policy, { rules: [rule] });
  return p.rules.some((r) => sameRule(r, rule)) ? p : { ...p, rules: [...p.rules, rule] };
}

/** Revokes a direct rule; 404 when absent. */
export function planRuleRevoke<P extends Grantee>(
  kind: Pick<PrincipalKind<P>, 'noun'>,
  p: P,
  rule: Rule,
): P {
  const rest = p.rules.filter((r) => !sameRule(r, rule));
  if (rest.length === p.rules.length) throw new NotFoundError(`No such rule on ${kind.noun}`);
  return { ...p, rules: rest };
}

/**
 * Runs an edit that may make the principal start holding a group or role: that first holding
 * also bumps the group or role item, so a concurrent delete of it cannot miss the new holder
 * (the edit then re-plans and answers 404).
 */
async function editHolding<P extends Grantee>(
  kind: PrincipalKind<P>,
  deps: StoreDeps,
  target: { caller: Caller; tenantId: string; id: string },
  change: (p: P, state: TenantState) => P,
  action: AuditAction,
  held: { groups: string[] } | { roles: string[] },
): Promise<P> {
  const holds = (p: P) =>
    'groups' in held
      ? held.groups.every((g) => p.groups.includes(g))
      : held.roles.every((r) => p.roles.some((b) => b.roleId === r));
  const { caller, tenantId, id } = target;
  const after = await kind.edit(deps, caller, tenantId, id, change, { action }, (p) =>
    holds(p) ? [] : holderBumps(tenantId, held),
  );
  if (!after) throw new Error('unreachable');
  return after;
}

/** One grant edit of the principal `id`, with its own arguments. */
type Edit<A extends unknown[], R> = (
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  id: string,
  ...args: A
) => Promise<R>;

/** The six grant edits of one kind of principal. */
export interface GrantEdits<P extends Grantee> {
  /** Binds a role, on everything or under `scope`. Idempotent. */
  bindRole: Edit<[roleId: string, scope: string | undefined], P>;
  /** Removes a role binding (every scope of it); 404 when there is none. */
  unbindRole: Edit<[roleId: string], void>;
  /** Puts the principal in a group; the caller must hold what the group carries. Idempotent. */
  addGroup: Edit<[groupId: string], P>;
  /** Takes the principal out of a group; nobody leaves `everyone` (409). */
  removeGroup: Edit<[groupId: string], void>;
  /** Grants a direct rule (ACL API); the caller must hold it. Idempotent. */
  grantRule: Edit<[rule: Rule], void>;
  /** Revokes a direct rule (ACL API); 404 when absent. */
  revokeRule: Edit<[rule: Rule], void>;
}

/** The grant edits of `kind`, each run by the kind's own versioned write. */
export function grantEdits<P extends Grantee>(kind: PrincipalKind<P>): GrantEdits<P> {
  return {
    async bindRole(deps, caller, tenantId, id, roleId, scope) {
      assertValidScope(scope);
      const binding: RoleBinding = scope ? { roleId, scope } : { roleId };
      const change = (p: P, state: TenantState) => planRoleBind(p, state, binding);
      const target = { caller, tenantId, id };
      return editHolding(kind, deps, target, change, kind.actions.roleBind, { roles: [roleId] });
    },
    async unbindRole(deps, caller, tenantId, id, roleId) {
      const change = (p: P) => planRoleUnbind(kind, p, id, roleId);
      const act = { action: kind.actions.roleUnbind, against: 'take a role from' };
      await kind.edit(deps, caller, tenantId, id, change, act);
    },
    async addGroup(deps, caller, tenantId, id, groupId) {
      const change = (p: P, state: TenantState) => planGroupAdd(kind, p, state, groupId);
      const target = { caller, tenantId, id };
      return editHolding(kind, deps, target, change, kind.actions.groupAdd, { groups: [groupId] });
    },
    async removeGroup(deps, caller, tenantId, id, groupId) {
      if (groupId === EVERYONE_GROUP && kind.everyone === 'always')
        throw new ConflictError('Every member is in everyone; nobody can be removed from it');
      const change = (p: P) => planGroupRemove(kind, p, id, groupId);
      const act = { action: kind.actions.groupRemove, against: 'remove from a group' };
      await kind.edit(deps, caller, tenantId, id, change, act);
    },
    async grantRule(deps, caller, tenantId, id, rule) {
      const change = (p: P, state: TenantState) => planRuleGrant(kind, p, state, rule);
      await kind.edit(deps, caller, tenantId, id, change, { action: 'acl.grant' });
    },
    async revokeRule(deps, caller, tenantId, id, rule) {
      const change = (p: P) => planRuleRevoke(kind, p, rule);
      const act = { action: 'acl.revoke' as const, against: 'revoke a rule of' };
      await kind.edit(deps, caller, tenantId, id, change, act);
    },
  };
}
