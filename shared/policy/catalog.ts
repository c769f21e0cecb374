/**
 * Groups and roles alike: their items sit beside the policy item (which holds their grants), so
 * both are read, listed and deleted the same way. The group and role services add what differs.
 */

import type { GroupGrants, RoleBinding, TenantPolicy } from '#shared/acl/types.js';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import type { AuditAction } from '#shared/audit/audit-actions.js';
import { NotFoundError } from '#shared/errors/domain-errors.js';
import { changePolicy, copyPolicy, type PolicyContent } from '#shared/policy/policy-writes.js';
import type { TenantState } from '#shared/policy/tenant-state.js';
import { decodeCursor, encodeCursor, type Page } from '#shared/store/pagination.js';
import {
  type CatalogKind,
  catalogCursorShape,
  catalogDelete,
  getCatalogItem,
  type HeldItemRead,
  heldItemRead,
  queryCatalog,
} from '#shared/store/records/catalog-record.js';
import { getPolicy } from '#shared/store/records/policy-record.js';
import type { Item } from '#shared/store/table.js';

const LABEL: Record<CatalogKind, string> = { group: 'Group', role: 'Role' };

function notFound(kind: CatalogKind, id: string): NotFoundError {
  return new NotFoundError(`${LABEL[kind]} '${id}' not found`);
}

/** The tenant policy, strongly consistent (for group and role views); 404 without the tenant. */
export async function loadPolicy(deps: StoreDeps, tenantId: string): Promise<TenantPolicy> {
  const policy = await getPolicy(deps.table, tenantId);
  if (!policy) throw new NotFoundError(`Tenant '${tenantId}' not found`);
  return policy;
}

/** A group or role item and what a delete conditions on; 404 when absent. */
export async function readCatalogEntry(
  deps: StoreDeps,
  kind: CatalogKind,
  tenantId: string,
  id: string,
): Promise<{ item: Item; read: HeldItemRead }> {
  const item = await getCatalogItem(deps.table, kind, tenantId, id);
  if (!item) throw notFound(kind, id);
  return { item, read: heldItemRead(item) };
}

/** One entry with the policy beside it (read in parallel), as `view` shows them. */
export async function getCatalogEntry<V>(
  deps: StoreDeps,
  kind: CatalogKind,
  tenantId: string,
  id: string,
  view: (item: Item, policy: TenantPolicy) => V,
): Promise<V> {
  const [{ item }, policy] = await Promise.all([
    readCatalogEntry(deps, kind, tenantId, id),
    loadPolicy(deps, tenantId),
  ]);
  return view(item, policy);
}

/** A page of the tenant's groups or roles by id, each shown with its grants from the policy. */
export async function listCatalog<V>(
  deps: StoreDeps,
  kind: CatalogKind,
  tenantId: string,
  query: { limit: number; cursor?: string },
  view: (item: Item, policy: TenantPolicy) => V,
): Promise<Page<V>> {
  const shape = catalogCursorShape(kind, tenantId);
  const startKey = decodeCursor(query.cursor, shape.expected, shape.startsWith);
  const [page, policy] = await Promise.all([
    queryCatalog(deps.table, kind, tenantId, { limit: query.limit, startKey }),
    loadPolicy(deps, tenantId),
  ]);
  return { items: page.items.map((i) => view(i, policy)), nextCursor: encodeCursor(page.lastKey) };
}

interface Holder {
  groups: string[];
  roles: RoleBinding[];
}

/** The principal without the group or role `id`, or undefined when it does not hold it. */
function withoutEntry<P extends Holder>(kind: CatalogKind, id: string, p: P): P | undefined {
  if (kind === 'group') {
    return p.groups.includes(id) ? { ...p, groups: p.groups.filter((g) => g !== id) } : undefined;
  }
  return p.roles.some((b) => b.roleId === id)
    ? { ...p, roles: p.roles.filter((b) => b.roleId !== id) }
    : undefined;
}

/** How a delete takes one entry's part out of the policy. */
export interface EntryRemoval<H> {
  /** The entry's grants in the policy; undefined when the tenant has no such entry (404). */
  held: (policy: TenantPolicy) => H | undefined;
  /** Removes the entry (and whatever refers to it) from the next policy. */
  drop: (next: PolicyContent) => void;
  /** The audit event's `before`, from the item and the grants. */
  before: (item: Item, held: H) => unknown;
}

/**
 * Deletes a custom group or role: its grants leave the policy and every member and service
 * account leaves it, in one transaction (409 when that would leave no superuser). The item is
 * read before the holders are queried and deleted only as read, so a join or bind committed in
 * between makes the delete re-plan (see `holderBumps`).
 */
export async function deleteCatalogEntry<H>(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  kind: CatalogKind,
  id: string,
  removal: EntryRemoval<H>,
): Promise<void> {
  await changePolicy(deps, caller, tenantId, async (state) => {
    const held = removal.held(state.policy);
    if (held === undefined) throw notFound(kind, id);
    const { item, read } = await readCatalogEntry(deps, kind, tenantId, id);
    const next = copyPolicy(state.policy);
    removal.drop(next);
    return {
      next,
      audit: {
        action: `${kind}.delete`,
        target: `${kind}:${id}`,
        before: removal.before(item, held),
      },
      options: {
        items: [catalogDelete(kind, tenantId, id, read)],
        editMember: (m) => withoutEntry(kind, id, m),
        editServiceAccount: (sa) => withoutEntry(kind, id, sa),
      },
      result: undefined,
    };
  });
}

/** A change of one group's grants: the grants after it, and how it is audited and limited. */
export interface GroupGrantsChange<T> {
  after: GroupGrants;
  /** The audit action, e.g. `acl.grant`. */
  action: AuditAction;
  /** The request field named when the change passes a tenant limit. */
  limitField?: string;
  result: T;
}

/**
 * Changes one group's rules or role bindings in the policy (404 when the group is absent),
 * audited with the grants before and after; `edit` validates against the fresh state.
 */
export function changeGroupGrants<T>(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  groupId: string,
  edit: (grants: GroupGrants, state: TenantState) => GroupGrantsChange<T>,
): Promise<T> {
  return changePolicy(deps, caller, tenantId, (state) => {
    const grants = state.policy.groups[groupId];
    if (!grants) throw notFound('group', groupId);
    const { after, action, limitField, result } = edit(grants, state);
    const next = copyPolicy(state.policy);
    next.groups[groupId] = after;
    return {
      next,
      audit: { action, target: `group:${groupId}`, before: grants, after },
      ...(limitField ? { options: { limitField } } : {}),
      result,
    };
  });
}
