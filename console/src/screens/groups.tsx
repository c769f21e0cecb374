/**
 * Groups (DC/OS Organization > Groups): the tenant's groups page by page, create, rename,
 * delete; a group's members (add by email, remove) and its roles, bound on every resource or
 * only under a selected one (Elastic's "all" vs "selected" clusters).
 */
import { useEffect, useState } from 'preact/hooks';
import { useCan } from '../abilities.js';
import { fieldError, problemText } from '../api/client.js';
import type { paths } from '../api/schema.js';
import { Suggestions, TextField } from '../components/field.js';
import { useFocusOnOpen } from '../components/focus.js';
import { useTenantIds } from '../components/id-picker.js';
import { Alert, ConfirmButton, usePaged } from '../components/kit.js';
import { findMemberByEmail } from './access-terms.js';
import type { ScreenProps } from './index.js';
import { MemberEmailField } from './member-email-field.js';
import { bindingText, RoleBindingForm, RoleBindings } from './role-binding.js';

type Group =
  paths['/v1/tenants/{tenantId}/groups/{groupId}']['get']['responses'][200]['content']['application/json'];

/** Every member is in `everyone`: nobody is added to it or removed from it. */
const EVERYONE = 'everyone';

function CreateGroupForm({ api, tenantId, onCreated }: ScreenProps & { onCreated: () => void }) {
  const [form, setForm] = useState({ groupId: '', name: '', description: '' });
  const [problem, setProblem] = useState<unknown>();
  async function submit(e: Event) {
    e.preventDefault();
    const { data, error } = await api.POST('/v1/tenants/{tenantId}/groups', {
      params: { path: { tenantId } },
      body: {
        groupId: form.groupId.trim(),
        name: form.name.trim(),
        ...(form.description.trim() ? { description: form.description.trim() } : {}),
      },
    });
    setProblem(error);
    if (!data) return;
    setForm({ groupId: '', name: '', description: '' });
    onCreated();
  }
  const named = ['body.groupId', 'body.name', 'body.description'].some((p) =>
    fieldError(problem, p),
  );
  return (
    <form class="card" aria-label="New group" noValidate onSubmit={submit}>
      <h2>New group</h2>
      <div class="row">
        <TextField
          id="group-id"
          label="Group ID"
          hint="Lowercase letters, digits and dashes; it cannot change later."
          value={form.groupId}
          error={fieldError(problem, 'body.groupId')}
          onInput={(groupId) => setForm({ ...form, groupId })}
        />
        <TextField
          id="group-name"
          label="Name"
          value={form.name}
          error={fieldError(problem, 'body.name')}
          onInput={(name) => setForm({ ...form, name })}
        />
        <TextField
          id="group-description"
          label="Description (optional)"
          value={form.description}
          error={fieldError(problem, 'body.description')}
          onInput={(description) => setForm({ ...form, description })}
        />
      </div>
      {problem && !named ? <Alert text={problemText(problem)} /> : null}
      <button type="submit" class="primary">
        Create group
      </button>
    </form>
  );
}

function RenameGroupForm({
  api,
  tenantId,
  group,
  onSaved,
}: ScreenProps & { group: Group; onSaved: (g: Group) => void }) {
  const [form, setForm] = useState({ name: group.name, description: group.description ?? '' });
  const [problem, setProblem] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  useEffect(() => setForm({ name: group.name, description: group.description ?? '' }), [group]);
  async function submit(e: Event) {
    e.preventDefault();
    setSaved(false);
    const { data, error } = await api.PATCH('/v1/tenants/{tenantId}/groups/{groupId}', {
      params: { path: { tenantId, groupId: group.groupId } },
      body: { name: form.name.trim(), description: form.description.trim() },
    });
    setProblem(error);
    if (!data) return;
    setSaved(true);
    onSaved(data);
  }
  const named = fieldError(problem, 'body.name') || fieldError(problem, 'body.description');
  return (
    <form aria-label="Rename group" noValidate onSubmit={submit}>
      <div class="row">
        <TextField
          id="rename-name"
          label="Name"
          value={form.name}
          error={fieldError(problem, 'body.name')}
          onInput={(name) => setForm({ ...form, name })}
        />
        <TextField
          id="rename-description"
          label="Description"
          value={form.description}
          error={fieldError(problem, 'body.description')}
          onInput={(description) => setForm({ ...form, description })}
        />
        <button type="submit">Save name and description</button>
      </div>
      {problem && !named ? <Alert text={problemText(problem)} /> : null}
      <p aria-live="polite" class="ok">
        {saved ? 'Saved.' : ''}
      </p>
    </form>
  );
}

