/**
 * Members: search (email, group, role, status: all done by the API), cursor paging; per member,
 * disable or enable, force logout, delete (asks first) and the effective permissions
 * (`#/members/<userId>`); bulk +Role / -Role / +Group / -Group on the selected rows with one
 * result per member. Each action is offered only when the viewer may take it.
 */
import { Fragment } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { useCan } from '../abilities.js';
import { type ApiClient, problemText } from '../api/client.js';
import { IdPicker, useTenantIds } from '../components/id-picker.js';
import { Alert, type ItemResult, ResultList, usePaged } from '../components/kit.js';
import { useRouteItem } from '../router.js';
import type { ScreenProps } from './index.js';
import { MemberPermissions } from './member-permissions.js';
import { MemberRow, type MemberRowData, type RowOffers, useRowHandlers } from './member-row.js';

type Row = MemberRowData;
type BulkAction = '+role' | '-role' | '+group' | '-group';

const MEMBER = '/v1/tenants/{tenantId}/members/{userId}' as const;
const MEMBER_ROLE = '/v1/tenants/{tenantId}/members/{userId}/roles/{roleId}' as const;
const GROUP_MEMBER = '/v1/tenants/{tenantId}/groups/{groupId}/members/{userId}' as const;

/** The bulk actions the viewer may take, each with the call it makes for one member. */
function useBulkActions(api: ApiClient, tenantId: string) {
  const can = useCan();
  const call = (action: BulkAction, userId: string, id: string) => {
    const path = { tenantId, userId };
    if (action === '+role')
      return api.PUT(MEMBER_ROLE, { params: { path: { ...path, roleId: id } }, body: {} });
    if (action === '-role')
      return api.DELETE(MEMBER_ROLE, { params: { path: { ...path, roleId: id } } });
    if (action === '+group')
      return api.PUT(GROUP_MEMBER, { params: { path: { ...path, groupId: id } } });
    return api.DELETE(GROUP_MEMBER, { params: { path: { ...path, groupId: id } } });
  };
  const allowed = {
    '+role': can('PUT', MEMBER_ROLE),
    '-role': can('DELETE', MEMBER_ROLE),
    '+group': can('PUT', GROUP_MEMBER),
    '-group': can('DELETE', GROUP_MEMBER),
  };
  return { call, allowed };
}

