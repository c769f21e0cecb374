/** A principal's effective permissions as the permissions listings show them, one page at a time. */
import {
  type CompiledPolicy,
  compilePrincipal,
  effectiveRules,
  isSuperuser,
} from '#shared/acl/engine.js';
import type { PrincipalGrants } from '#shared/acl/types.js';
import { offsetPage } from '#shared/store/pagination.js';

/** Whether the grants make a superuser, how many rules they give, and one page of those rules. */
export function permissionsPage(
  compiled: CompiledPolicy,
  grants: PrincipalGrants,
  query: { limit: number; cursor?: string },
) {
  const set = compilePrincipal(compiled, grants);
  const all = effectiveRules(set);
  return { superuser: isSuperuser(set), total: all.length, ...offsetPage(all, query) };
}