function GroupMembers({ api, tenantId, groupId }: ScreenProps & { groupId: string }) {
  const can = useCan();
  const members = usePaged(
    (cursor) =>
      api.GET('/v1/tenants/{tenantId}/members', {
        params: {
          path: { tenantId },
          query: { group: groupId, limit: 50, ...(cursor ? { cursor } : {}) },
        },
      }),
    'The group’s members could not be loaded.',
  );
  const [email, setEmail] = useState('');
  const [emailError, setEmailError] = useState<string>();
  const [failure, setFailure] = useState<string>();
  useEffect(() => {
    void members.load();
  }, [tenantId, groupId]);
  const path = '/v1/tenants/{tenantId}/groups/{groupId}/members/{userId}' as const;
  const editable = groupId !== EVERYONE;

  async function add(e: Event) {
    e.preventDefault();
    const found = await findMemberByEmail(api, tenantId, email);
    if ('error' in found) return setEmailError(found.error);
    const { response, error } = await api.PUT(path, {
      params: { path: { tenantId, groupId, userId: found.userId } },
    });
    if (!response.ok) return setEmailError(problemText(error));
    setEmailError(undefined);
    setEmail('');
    await members.load();
  }

  async function remove(userId: string) {
    const { response, error } = await api.DELETE(path, {
      params: { path: { tenantId, groupId, userId } },
    });
    setFailure(response.ok ? undefined : problemText(error));
    await members.load();
  }

  return (
    <section aria-labelledby="group-members-title">
      <h3 id="group-members-title">Members</h3>
      {!editable && <p>Every member of the tenant is in this group.</p>}
      {editable && can('PUT', path) && (
        <form class="row" aria-label="Add a member to the group" noValidate onSubmit={add}>
          <MemberEmailField
            api={api}
            tenantId={tenantId}
            id="group-member-email"
            label="Member’s email"
            value={email}
            error={emailError}
            onInput={setEmail}
          />
          <button type="submit">Add to group</button>
        </form>
      )}
      <Alert text={members.error ?? failure} />
      <ul class="plain">
        {members.items.map((m) => (
          <li key={m.userId}>
            {m.email}{' '}
            {editable && can('DELETE', path) && (
              <button type="button" onClick={() => remove(m.userId)}>
                Remove<span class="visually-hidden"> {m.email} from the group</span>
              </button>
            )}
          </li>
        ))}
        {members.items.length === 0 && !members.error && <li>No members yet.</li>}
      </ul>
      {members.hasMore && (
        <button type="button" onClick={members.more}>
          Load more members
        </button>
      )}
    </section>
  );
}

