/**
 * Namespaces: resource prefixes that accept only some actions (DC/OS Admin Router resources
 * accept only `full`); list, register (or change) one, remove one.
 */
import { useEffect, useState } from 'preact/hooks';
import { useCan } from '../abilities.js';
import { fieldError, problemText } from '../api/client.js';
import { FieldNotes, TextField } from '../components/field.js';
import { Alert, ConfirmButton, usePaged } from '../components/kit.js';
import { ACTIONS, type Action } from './access-terms.js';
import type { ScreenProps } from './index.js';

const ONE = '/v1/tenants/{tenantId}/namespaces/{prefix}' as const;

function NamespaceForm({ api, tenantId, onSaved }: ScreenProps & { onSaved: () => void }) {
  const [prefix, setPrefix] = useState('');
  const [actions, setActions] = useState<Action[]>(['full']);
  const [problem, setProblem] = useState<unknown>();
  const [local, setLocal] = useState<{ prefix?: string; actions?: string }>({});

  async function submit(e: Event) {
    e.preventDefault();
    const checks = {
      prefix: prefix.trim() ? undefined : 'Enter the resource prefix.',
      actions: actions.length ? undefined : 'Pick at least one action.',
    };
    setLocal(checks);
    if (checks.prefix || checks.actions) return;
    const { data, error } = await api.PUT(ONE, {
      params: { path: { tenantId, prefix: prefix.trim() } },
      body: { actions },
    });
    setProblem(error);
    if (!data) return;
    setPrefix('');
    onSaved();
  }
  const prefixError = local.prefix ?? fieldError(problem, 'path.prefix');
  const actionsError = local.actions ?? fieldError(problem, 'body.actions');
  return (
    <form class="card" aria-label="Register a namespace" noValidate onSubmit={submit}>
      <h2>Register a namespace</h2>
      <TextField
        id="namespace-prefix"
        label="Resource prefix"
        hint="Grants on this resource or under it may carry only the actions picked here; registering it again changes them."
        value={prefix}
        error={prefixError}
        onInput={setPrefix}
      />
      <fieldset
        class="field"
        aria-invalid={actionsError ? 'true' : undefined}
        aria-describedby={actionsError ? 'namespace-actions-error' : undefined}
      >
        <legend>Actions it accepts</legend>
        <div class="row">
          {ACTIONS.map((a) => (
            <label class="choice" key={a}>
              <input
                type="checkbox"
                checked={actions.includes(a)}
                onChange={(e) =>
                  setActions(
                    e.currentTarget.checked ? [...actions, a] : actions.filter((x) => x !== a),
                  )
                }
              />{' '}
              {a}
            </label>
          ))}
        </div>
        <FieldNotes id="namespace-actions" error={actionsError} />
      </fieldset>
      <Alert text={problem && !prefixError && !actionsError ? problemText(problem) : undefined} />
      <button type="submit" class="primary">
        Register namespace
      </button>
    </form>
  );
}

export function NamespacesScreen(props: ScreenProps) {
  const { api, tenantId } = props;
  const can = useCan();
  const namespaces = usePaged(
    () =>
      api.GET('/v1/tenants/{tenantId}/namespaces', {
        params: { path: { tenantId } },
      }),
    'The namespaces could not be loaded.',
  );
  const [failure, setFailure] = useState<string>();
  useEffect(() => {
    void namespaces.load();
  }, [tenantId]);

  async function remove(prefix: string) {
    const { response, error } = await api.DELETE(ONE, { params: { path: { tenantId, prefix } } });
    setFailure(response.ok ? undefined : problemText(error));
    await namespaces.load();
  }

  return (
    <section aria-labelledby="namespaces-title">
      <h1 id="namespaces-title">Namespaces</h1>
      <p>
        A namespace limits the actions that can be granted on a resource and everything under it.
      </p>
      {can('PUT', ONE) && <NamespaceForm {...props} onSaved={() => void namespaces.load()} />}
      <Alert text={namespaces.error ?? failure} />
      <table>
        <caption class="visually-hidden">Namespaces of {tenantId}</caption>
        <thead>
          <tr>
            <th scope="col">Resource prefix</th>
            <th scope="col">Accepts</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {namespaces.items.map((n) => (
            <tr key={n.prefix}>
              <td>{n.prefix}</td>
              <td>{n.actions.join(', ')}</td>
              <td>
                {can('DELETE', ONE) && (
                  <ConfirmButton
                    label="Remove"
                    question={`Remove namespace ${n.prefix}?`}
                    onConfirm={() => remove(n.prefix)}
                  />
                )}
              </td>
            </tr>
          ))}
          {namespaces.items.length === 0 && !namespaces.error && (
            <tr>
              <td colSpan={3}>No namespaces: every resource accepts every action.</td>
            </tr>
          )}
        </tbody>
      </table>
      {namespaces.hasMore && (
        <button type="button" onClick={namespaces.more}>
          Load more namespaces
        </button>
      )}
    </section>
  );
}