export function MembersScreen({ api, tenantId, me }: ScreenProps) {
  const can = useCan();
  const detail = useRouteItem();
  const [filters, setFilters] = useState({ email: '', group: '', role: '', status: '' });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [target, setTarget] = useState({ role: '', group: '' });
  const [results, setResults] = useState<ItemResult[]>([]);
  const [error, setError] = useState<string>();
  const roleIds = useTenantIds(api, tenantId, 'roles');
  const groupIds = useTenantIds(api, tenantId, 'groups');
  const bulk = useBulkActions(api, tenantId);
  const members = usePaged<Row>(
    (cursor) =>
      api.GET('/v1/tenants/{tenantId}/members', {
        params: {
          path: { tenantId },
          query: {
            limit: 50,
            ...(cursor ? { cursor } : {}),
            ...(filters.email ? { email: filters.email } : {}),
            ...(filters.group ? { group: filters.group } : {}),
            ...(filters.role ? { role: filters.role } : {}),
            ...(filters.status ? { status: filters.status as 'active' } : {}),
          },
        },
      }),
    'The members could not be loaded.',
  );
  const reload = () => {
    setSelected(new Set());
    return members.load();
  };

  useEffect(() => {
    void reload();
  }, [tenantId]);

  const toggle = (userId: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(userId)) next.delete(userId);
      else next.add(userId);
      return next;
    });

  async function runBulk(action: BulkAction) {
    const id = (action.endsWith('role') ? target.role : target.group).trim();
    if (!id) return setError(`Choose the ${action.endsWith('role') ? 'role' : 'group'} first.`);
    setError(undefined);
    const picked = members.items.filter((r) => selected.has(r.userId));
    const outcomes = await Promise.all(
      picked.map(async (member) => {
        const { error: problem, response } = await bulk.call(action, member.userId, id);
        return {
          label: member.email,
          ok: response.ok,
          text: response.ok ? 'done' : problemText(problem, `failed (${response.status})`),
        };
      }),
    );
    setResults(outcomes);
    await reload();
  }

  /** One member's action; its outcome is shown as a one-line result. */
  async function act(
    member: Row,
    done: string,
    request: Promise<{ response: Response; error?: unknown }>,
  ) {
    const { response, error: problem } = await request;
    setResults([
      { label: member.email, ok: response.ok, text: response.ok ? done : problemText(problem) },
    ]);
    if (response.ok) await reload();
  }

  const path = (m: Row) => ({ params: { path: { tenantId, userId: m.userId } } });
  const bulkOffered = Object.values(bulk.allowed).some(Boolean);
  const patch = can('PATCH', MEMBER);
  const logout = can('POST', `${MEMBER}/logout`);
  const remove = can('DELETE', MEMBER);
  // The same object while the abilities are, so memoised rows see no change.
  const offers = useMemo<RowOffers>(
    () => ({ select: bulkOffered, patch, logout, remove }),
    [bulkOffered, patch, logout, remove],
  );
  const rowActions = patch || logout || remove;
  const handlers = useRowHandlers({
    toggle,
    setStatus: (m, status) =>
      void act(m, status, api.PATCH(MEMBER, { ...path(m), body: { status } })),
    logout: (m) => void act(m, 'signed out of this tenant', api.POST(`${MEMBER}/logout`, path(m))),
    remove: (m) => void act(m, 'deleted', api.DELETE(MEMBER, path(m))),
  });
  const shownDetail = detail && can('GET', `${MEMBER}/permissions`, detail) ? detail : '';

  return (
    <section aria-labelledby="members-title">
      <h1 id="members-title">Members</h1>
      {shownDetail && (
        <MemberPermissions
          api={api}
          tenantId={tenantId}
          userId={shownDetail}
          email={members.items.find((m) => m.userId === shownDetail)?.email}
        />
      )}
      <form
        class="row"
        aria-label="Search members"
        onSubmit={(e) => {
          e.preventDefault();
          void reload();
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
      <Alert text={error ?? members.error} />
      {bulkOffered && (
        <fieldset class="row bulk-bar" disabled={selected.size === 0}>
          <legend>
            Change {selected.size} selected member{selected.size === 1 ? '' : 's'}
          </legend>
          {(['role', 'group'] as const).map((kind) => {
            const actions = ([`+${kind}`, `-${kind}`] as const).filter((a) => bulk.allowed[a]);
            if (actions.length === 0) return null;
            const label = kind === 'role' ? 'Role' : 'Group';
            return (
              <Fragment key={kind}>
                <IdPicker
                  id={`bulk-${kind}`}
                  label={`${label} to add or remove`}
                  options={kind === 'role' ? roleIds : groupIds}
                  value={target[kind]}
                  onChange={(id) => setTarget({ ...target, [kind]: id })}
                />
                {actions.map((action) => (
                  <button key={action} type="button" onClick={() => runBulk(action)}>
                    {action[0]}
                    {label}
                  </button>
                ))}
              </Fragment>
            );
          })}
        </fieldset>
      )}
      <ResultList title="Results" results={results} />
      <table>
        <caption class="visually-hidden">Members of {tenantId}</caption>
        <thead>
          <tr>
            {bulkOffered && (
              <th scope="col">
                <span class="visually-hidden">Select</span>
              </th>
            )}
            <th scope="col">Email</th>
            <th scope="col">Status</th>
            <th scope="col">Roles</th>
            <th scope="col">Groups</th>
            {rowActions && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {members.items.map((m) => (
            <MemberRow
              key={m.userId}
              m={m}
              self={m.userId === me.userId}
              selected={selected.has(m.userId)}
              linked={can('GET', `${MEMBER}/permissions`, m.userId)}
              offers={offers}
              actions={rowActions}
              handlers={handlers}
            />
          ))}
        </tbody>
      </table>
      {members.hasMore && (
        <button type="button" onClick={() => members.more()}>
          Load more
        </button>
      )}
    </section>
  );
}
