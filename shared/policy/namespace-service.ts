/**
 * Resource namespaces of a tenant (DC/OS: Admin Router resources accept only `full`): a prefix
 * and the actions grants on it or under it may carry. Kept in the versioned policy item, so the
 * grant paths see them in the state they already read; they apply to grants made afterwards.
 */
import { validateResourceId } from '#shared/acl/engine.js';
import type { Action } from '#shared/acl/types.js';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { InvalidError, NotFoundError } from '#shared/errors/domain-errors.js';
import { changePolicy, copyPolicy } from '#shared/policy/policy-writes.js';
import { loadTenantState } from '#shared/policy/tenant-state.js';

/** Gatehouse's own resources keep their built-in rules: a tenant cannot narrow them. */
const RESERVED_ROOT = 'gatehouse';

function assertPrefix(prefix: string): void {
  const problem = validateResourceId(prefix);
  if (problem) throw new InvalidError(problem, [{ path: 'path.prefix', message: problem }]);
  if (prefix === RESERVED_ROOT || /^gatehouse[:/]/.test(prefix)) {
    const message = 'the gatehouse namespace is built in and cannot be registered';
    throw new InvalidError(message, [{ path: 'path.prefix', message }]);
  }
}

/** The tenant's namespaces by prefix (a short list: one page). */
export async function listNamespaces(deps: StoreDeps, tenantId: string) {
  const state = await loadTenantState(deps, tenantId);
  const items = Object.entries(state.policy.namespaces)
    .map(([prefix, actions]) => ({ prefix, actions: [...actions] }))
    .sort((a, b) => a.prefix.localeCompare(b.prefix));
  return { items, nextCursor: null };
}

/** Registers or replaces the actions a namespace accepts. Audited; bumps the policy version. */
export async function setNamespace(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  prefix: string,
  actions: Action[],
) {
  assertPrefix(prefix);
  return changePolicy(deps, caller, tenantId, (state) => {
    const before = state.policy.namespaces[prefix];
    const next = copyPolicy(state.policy);
    next.namespaces = { ...next.namespaces, [prefix]: [...actions] };
    return {
      next,
      audit: {
        action: 'namespace.set',
        target: `namespace:${prefix}`,
        ...(before ? { before: { prefix, actions: [...before] } } : {}),
        after: { prefix, actions },
      },
      options: { limitField: 'path.prefix' },
      result: { prefix, actions },
    };
  });
}

/** Removes a namespace (404 when none is registered there). Audited. */
export async function deleteNamespace(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  prefix: string,
) {
  const problem = validateResourceId(prefix);
  if (problem) throw new InvalidError(problem, [{ path: 'path.prefix', message: problem }]);
  await changePolicy(deps, caller, tenantId, (state) => {
    const before = state.policy.namespaces[prefix];
    if (!before) throw new NotFoundError(`No namespace '${prefix}' in this tenant`);
    const next = copyPolicy(state.policy);
    const { [prefix]: _removed, ...rest } = next.namespaces;
    next.namespaces = rest;
    return {
      next,
      audit: {
        action: 'namespace.delete',
        target: `namespace:${prefix}`,
        before: { prefix, actions: [...before] },
      },
      result: undefined,
    };
  });
}
