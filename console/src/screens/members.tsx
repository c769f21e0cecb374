/**
 * Members: search (email, group, role; status on the loaded rows), cursor paging, and bulk
 * +Role / -Role / +Group / -Group on the selected rows with one result per member.
 */
import { useEffect, useState } from 'preact/hooks';
import { type ApiClient, problemText } from '../api/client.js';
import { type ItemResult, ResultList } from '../components/kit.js';

type Row = {
  userId: string;
  email: string;
  status: string;
  groups: string[];
  roles: { roleId: string; scope?: string }[];
};
type BulkAction = '+role' | '-role' | '+group' | '-group';

interface Props {
  api: ApiClient;
  tenantId: string;
}

export function MembersScreen({ api, tenantId }: Props) {
  const [filters, setFilters] = useState({ email: '', group: '', role: '', status: '' });
  const [rows, setRows] = useState<Row[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [target, setTarget] = useState('');
  const [results, setResults] = useState<ItemResult[]>([]);

  async function load(after?: string) {
    setError(undefined);
    if (!after) setSelected(new Set());
    const { data, error: problem } = await api.GET('/v1/tenants/{tenantId}/members', {
      params: {
        path: { tenantId },
        query: {
          limit: 50,
          ...(after ? { cursor: after } : {}),
          ...(filters.email ? { email: filters.email } : {}),
          ...(filters.group ? { group: filters.group } : {}),
          ...(filters.role ? { role: filters.role } : {}),
        },
      },
    });
    if (!data) return setError(problemText(problem, 'The members could not be loaded.'));
    setRows((previous) => [...(after ? previous : []), ...(data.items as Row[])]);
    setCursor(data.nextCursor);
  }

  useEffect(() => {
    void load();
  }, [tenantId]);

  const shown = rows.filter((r) => !filters.status || r.status === filters.status);
  const toggle = (userId: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(userId)) next.delete(userId);
      else next.add(userId);
      return next;
    });

  async function runBulk(action: BulkAction) {
    const id = target.trim();
    if (!id) return setError('Enter the role or group to add or remove.');
    const picked = rows.filter((r) => selected.has(r.userId));
    const outcomes = await Promise.all(
      picked.map(async (member) => {
        const path = { tenantId, userId: member.userId };
        const call =
          action === '+role'
            ? api.PUT('/v1/tenants/{tenantId}/members/{userId}/roles/{roleId}', {
                params: { path: { ...path, roleId: id } },
                body: {},
              })
            : action === '-role'
              ? api.DELETE('/v1/tenants/{tenantId}/members/{userId}/roles/{roleId}', {
                  params: { path: { ...path, roleId: id } },
                })
              : action === '+group'
                ? api.PUT('/v1/tenants/{tenantId}/groups/{groupId}/members/{userId}', {
                    params: { path: { ...path, groupId: id } },
                  })
                : api.DELETE('/v1/tenants/{tenantId}/groups/{groupId}/members/{userId}', {
                    params: { path: { ...path, groupId: id } },
                  });
        const { error: problem, response } = await call;
        return {
          label: member.email,
          ok: response.ok,
          text: response.ok ? 'done' : problemText(problem, `failed (${response.status})`),
        };
      }),
    );
    setResults(outcomes);
    await load();
  }

  return (
    <section aria-labelledby="members-title">
      <h1 id="members-title">Members</h1>
      <form
        class="row"
        aria-label="Search members"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        {(['email', 'group', 'role'] as const).map((name) => (
          <div class="field" key={name}>
            <label for={`filter-${name}`}>{name[0]?.toUpperCase() + name.slice(1)}</label>
            <input
              id={`filter-${name}`}
              value={filters[name]}
              onInput={(e) => setFilters({ ...filters, [name]: e.currentTarget.value })}
            />
          </div>
        ))}
        <div class="field">
          <label for="filter-status">Status</label>
          <select
            id="filter-status"
            value={filters.status}
            onChange={(e) => setFilters({ ...filters, status: e.currentTarget.value })}
          >
            <option value="">Any</option>
            <option value="active">Active</option>
            <option value="pending">Pending</option>
            <option value="disabled">Disabled</option>
          </select>
        </div>
        <button type="submit" class="primary">
          Search
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <fieldset class="row" disabled={selected.size === 0}>
        <legend>
          Change {selected.size} selected member{selected.size === 1 ? '' : 's'}
        </legend>
        <div class="field">
          <label for="bulk-target">Role or group</label>
          <input
            id="bulk-target"
            value={target}
            onInput={(e) => setTarget(e.currentTarget.value)}
          />
        </div>
        <button type="button" onClick={() => runBulk('+role')}>
          +Role
        </button>
        <button type="button" onClick={() => runBulk('-role')}>
          -Role
        </button>
        <button type="button" onClick={() => runBulk('+group')}>
          +Group
        </button>
        <button type="button" onClick={() => runBulk('-group')}>
          -Group
        </button>
      </fieldset>
      <ResultList title="Results" results={results} />
      <table>
        <caption class="visually-hidden">Members of {tenantId}</caption>
        <thead>
          <tr>
            <th scope="col">
              <span class="visually-hidden">Select</span>
            </th>
            <th scope="col">Email</th>
            <th scope="col">Status</th>
            <th scope="col">Roles</th>
            <th scope="col">Groups</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((m) => (
            <tr key={m.userId}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select ${m.email}`}
                  checked={selected.has(m.userId)}
                  onChange={() => toggle(m.userId)}
                />
              </td>
              <td>{m.email}</td>
              <td>{m.status}</td>
              <td>
                {m.roles.map((r) => (r.scope ? `${r.roleId} on ${r.scope}` : r.roleId)).join(', ')}
              </td>
              <td>{m.groups.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {cursor && (
        <button type="button" onClick={() => load(cursor)}>
          Load more
        </button>
      )}
    </section>
  );
}
