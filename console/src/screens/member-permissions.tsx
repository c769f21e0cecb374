/**
 * A member's effective permissions (`#/members/<userId>`), a page at a time, each with where it
 * comes from: granted directly, through a group, or through a role (on everything or a scope,
 * bound directly or through a group), as DC/OS shows direct and group grants apart.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ApiClient } from '../api/client.js';
import { Alert, usePaged } from '../components/kit.js';

interface Source {
  type: 'direct' | 'group' | 'role';
  groupId?: string;
  roleId?: string;
  scope?: string;
}
interface Permission {
  resource: string;
  action: string;
  source: Source;
}

/** Where a permission comes from, in plain words. */
export function sourceText(s: Source): string {
  if (s.type === 'direct') return 'Direct grant';
  if (s.type === 'group') return `Group ${s.groupId ?? ''}`;
  const scope = s.scope ? ` on ${s.scope}` : '';
  const via = s.groupId ? ` (through group ${s.groupId})` : '';
  return `Role ${s.roleId ?? ''}${scope}${via}`;
}

export function MemberPermissions(props: {
  api: ApiClient;
  tenantId: string;
  userId: string;
  email?: string;
}) {
  const { api, tenantId, userId, email } = props;
  const path = { tenantId, userId };
  const [summary, setSummary] = useState<{ superuser: boolean; total: number }>();
  const paged = usePaged<Permission>(async (cursor) => {
    const res = await api.GET('/v1/tenants/{tenantId}/members/{userId}/permissions', {
      params: { path, query: { limit: 50, ...(cursor ? { cursor } : {}) } },
    });
    if (res.data) setSummary({ superuser: res.data.superuser, total: res.data.total });
    return res;
  }, 'The permissions could not be loaded.');
  useEffect(() => {
    void paged.load();
  }, [tenantId, userId]);
  return (
    <section class="card" aria-labelledby="permissions-title">
      <h2 id="permissions-title">Effective permissions of {email ?? userId}</h2>
      <p>
        <a href="#/members">Back to all members</a>
      </p>
      <Alert text={paged.error} />
      {summary && (
        <p>
          {summary.superuser ? 'Superuser: every permission in this tenant. ' : ''}
          {summary.total} permission{summary.total === 1 ? '' : 's'} in all.
        </p>
      )}
      <table>
        <caption class="visually-hidden">Effective permissions of {email ?? userId}</caption>
        <thead>
          <tr>
            <th scope="col">Resource</th>
            <th scope="col">Action</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {paged.items.map((p) => (
            <tr key={`${p.resource} ${p.action} ${sourceText(p.source)}`}>
              <td>{p.resource}</td>
              <td>{p.action}</td>
              <td>{sourceText(p.source)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {paged.hasMore && (
        <button type="button" onClick={() => paged.more()}>
          Load more permissions
        </button>
      )}
    </section>
  );
}
