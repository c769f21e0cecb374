/**
 * Roles (Wavefront's roles, e.g. "Interns" with one permission): each a named set of
 * permissions (resource + action rows). List, create, edit, delete, and where a role is bound
 * (the groups carrying it, the members holding it).
 */
import { useEffect, useState } from 'preact/hooks';
import { useCan } from '../abilities.js';
import { fieldError, problemText } from '../api/client.js';
import type { paths } from '../api/schema.js';
import { SelectField, TextField } from '../components/field.js';
import { useFocusOnOpen } from '../components/focus.js';
import { type GroupItem, useTenantList } from '../components/id-picker.js';
import { Alert, ConfirmButton, usePaged } from '../components/kit.js';
import { ACTIONS, type Action } from './access-terms.js';
import type { ScreenProps } from './index.js';

type Role =
  paths['/v1/tenants/{tenantId}/roles/{roleId}']['get']['responses'][200]['content']['application/json'];
interface Row {
  /** Keeps a row's fields its own while rows above it are removed. */
  key: number;
  resource: string;
  action: Action;
}

let nextKey = 0;
const row = (resource = '', action: Action = 'read'): Row => ({ key: nextKey++, resource, action });

/** Create (no `role`) or edit a role; errors show next to the field or row they name. */
function RoleForm({
  api,
  tenantId,
  role,
  onDone,
}: ScreenProps & { role?: Role; onDone: () => void }) {
  const [roleId, setRoleId] = useState('');
  const [name, setName] = useState(role?.name ?? '');
  const [rows, setRows] = useState<Row[]>(
    role ? role.permissions.map((p) => row(p.resource, p.action)) : [row()],
  );
  const [problem, setProblem] = useState<unknown>();
  const heading = useFocusOnOpen<HTMLHeadingElement>(role !== undefined);
  const setRow = (i: number, change: Partial<Row>) =>
    setRows(rows.map((r, j) => (j === i ? { ...r, ...change } : r)));

  async function submit(e: Event) {
    e.preventDefault();
    const permissions = rows.map(({ resource, action }) => ({ resource: resource.trim(), action }));
    const { error, response } = role
      ? await api.PUT('/v1/tenants/{tenantId}/roles/{roleId}', {
          params: { path: { tenantId, roleId: role.roleId } },
          body: { name: name.trim(), permissions },
        })
      : await api.POST('/v1/tenants/{tenantId}/roles', {
          params: { path: { tenantId } },
          body: { roleId: roleId.trim(), name: name.trim(), permissions },
        });
    setProblem(error);
    if (!response.ok) return;
    if (!role) {
      setRoleId('');
      setName('');
      setRows([row()]);
    }
    onDone();
  }

  const errorOf = (path: string) => fieldError(problem, path);
  const shown = (problem as { errors?: { path?: string }[] } | undefined)?.errors?.some((e) =>
    /^body\.(roleId|name|permissions\.\d+\.(resource|action))$/.test(e.path ?? ''),
  );
  const title = role ? `Edit role ${role.name}` : 'New role';
  return (
    <form class="card" aria-label={title} noValidate onSubmit={submit}>
      <h2 tabIndex={-1} ref={heading}>
        {title}
      </h2>
      <div class="row">
        {!role && (
          <TextField
            id="role-id"
            label="Role ID"
            hint="Lowercase letters, digits and dashes; it cannot change later."
            value={roleId}
            error={errorOf('body.roleId')}
            onInput={setRoleId}
          />
        )}
        <TextField
          id="role-name"
          label="Name"
          value={name}
          error={errorOf('body.name')}
          onInput={setName}
        />
      </div>
      <fieldset>
        <legend>Permissions</legend>
        {rows.map((r, i) => (
          <div class="row" key={r.key}>
            <TextField
              id={`perm-${r.key}-resource`}
              label={`Resource ${i + 1}`}
              value={r.resource}
              error={errorOf(`body.permissions.${i}.resource`)}
              onInput={(resource) => setRow(i, { resource })}
            />
            <SelectField
              id={`perm-${r.key}-action`}
              label={`Action ${i + 1}`}
              value={r.action}
              options={ACTIONS}
              error={errorOf(`body.permissions.${i}.action`)}
              onInput={(action) => setRow(i, { action: action as Action })}
            />
            <button
              type="button"
              disabled={rows.length === 1}
              onClick={() => setRows(rows.filter((_, j) => j !== i))}
            >
              Remove<span class="visually-hidden"> permission {i + 1}</span>
            </button>
          </div>
        ))}
        <button type="button" onClick={() => setRows([...rows, row()])}>
          Add a permission
        </button>
      </fieldset>
      <Alert text={problem && !shown ? problemText(problem) : undefined} />
      <div class="row">
        <button type="submit" class="primary">
          {role ? 'Save role' : 'Create role'}
        </button>
        {role && (
          <button type="button" onClick={onDone}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

/** Who holds a role: the groups that carry it (from the loaded groups) and its members. */
function WhereBound({
  api,
  tenantId,
  role,
  groups,
}: ScreenProps & { role: Role; groups: Group[] }) {
  const can = useCan();
  const listsMembers = can('GET', '/v1/tenants/{tenantId}/members');
  const [members, setMembers] = useState<string>();
  const carrying = groups.filter((g) => g.roles.some((b) => b.roleId === role.roleId));
  useEffect(() => {
    if (!listsMembers) return;
    void api
      .GET('/v1/tenants/{tenantId}/members', {
        params: { path: { tenantId }, query: { role: role.roleId, limit: 25 } },
      })
      .then(({ data, error }) =>
        setMembers(
          data
            ? data.items.map((m) => m.email).join(', ') + (data.nextCursor ? ' and more' : '') ||
                'none'
            : problemText(error, 'could not be loaded'),
        ),
      );
  }, [role.roleId]);
  return (
    <p aria-live="polite">
      Groups:{' '}
      {carrying
        .flatMap((g) =>
          g.roles
            .filter((b) => b.roleId === role.roleId)
            .map((b) => (b.scope ? `${g.groupId} (only under ${b.scope})` : g.groupId)),
        )
        .join(', ') || 'none'}
      .{listsMembers && ` Members given it directly: ${members ?? 'loading…'}`}
    </p>
  );
}

type Group = GroupItem;

export function RolesScreen(props: ScreenProps) {
  const { api, tenantId } = props;
  const can = useCan();
  const roles = usePaged(
    (cursor) =>
      api.GET('/v1/tenants/{tenantId}/roles', {
        params: { path: { tenantId }, query: { limit: 50, ...(cursor ? { cursor } : {}) } },
      }),
    'The roles could not be loaded.',
  );
  const groups = useTenantList(api, tenantId, 'groups') ?? [];
  const [editing, setEditing] = useState<Role>();
  const [bound, setBound] = useState<string>();
  const [failure, setFailure] = useState<string>();
  const rolePath = '/v1/tenants/{tenantId}/roles/{roleId}' as const;

  useEffect(() => {
    setEditing(undefined);
    void roles.load();
  }, [tenantId]);

  async function remove(role: Role) {
    const { response, error } = await api.DELETE(rolePath, {
      params: { path: { tenantId, roleId: role.roleId } },
    });
    setFailure(response.ok ? undefined : problemText(error));
    await roles.load();
  }

  return (
    <section aria-labelledby="roles-title">
      <h1 id="roles-title">Roles</h1>
      {editing ? (
        <RoleForm
          {...props}
          key={editing.roleId}
          role={editing}
          onDone={() => {
            setEditing(undefined);
            void roles.load();
          }}
        />
      ) : (
        can('POST', '/v1/tenants/{tenantId}/roles') && (
          <RoleForm {...props} onDone={() => void roles.load()} />
        )
      )}
      <Alert text={roles.error ?? failure} />
      <table>
        <caption class="visually-hidden">Roles of {tenantId}</caption>
        <thead>
          <tr>
            <th scope="col">Role</th>
            <th scope="col">Permissions</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {roles.items.map((r) => (
            <tr key={r.roleId}>
              <td>
                {r.name} <small>({r.roleId})</small>
                {r.builtIn && <small> built in</small>}
              </td>
              <td>
                <ul class="plain">
                  {r.permissions.map((p) => (
                    <li key={`${p.resource} ${p.action}`}>
                      {p.action} on {p.resource}
                    </li>
                  ))}
                </ul>
                {bound === r.roleId && <WhereBound {...props} role={r} groups={groups} />}
              </td>
              <td>
                <button
                  type="button"
                  onClick={() => setBound(bound === r.roleId ? undefined : r.roleId)}
                >
                  Where bound<span class="visually-hidden"> role {r.name}</span>
                </button>{' '}
                {!r.builtIn && can('PUT', rolePath) && (
                  <button type="button" onClick={() => setEditing(r)}>
                    Edit<span class="visually-hidden"> role {r.name}</span>
                  </button>
                )}{' '}
                {!r.builtIn && can('DELETE', rolePath) && (
                  <ConfirmButton
                    label="Delete"
                    question={`Delete role ${r.name}?`}
                    onConfirm={() => remove(r)}
                  />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {roles.hasMore && (
        <button type="button" onClick={roles.more}>
          Load more roles
        </button>
      )}
    </section>
  );
}
