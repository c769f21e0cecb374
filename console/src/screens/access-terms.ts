/**
 * What the access screens (groups, roles, ACLs, namespaces, check) share: the actions a rule
 * may carry, finding a member by email, and the resources whose rules a resource inherits.
 */

import { ancestorsOf } from '#shared/acl/resource.js';
import { type ApiClient, problemText } from '../api/client.js';

/** The actions of a rule, as the API spells them (`full` is all of them). */
export const ACTIONS = ['read', 'create', 'update', 'delete', 'full'] as const;
export type Action = (typeof ACTIONS)[number];

/** A member found by email, or the reason none was (a sentence for the email field). */
export type MemberLookup = { userId: string; email: string } | { error: string };

/** The member with exactly this email (the list's email search matches a prefix). */
export async function findMemberByEmail(
  api: ApiClient,
  tenantId: string,
  email: string,
): Promise<MemberLookup> {
  const wanted = email.trim().toLowerCase();
  if (!wanted) return { error: 'Enter the member’s email address.' };
  const { data, error } = await api.GET('/v1/tenants/{tenantId}/members', {
    params: { path: { tenantId }, query: { email: wanted, limit: 25 } },
  });
  if (!data) return { error: problemText(error, 'The members could not be searched.') };
  const found = data.items.find((m) => m.email === wanted);
  return found
    ? { userId: found.userId, email: found.email }
    : { error: `No member of this tenant has the email ${wanted}.` };
}

/**
 * The resources above `resource` whose rules also apply to it, nearest last
 * (`a:b/c` -> `a`, `a:b`): a rule on a resource covers everything under it.
 */
export function inheritedFrom(resource: string): string[] {
  return ancestorsOf(resource).slice(0, -1);
}

/** `user:<id>` or `group:<id>` (the ACL list's principal) split into its kind and id. */
export function splitPrincipal(principal: string): { kind: string; id: string } {
  const at = principal.indexOf(':');
  return at < 0
    ? { kind: '', id: principal }
    : { kind: principal.slice(0, at), id: principal.slice(at + 1) };
}
