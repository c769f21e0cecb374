/**
 * Service accounts: list (cursor paging), create, delete; for the one opened, bind and unbind
 * roles and groups, enable or disable it, and its API tokens: mint (the secret shown once, with
 * Copy), list (never a secret), revoke.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useCan } from '../abilities.js';
import { type ApiClient, fieldError, problemText } from '../api/client.js';
import type { paths } from '../api/schema.js';
import { TextField } from '../components/field.js';
import { Alert, ConfirmButton, usePaged } from '../components/kit.js';
import { LocalTime } from '../components/time.js';
import { type MintedToken, MintTokenForm, SecretOnce, TokenTable } from '../components/tokens.js';
import type { ScreenProps } from './index.js';
import { ServiceAccountRules } from './service-account-rules.js';

type Account =
  paths['/v1/tenants/{tenantId}/service-accounts/{serviceAccountId}']['get']['responses'][200]['content']['application/json'];

const roleText = (r: Account['roles'][number]) =>
  r.scope ? `${r.roleId} on ${r.scope}` : r.roleId;

function CreateAccountForm({
  api,
  tenantId,
  onCreated,
}: {
  api: ApiClient;
  tenantId: string;
  onCreated: (account: Account) => void;
}) {
  const [form, setForm] = useState({ serviceAccountId: '', name: '', description: '' });
  const [problem, setProblem] = useState<unknown>();
  async function submit(e: Event) {
    e.preventDefault();
    const { data, error } = await api.POST('/v1/tenants/{tenantId}/service-accounts', {
      params: { path: { tenantId } },
      body: {
        serviceAccountId: form.serviceAccountId.trim(),
        name: form.name.trim(),
        ...(form.description.trim() ? { description: form.description.trim() } : {}),
      },
    });
    if (!data) return setProblem(error);
    setProblem(undefined);
    setForm({ serviceAccountId: '', name: '', description: '' });
    onCreated(data);
  }
  const named = ['serviceAccountId', 'name', 'description'].some((f) =>
    fieldError(problem, `body.${f}`),
  );
  return (
    <form class="card" onSubmit={submit} noValidate>
      <h2>New service account</h2>
      <div class="row">
        <TextField
          id="sa-id"
          label="ID"
          value={form.serviceAccountId}
          onInput={(v) => setForm({ ...form, serviceAccountId: v })}
          error={fieldError(problem, 'body.serviceAccountId')}
          hint="Lowercase letters, digits, - and _, e.g. ci-deployer"
        />
        <TextField
          id="sa-name"
          label="Name"
          value={form.name}
          onInput={(v) => setForm({ ...form, name: v })}
          error={fieldError(problem, 'body.name')}
        />
        <TextField
          id="sa-description"
          label="Description (optional)"
          value={form.description}
          onInput={(v) => setForm({ ...form, description: v })}
          error={fieldError(problem, 'body.description')}
        />
      </div>
      {problem !== undefined && !named && <Alert text={problemText(problem)} />}
      <button type="submit" class="primary">
        Create service account
      </button>
    </form>
  );
}

/** What the account is bound to (roles or groups), each removable when `onRemove` is given. */
function Bindings({
  title,
  items,
  removeText,
  onRemove,
}: {
  title: string;
  items: { id: string; text: string }[];
  /** The remove button's words: what it shows, and what a screen reader hears after it. */
  removeText: (id: string) => [string, string];
  onRemove?: (id: string) => unknown;
}) {
  return (
    <>
      <h3>{title}</h3>
      <ul aria-label={title}>
        {items.length === 0 && <li>none</li>}
        {items.map(({ id, text }) => {
          const [shown, hidden] = removeText(id);
          return (
            <li key={text}>
              {text}{' '}
              {onRemove && (
                <button type="button" onClick={() => onRemove(id)}>
                  {shown}
                  <span class="visually-hidden"> {hidden}</span>
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </>
  );
}

/** One account opened: its roles, groups, direct rules, status and tokens. */
function AccountDetail({
  api,
  tenantId,
  accountId,
  onChanged,
  onClose,
}: {
  api: ApiClient;
  tenantId: string;
  accountId: string;
  onChanged: () => void;
  onClose: () => void;
}) {
  const can = useCan();
  const [account, setAccount] = useState<Account>();
  const [error, setError] = useState<string>();
  const [role, setRole] = useState({ roleId: '', scope: '' });
  const [groupId, setGroupId] = useState('');
  const [minted, setMinted] = useState<MintedToken>();
  const heading = useRef<HTMLHeadingElement>(null);
  const path = { tenantId, serviceAccountId: accountId };
  const tokens = usePaged(
    (cursor) =>
      api.GET('/v1/tenants/{tenantId}/service-accounts/{serviceAccountId}/tokens', {
        params: { path, query: { limit: 25, ...(cursor ? { cursor } : {}) } },
      }),
    'The tokens could not be loaded.',
  );

  async function load() {
    const { data, error: problem } = await api.GET(
      '/v1/tenants/{tenantId}/service-accounts/{serviceAccountId}',
      { params: { path } },
    );
    if (!data) return setError(problemText(problem, 'The service account could not be loaded.'));
    setAccount(data);
  }

  useEffect(() => {
    setMinted(undefined);
    setError(undefined);
    void load();
    void tokens.load();
    heading.current?.focus();
  }, [tenantId, accountId]);

  /** Runs one change, then shows its problem (if any) and the account as it now is. */
  async function change(call: Promise<{ response: Response; error?: unknown }>) {
    const { response, error: problem } = await call;
    setError(response.ok ? undefined : problemText(problem, `failed (${response.status})`));
    await load();
    onChanged();
    return response.ok;
  }

  const rolePath = '/v1/tenants/{tenantId}/service-accounts/{serviceAccountId}/roles/{roleId}';
  const groupPath = '/v1/tenants/{tenantId}/service-accounts/{serviceAccountId}/groups/{groupId}';
  const tokenPath = '/v1/tenants/{tenantId}/service-accounts/{serviceAccountId}/tokens/{tokenId}';
  const title = account ? `${account.name} (${account.serviceAccountId})` : accountId;
  return (
    <section class="card" aria-labelledby="sa-detail-title">
      <div class="row">
        <h2 id="sa-detail-title" tabIndex={-1} ref={heading}>
          {title}
        </h2>
        <button type="button" onClick={onClose}>
          Close<span class="visually-hidden"> {title}</span>
        </button>
      </div>
      <Alert text={error} />
      {account && (
        <>
          {account.description && <p>{account.description}</p>}
          <p>
            Status: <strong>{account.status}</strong>{' '}
            {can('PATCH', '/v1/tenants/{tenantId}/service-accounts/{serviceAccountId}') && (
              <button
                type="button"
                onClick={() =>
                  change(
                    api.PATCH('/v1/tenants/{tenantId}/service-accounts/{serviceAccountId}', {
                      params: { path },
                      body: { status: account.status === 'active' ? 'disabled' : 'active' },
                    }),
                  )
                }
              >
                {account.status === 'active' ? 'Disable (its tokens stop)' : 'Enable'}
              </button>
            )}
          </p>
          <Bindings
            title="Roles"
            items={account.roles.map((r) => ({ id: r.roleId, text: roleText(r) }))}
            removeText={(id) => ['Unbind', `role ${id}`]}
            onRemove={
              can('DELETE', rolePath)
                ? (roleId) =>
                    change(api.DELETE(rolePath, { params: { path: { ...path, roleId } } }))
                : undefined
            }
          />
          {can('PUT', rolePath) && (
            <form
              class="row"
              aria-label="Bind a role"
              onSubmit={async (e) => {
                e.preventDefault();
                if (!role.roleId.trim()) return setError('Enter the role to bind.');
                const scope = role.scope.trim();
                const ok = await change(
                  api.PUT(rolePath, {
                    params: { path: { ...path, roleId: role.roleId.trim() } },
                    body: scope ? { scope } : {},
                  }),
                );
                if (ok) setRole({ roleId: '', scope: '' });
              }}
            >
              <TextField
                id="sa-role"
                label="Role"
                value={role.roleId}
                onInput={(v) => setRole({ ...role, roleId: v })}
              />
              <TextField
                id="sa-role-scope"
                label="Only under resource (optional)"
                value={role.scope}
                onInput={(v) => setRole({ ...role, scope: v })}
              />
              <button type="submit">Bind role</button>
            </form>
          )}
          <Bindings
            title="Groups"
            items={account.groups.map((g) => ({ id: g, text: g }))}
            removeText={(id) => ['Remove', `from group ${id}`]}
            onRemove={
              can('DELETE', groupPath)
                ? (groupId) =>
                    change(api.DELETE(groupPath, { params: { path: { ...path, groupId } } }))
                : undefined
            }
          />
          {can('PUT', groupPath) && (
            <form
              class="row"
              aria-label="Add to a group"
              onSubmit={async (e) => {
                e.preventDefault();
                if (!groupId.trim()) return setError('Enter the group to add it to.');
                const ok = await change(
                  api.PUT(groupPath, { params: { path: { ...path, groupId: groupId.trim() } } }),
                );
                if (ok) setGroupId('');
              }}
            >
              <TextField id="sa-group" label="Group" value={groupId} onInput={setGroupId} />
              <button type="submit">Add to group</button>
            </form>
          )}
          <ServiceAccountRules
            api={api}
            tenantId={tenantId}
            serviceAccountId={accountId}
            rules={account.rules}
            onChanged={async () => {
              await load();
              onChanged();
            }}
          />
        </>
      )}
      <h3>Tokens</h3>
      {can('POST', '/v1/tenants/{tenantId}/service-accounts/{serviceAccountId}/tokens') && (
        <MintTokenForm
          idPrefix="sa-token"
          mint={(body) =>
            api.POST('/v1/tenants/{tenantId}/service-accounts/{serviceAccountId}/tokens', {
              params: { path },
              body,
            })
          }
          onMinted={(token) => {
            setMinted(token);
            void tokens.load();
          }}
        />
      )}
      {minted && <SecretOnce minted={minted} onDone={() => setMinted(undefined)} />}
      <Alert text={tokens.error} />
      <TokenTable
        caption={`Tokens of ${title}`}
        rows={tokens.items}
        onRevoke={
          can('DELETE', tokenPath)
            ? async (t) => {
                const { response, error: problem } = await api.DELETE(tokenPath, {
                  params: { path: { ...path, tokenId: t.tokenId } },
                });
                setError(response.ok ? undefined : problemText(problem));
                await tokens.load();
              }
            : undefined
        }
      />
      {tokens.hasMore && (
        <button type="button" onClick={tokens.more}>
          More tokens
        </button>
      )}
    </section>
  );
}

export function ServiceAccountsScreen({ api, tenantId }: ScreenProps) {
  const can = useCan();
  const [opened, setOpened] = useState<string>();
  const [error, setError] = useState<string>();
  const accounts = usePaged(
    (cursor) =>
      api.GET('/v1/tenants/{tenantId}/service-accounts', {
        params: { path: { tenantId }, query: { limit: 25, ...(cursor ? { cursor } : {}) } },
      }),
    'The service accounts could not be loaded.',
  );

  useEffect(() => {
    setOpened(undefined);
    void accounts.load();
  }, [tenantId]);

  async function remove(account: Account) {
    const { response, error: problem } = await api.DELETE(
      '/v1/tenants/{tenantId}/service-accounts/{serviceAccountId}',
      { params: { path: { tenantId, serviceAccountId: account.serviceAccountId } } },
    );
    setError(response.ok ? undefined : problemText(problem));
    if (response.ok && opened === account.serviceAccountId) setOpened(undefined);
    await accounts.load();
  }

  return (
    <section aria-labelledby="sa-title">
      <h1 id="sa-title">Service accounts</h1>
      <p>
        Non-human principals (a CI job, a backend) that call APIs with API tokens. They get roles,
        groups and rules like members, never more than you hold.
      </p>
      {can('POST', '/v1/tenants/{tenantId}/service-accounts') && (
        <CreateAccountForm
          api={api}
          tenantId={tenantId}
          onCreated={(account) => {
            setOpened(account.serviceAccountId);
            void accounts.load();
          }}
        />
      )}
      <Alert text={error ?? accounts.error} />
      {accounts.items.length === 0 ? (
        <p>No service accounts yet.</p>
      ) : (
        <table>
          <caption class="visually-hidden">Service accounts of {tenantId}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">ID</th>
              <th scope="col">Status</th>
              <th scope="col">Roles</th>
              <th scope="col">Groups</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {accounts.items.map((a) => (
              <tr key={a.serviceAccountId}>
                <td>{a.name}</td>
                <td>{a.serviceAccountId}</td>
                <td>{a.status}</td>
                <td>{a.roles.map(roleText).join(', ')}</td>
                <td>{a.groups.join(', ')}</td>
                <td>
                  <LocalTime iso={a.createdAt} />
                </td>
                <td>
                  <button
                    type="button"
                    aria-pressed={opened === a.serviceAccountId}
                    onClick={() => setOpened(a.serviceAccountId)}
                  >
                    Open<span class="visually-hidden"> {a.serviceAccountId}</span>
                  </button>{' '}
                  {can('DELETE', '/v1/tenants/{tenantId}/service-accounts/{serviceAccountId}') && (
                    <ConfirmButton
                      label="Delete"
                      question={`Delete ${a.serviceAccountId} and every token of it?`}
                      onConfirm={() => remove(a)}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {accounts.hasMore && (
        <button type="button" onClick={accounts.more}>
          Load more
        </button>
      )}
      {opened && (
        <AccountDetail
          api={api}
          tenantId={tenantId}
          accountId={opened}
          onChanged={() => void accounts.load()}
          onClose={() => setOpened(undefined)}
        />
      )}
    </section>
  );
}