function GroupDetails(props: ScreenProps & { group: Group; onChanged: (g: Group) => void }) {
  const { api, tenantId, group, onChanged } = props;
  const heading = useFocusOnOpen<HTMLHeadingElement>();
  const can = useCan();
  const rolePath = '/v1/tenants/{tenantId}/groups/{groupId}/roles/{roleId}' as const;
  return (
    <section class="card" aria-labelledby="group-details-title">
      <h2 id="group-details-title" tabIndex={-1} ref={heading}>
        Group {group.name}
      </h2>
      {!group.builtIn && can('PATCH', '/v1/tenants/{tenantId}/groups/{groupId}') && (
        <RenameGroupForm {...props} onSaved={onChanged} />
      )}
      <GroupMembers {...props} groupId={group.groupId} />
      <h3>Rules granted to the group</h3>
      {group.rules.length === 0 ? (
        <p>None; grant some on the ACLs screen.</p>
      ) : (
        <ul class="plain" aria-label="Rules of the group">
          {group.rules.map((r) => (
            <li key={`${r.resource} ${r.action}`}>
              {r.action} on {r.resource}
            </li>
          ))}
        </ul>
      )}
      <h3>Roles</h3>
      <RoleBindings
        bindings={group.roles}
        onUnbind={
          can('DELETE', rolePath)
            ? async (roleId) => {
                const { response, error } = await api.DELETE(rolePath, {
                  params: { path: { tenantId, groupId: group.groupId, roleId } },
                });
                if (!response.ok) return problemText(error);
                const fresh = await api.GET('/v1/tenants/{tenantId}/groups/{groupId}', {
                  params: { path: { tenantId, groupId: group.groupId } },
                });
                if (fresh.data) onChanged(fresh.data);
                return undefined;
              }
            : undefined
        }
      />
      {can('PUT', rolePath) && (
        <RoleBindingForm
          idPrefix="group-role"
          onBind={async (roleId, scope) => {
            const { data, error } = await api.PUT(rolePath, {
              params: { path: { tenantId, groupId: group.groupId, roleId } },
              body: scope ? { scope } : {},
            });
            if (data) onChanged(data);
            return error;
          }}
        />
      )}
    </section>
  );
}

export function GroupsScreen(props: ScreenProps) {
  const { api, tenantId } = props;
  const can = useCan();
  const groups = usePaged(
    (cursor) =>
      api.GET('/v1/tenants/{tenantId}/groups', {
        params: { path: { tenantId }, query: { limit: 50, ...(cursor ? { cursor } : {}) } },
      }),
    'The groups could not be loaded.',
  );
  const [open, setOpen] = useState<Group>();
  const roleIds = useTenantIds(api, tenantId, 'roles') ?? [];
  const [failure, setFailure] = useState<string>();

  useEffect(() => {
    setOpen(undefined);
    void groups.load();
  }, [tenantId]);

  async function remove(group: Group) {
    const { response, error } = await api.DELETE('/v1/tenants/{tenantId}/groups/{groupId}', {
      params: { path: { tenantId, groupId: group.groupId } },
    });
    setFailure(response.ok ? undefined : problemText(error));
    if (response.ok && open?.groupId === group.groupId) setOpen(undefined);
    await groups.load();
  }

  return (
    <section aria-labelledby="groups-title">
      <h1 id="groups-title">Groups</h1>
      {can('POST', '/v1/tenants/{tenantId}/groups') && (
        <CreateGroupForm {...props} onCreated={() => void groups.load()} />
      )}
      <Alert text={groups.error ?? failure} />
      <Suggestions id="role-ids" values={roleIds} />
      <table>
        <caption class="visually-hidden">Groups of {tenantId}</caption>
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col">Description</th>
            <th scope="col">Roles</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {groups.items.map((g) => (
            <tr key={g.groupId} aria-current={open?.groupId === g.groupId ? 'true' : undefined}>
              <td>
                {g.name} <small>({g.groupId})</small>
                {g.builtIn && <small> built in</small>}
              </td>
              <td>{g.description}</td>
              <td>{g.roles.map(bindingText).join(', ')}</td>
              <td>
                <button type="button" onClick={() => setOpen(g)}>
                  Open<span class="visually-hidden"> group {g.name}</span>
                </button>{' '}
                {!g.builtIn && can('DELETE', '/v1/tenants/{tenantId}/groups/{groupId}') && (
                  <ConfirmButton
                    label="Delete"
                    question={`Delete group ${g.name}?`}
                    onConfirm={() => remove(g)}
                  />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {groups.hasMore && (
        <button type="button" onClick={groups.more}>
          Load more groups
        </button>
      )}
      {open && (
        <GroupDetails
          {...props}
          key={open.groupId}
          group={open}
          onChanged={(g) => {
            setOpen(g);
            void groups.load();
          }}
        />
      )}
    </section>
  );
}
