/**
 * The principals a check request names, read with the tenant state: each subject's item (a
 * member by userId, a service account, or an email's uniqueness item) is a key of the state's
 * BatchGetItem, so checks by userId and by service account cost that one read. An email takes
 * one more: the members its uniqueness items name, read together (or, for members from before
 * that item existed, the byEmail index).
 */
import type { StoreDeps } from '#shared/app/context.js';
import { NotFoundError } from '#shared/errors/domain-errors.js';
import { normalizeEmail } from '#shared/identity/identity-provider.js';
import type { CheckInput } from '#shared/permissions/acl-schemas.js';
import { keys } from '#shared/store/keys.js';
import { knownFormat } from '#shared/store/records/item-format.js';
import {
  indexedMemberIdsOfEmail,
  type MemberStatus,
  memberStatusOf,
} from '#shared/store/records/member-record.js';
import {
  serviceAccountFromItem,
  serviceAccountPrincipal,
} from '#shared/store/records/service-account-record.js';
import type { Item, Key } from '#shared/store/table.js';

/** One subject of a request: what a check names, and the key read with the tenant state. */
interface Subject {
  kind: 'user' | 'serviceAccount' | 'email';
  id: string;
  key: Key;
}

/**
 * The subjects of a request by their identity (`u:`, `s:` or `e:` and the id), each once, and
 * each check's identity in the order of `checks` (`idOfCheck`), so that a batch works out each
 * check's subject once.
 */
export function checkSubjects(tenantId: string, checks: readonly CheckInput[]) {
  const subjects = new Map<string, Subject>();
  const idOfCheck = checks.map((c) => {
    const id = subjectIdOf(c);
    if (!subjects.has(id)) subjects.set(id, subjectOf(tenantId, c));
    return id;
  });
  return { subjects, idOfCheck };
}

function subjectOf(tenantId: string, c: CheckInput): Subject {
  if (c.serviceAccountId !== undefined) {
    const key = keys.serviceAccount(tenantId, c.serviceAccountId);
    return { kind: 'serviceAccount', id: c.serviceAccountId, key };
  }
  if (c.userId !== undefined) {
    return { kind: 'user', id: c.userId, key: keys.member(tenantId, c.userId) };
  }
  const email = normalizeEmail(c.email ?? '');
  return { kind: 'email', id: email, key: keys.memberEmail(tenantId, email) };
}

/** The identity of a check's subject in {@link checkSubjects}. */
export function subjectIdOf(c: CheckInput): string {
  return c.serviceAccountId !== undefined
    ? `s:${c.serviceAccountId}`
    : c.userId !== undefined
      ? `u:${c.userId}`
      : `e:${normalizeEmail(c.email ?? '')}`;
}

/**
 * The principal a check answers for: who it is, its status, and its item as stored. Its grants
 * are read from the item only when compiled (see `checkAccess`), so a member's packed rules are
 * not unpacked on every request.
 */
export interface CheckPrincipal {
  /** A member's userId, or a service account's principal id (`service-account:<id>`). */
  userId: string;
  status: MemberStatus;
  serviceAccount: boolean;
  /** The member or service-account item: its groups, role bindings and rules. */
  item: Item;
}

/** Throws `UnknownItemFormatError` for a member item of a format this version does not know. */
function memberPrincipal(item: Item): CheckPrincipal {
  knownFormat('member', item);
  return { userId: String(item.userId), status: memberStatusOf(item), serviceAccount: false, item };
}

function serviceAccountAsPrincipal(item: Item): CheckPrincipal {
  const sa = serviceAccountFromItem(item);
  const userId = serviceAccountPrincipal(sa.serviceAccountId);
  return { userId, status: sa.status, serviceAccount: true, item };
}

/**
 * The principal of each subject (undefined when there is none), from the items read with the
 * tenant state; emails read the members they name, all in one more request.
 */
export async function principalsOf(
  deps: StoreDeps,
  tenantId: string,
  subjects: Map<string, Subject>,
  items: Map<string, Item>,
): Promise<Map<string, CheckPrincipal | undefined>> {
  const principals = new Map<string, CheckPrincipal | undefined>();
  const owners = new Map<string, string>();
  const unindexed: [string, string][] = [];
  for (const [id, s] of subjects) {
    const item = deps.table.pick(items, s.key);
    if (s.kind === 'user') principals.set(id, item ? memberPrincipal(item) : undefined);
    else if (s.kind === 'serviceAccount') {
      principals.set(id, item ? serviceAccountAsPrincipal(item) : undefined);
    } else if (item) owners.set(id, String(item.userId));
    else unindexed.push([id, s.id]);
  }
  const ownerKeys = [...owners.values()]
    .map((userId) => keys.member(tenantId, userId))
    .filter((k) => !deps.table.pick(items, k));
  const [owned] = await Promise.all([
    ownerKeys.length ? deps.table.batchGet(ownerKeys) : new Map<string, Item>(),
    // Members from before the uniqueness item: the first one the index lists (404 if gone).
    ...unindexed.map(async ([id, email]) => {
      const [first] = await indexedMemberIdsOfEmail(deps.table, tenantId, email);
      if (first === undefined) return void principals.set(id, undefined);
      const item = await deps.table.get(keys.member(tenantId, first));
      if (!item) throw new NotFoundError(`Member '${first}' not found`);
      principals.set(id, memberPrincipal(item));
    }),
  ]);
  for (const [id, userId] of owners) {
    const key = keys.member(tenantId, userId);
    const item = deps.table.pick(owned, key) ?? deps.table.pick(items, key);
    principals.set(id, item ? memberPrincipal(item) : undefined);
  }
  return principals;
}
