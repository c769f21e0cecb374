/** The queries over invites: a tenant's listing, the invites one member sent, those of one email. */
import { keys } from '#shared/store/keys.js';
import { decodeCursor, encodeCursor, type Page } from '#shared/store/pagination.js';
import {
  type InviteRecord,
  type InviteStatus,
  inviteFromItem,
} from '#shared/store/records/invite-record.js';
import type { Table } from '#shared/store/table.js';

/** Whether the tenant has a member (pending or active) with this email, by the byEmail index. */
async function emailHasMember(table: Table, tenantId: string, email: string): Promise<boolean> {
  const page = await table.query({
    index: 'byEmail',
    partition: keys.memberByEmailPartition(tenantId),
    between: [email, email],
    limit: 1,
  });
  return page.items.length > 0;
}

/**
 * The emails among `emails` (normalized, at most 100) that the byEmail index lists a member
 * for: how members from before the email uniqueness item are found. One Query over the range of
 * the sorted addresses, filtered to them (`IN` takes up to 100 operands); when that range holds
 * more than `maxPages` pages, the addresses past the last page read are asked one by one.
 */
export async function indexedMemberEmails(
  table: Table,
  tenantId: string,
  emails: readonly string[],
  maxPages = 2,
): Promise<Set<string>> {
  const sorted = [...new Set(emails)].sort();
  const found = new Set<string>();
  const [first] = sorted;
  const last = sorted[sorted.length - 1];
  if (first === undefined || last === undefined) return found;
  const values = Object.fromEntries(sorted.map((e, i) => [`:e${i}`, e]));
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < maxPages; page++) {
    const res = await table.query({
      index: 'byEmail',
      partition: keys.memberByEmailPartition(tenantId),
      between: [first, last],
      filter: {
        if: `#email IN (${Object.keys(values).join(', ')})`,
        names: { '#email': 'email' },
        values,
      },
      attributes: ['email'],
      startKey,
    });
    for (const item of res.items) found.add(String(item.email));
    startKey = res.lastKey;
    if (!startKey) return found;
  }
  const rest = sorted.filter((e) => e >= String(startKey?.gsi2sk ?? ''));
  const listed = await Promise.all(rest.map((e) => emailHasMember(table, tenantId, e)));
  rest.forEach((e, i) => {
    if (listed[i]) found.add(e);
  });
  return found;
}

/** The filter of a listing by derived status at `now` (see `derivedStatus`). */
function statusFilter(status: InviteStatus | undefined, now: string) {
  if (!status) return undefined;
  const names = { '#s': 'status' };
  if (status === 'pending' || status === 'expired') {
    return {
      if: `#s = :pending AND expiresAt ${status === 'pending' ? '>' : '<='} :now AND attribute_not_exists(deliveryProblem)`,
      names,
      values: { ':pending': 'pending', ':now': now },
    };
  }
  if (status === 'bounced' || status === 'complained') {
    return {
      if: '#s = :pending AND deliveryProblem = :p',
      names,
      values: { ':pending': 'pending', ':p': status },
    };
  }
  return { if: '#s = :s', names, values: { ':s': status } };
}

/** A page of the tenant's invites, newest first, optionally of one derived status. */
export async function invitePage(
  table: Table,
  tenantId: string,
  query: { limit: number; cursor?: string; status?: InviteStatus },
  now: Date,
): Promise<Page<InviteRecord>> {
  const partition = keys.tenantPartition(tenantId);
  const filter = statusFilter(query.status, now.toISOString());
  const page = await table.queryFilled({
    partition,
    prefix: keys.invitePrefix,
    ...(filter ? { filter } : {}),
    newestFirst: true,
    limit: query.limit,
    startKey: decodeCursor(query.cursor, { pk: partition }, { sk: keys.invitePrefix }),
  });
  return { items: page.items.map(inviteFromItem), nextCursor: encodeCursor(page.lastKey) };
}

/** Every pending invite (expired ones included) `userId` sent in the tenant. */
export async function invitesSentBy(
  table: Table,
  tenantId: string,
  userId: string,
): Promise<InviteRecord[]> {
  const items = await table.queryAll({
    partition: keys.tenantPartition(tenantId),
    prefix: keys.invitePrefix,
    filter: {
      if: 'invitedBy = :u AND #s = :pending',
      names: { '#s': 'status' },
      values: { ':u': userId, ':pending': 'pending' },
    },
  });
  return items.map(inviteFromItem);
}

/** The pending (or expired, still stored) invites of `email` in the tenant, by the byEmail index. */
export async function pendingInvitesOf(
  table: Table,
  tenantId: string,
  email: string,
): Promise<{ inviteId: string; tokenHash: string }[]> {
  const page = await table.query({
    index: 'byEmail',
    partition: keys.inviteByEmailPartition(tenantId),
    prefix: `${email}#`,
    filter: { if: '#s = :pending', names: { '#s': 'status' }, values: { ':pending': 'pending' } },
  });
  return page.items.map((i) => ({ inviteId: String(i.inviteId), tokenHash: String(i.tokenHash) }));
}
