/**
 * Members' emails for the user ids a screen shows (ACL rules, audit actors): one read per member
 * not yet known, only when the viewer may read members; an id that is no member (or could not be
 * read) stays shown as the id.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useCan } from '../abilities.js';
import type { ApiClient } from '../api/client.js';

const MEMBER = '/v1/tenants/{tenantId}/members/{userId}' as const;

/** `userId -> email` for `userIds` (ids with `:` such as `service-account:x` are not members). */
export function useMemberEmails(
  api: ApiClient,
  tenantId: string,
  userIds: readonly string[],
): Record<string, string> {
  const can = useCan();
  const readable = can('GET', MEMBER);
  const [emails, setEmails] = useState<Record<string, string>>({});
  // Ids asked for already (answered or still in flight): each is read once.
  const asked = useRef(new Set<string>());
  const wanted = [...new Set(userIds)].filter(
    (id) => id && !id.includes(':') && !asked.current.has(id),
  );
  const key = wanted.join(' ');
  useEffect(() => {
    if (!readable) return;
    for (const userId of wanted) asked.current.add(userId);
    for (const userId of wanted)
      void api
        .GET(MEMBER, { params: { path: { tenantId, userId } } })
        .then(({ data }) => setEmails((known) => ({ ...known, [userId]: data?.email ?? userId })));
  }, [tenantId, readable, key]);
  return emails;
}
