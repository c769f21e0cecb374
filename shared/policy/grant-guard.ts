/** "Nobody grants more than they hold": checks a grant against the granter's own permissions (pure). */
import {
  type CompiledPolicy,
  compilePrincipal,
  isAllowed,
  isSuperuser,
  namespaceViolation,
  type PermissionSet,
} from '#shared/acl/engine.js';
import { covers, validateResourceId } from '#shared/acl/resource.js';
import type { RoleBinding, Rule, TenantPolicy } from '#shared/acl/types.js';
import { ForbiddenError, InvalidError } from '#shared/errors/domain-errors.js';

export interface GrantRequest {
  rules?: Rule[];
  roles?: RoleBinding[];
  groups?: string[];
}

/** The permissions a role binding confers: each role permission narrowed to the scope. */
export function boundPermissions(permissions: readonly Rule[], scope: string | undefined): Rule[] {
  if (!scope) return [...permissions];
  const out: Rule[] = [];
  for (const p of permissions) {
    if (covers(p.resource, scope)) out.push({ resource: scope, action: p.action });
    else if (covers(scope, p.resource)) out.push(p);
  }
  return out;
}

/** Throws 400 when a role or group does not exist in the policy. */
export function assertKnown(
  policy: TenantPolicy,
  request: GrantRequest,
  pathPrefix = 'body',
): void {
  request.roles?.forEach((r, i) => {
    if (!policy.roles[r.roleId]) {
      throw new InvalidError(`Unknown role '${r.roleId}'`, [
        { path: `${pathPrefix}.roles.${i}`, message: `unknown role '${r.roleId}'` },
      ]);
    }
  });
  request.groups?.forEach((g, i) => {
    if (!policy.groups[g]) {
      throw new InvalidError(`Unknown group '${g}'`, [
        { path: `${pathPrefix}.groups.${i}`, message: `unknown group '${g}'` },
      ]);
    }
  });
}

/**
 * Throws 400 (naming `rulesPath`) when a registered namespace does not accept one of the rules,
 * then 403 unless the granter holds everything the request would confer: every rule, every
 * permission of each role (within its scope), and every permission each group carries.
 * Superusers hold everything.
 */
export function assertCanGrant(
  granter: PermissionSet | undefined,
  compiled: CompiledPolicy,
  policy: TenantPolicy,
  request: GrantRequest,
  rulesPath = 'path.action',
): void {
  for (const rule of request.rules ?? []) {
    const problem = namespaceViolation(policy.namespaces, rule);
    if (problem) throw new InvalidError(problem, [{ path: rulesPath, message: problem }]);
  }
  if (!granter) throw new ForbiddenError('Only members can grant');
  if (isSuperuser(granter)) return;
  const missing = (r: Rule) => !isAllowed(granter, r.resource, r.action);
  for (const rule of request.rules ?? []) {
    if (missing(rule))
      throw new ForbiddenError(
        `You cannot grant ${rule.resource} ${rule.action}: you do not hold it`,
      );
  }
  for (const binding of request.roles ?? []) {
    const perms = boundPermissions(policy.roles[binding.roleId] ?? [], binding.scope);
    const lacking = perms.find(missing);
    if (lacking) {
      throw new ForbiddenError(
        `You cannot grant role '${binding.roleId}': you do not hold ${lacking.resource} ${lacking.action}`,
      );
    }
  }
  for (const groupId of request.groups ?? []) {
    const groupSet = compilePrincipal(compiled, { groups: [groupId], roles: [], rules: [] });
    if (isSuperuser(groupSet))
      throw new ForbiddenError(`You cannot add members to '${groupId}': it makes superusers`);
    const group = policy.groups[groupId];
    const perms = [
      ...(group?.rules ?? []),
      ...(group?.roles ?? []).flatMap((b) =>
        boundPermissions(policy.roles[b.roleId] ?? [], b.scope),
      ),
    ];
    const lacking = perms.find(missing);
    if (lacking) {
      throw new ForbiddenError(
        `You cannot grant group '${groupId}': you do not hold ${lacking.resource} ${lacking.action}`,
      );
    }
  }
}

/**
 * The roles (bound on everything) or the groups of `policy` that `granter` may hand out: those
 * {@link assertCanGrant} lets through, one at a time. What the console offers in its pickers.
 */
export function grantable(
  granter: PermissionSet,
  compiled: CompiledPolicy,
  policy: TenantPolicy,
  kind: 'roles' | 'groups',
): string[] {
  const passes = (request: GrantRequest) => {
    try {
      assertCanGrant(granter, compiled, policy, request);
      return true;
    } catch (error) {
      if (error instanceof ForbiddenError) return false;
      throw error;
    }
  };
  return Object.keys(policy[kind])
    .filter((id) => passes(kind === 'roles' ? { roles: [{ roleId: id }] } : { groups: [id] }))
    .sort();
}

/** Validates an optional scope resource of a role binding, named at `path` (400). */
export function assertValidScope(scope: string | undefined, path = 'body.scope'): void {
  if (scope === undefined) return;
  const problem = validateResourceId(scope);
  if (problem) throw new InvalidError(`Invalid scope: ${problem}`, [{ path, message: problem }]);
}

/**
 * 400 naming `path` when a scoped role binding would confer, under a registered namespace, an
 * action the namespace does not accept: a role holding `dcos read` bound with the scope
 * `dcos:adminrouter:x` would grant `read` where only `full` may be granted. The engine also
 * drops such rules, so a later change of the role cannot bring them back.
 */
export function assertScopeAccepted(
  policy: TenantPolicy,
  binding: RoleBinding,
  path = 'body.scope',
): void {
  if (binding.scope === undefined) return;
  for (const rule of boundPermissions(policy.roles[binding.roleId] ?? [], binding.scope)) {
    const problem = namespaceViolation(policy.namespaces, rule);
    if (problem) {
      const message = `role '${binding.roleId}' scoped here would grant ${rule.action}: ${problem}`;
      throw new InvalidError(message, [{ path, message }]);
    }
  }
}
