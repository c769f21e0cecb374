/** Finding members: by userId (or 404), by email, and by an identifier that may be either. */
import type { StoreDeps } from '#shared/app/context.js';
import { NotFoundError } from '#shared/errors/domain-errors.js';
import { normalizeEmail } from '#shared/identity/identity-provider.js';
import { found } from '#shared/principals/found.js';
import {
  type MemberRecord,
  memberIdsOfEmail,
  readMember,
} from '#shared/store/records/member-record.js';

/** Reads one member, strongly consistent, or throws 404. */
export async function loadMember(
  deps: StoreDeps,
  tenantId: string,
  userId: string,
): Promise<MemberRecord> {
  return found(await readMember(deps.table, tenantId, userId), `Member '${userId}' not found`);
}

/**
 * Finds the member (pending or active) of a (normalized) email: the one the email's uniqueness
 * item names, read strongly consistent. Members from before that item existed are found through
 * the byEmail index.
 */
export async function findMemberByEmail(
  deps: StoreDeps,
  tenantId: string,
  email: string,
): Promise<MemberRecord | undefined> {
  const holders = await memberIdsOfEmail(deps.table, tenantId, email);
  if ('owner' in holders) return readMember(deps.table, tenantId, holders.owner);
  const [first] = holders.indexed;
  return first === undefined ? undefined : loadMember(deps, tenantId, first);
}

export async function resolveMemberId(
  deps: StoreDeps,
  tenantId: string,
  identifier: string,
): Promise<string> {
  if (identifier.includes('@')) {
    const m = await findMemberByEmail(deps, tenantId, normalizeEmail(identifier));
    if (!m) throw new NotFoundError(`No member with email ${normalizeEmail(identifier)}`);
    return m.userId;
  }
  return (await loadMember(deps, tenantId, identifier)).userId;
}

/**
 * Every member an identifier names, for a forced logout: the userId's member, or the email's one
 * member (its uniqueness item). Members written before that item existed may share an email;
 * then every one of them is named, so a logout never misses the live one.
 */
export async function resolveMemberIds(
  deps: StoreDeps,
  tenantId: string,
  identifier: string,
): Promise<string[]> {
  if (!identifier.includes('@')) return [(await loadMember(deps, tenantId, identifier)).userId];
  const email = normalizeEmail(identifier);
  const holders = await memberIdsOfEmail(deps.table, tenantId, email);
  if ('owner' in holders) return [holders.owner];
  const ids = [...new Set(holders.indexed)].sort();
  if (!ids.length) throw new NotFoundError(`No member with email ${email}`);
  return ids;
}
