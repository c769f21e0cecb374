/**
 * Service accounts: list (cursor paging), create, delete; the one opened is
 * service-account-detail.tsx (roles, groups, direct rules, status, API tokens).
 */
import { useEffect, useState } from 'preact/hooks';
import { useCan } from '../abilities.js';
import { type ApiClient, fieldError, problemText } from '../api/client.js';
import { TextField } from '../components/field.js';
import { Alert, ConfirmButton, usePaged } from '../components/kit.js';
import { LocalTime } from '../components/time.js';
import type { ScreenProps } from './index.js';
import { type Account, AccountDetail, roleText } from './service-account-detail.js';

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
