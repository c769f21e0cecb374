/**
 * A role bound to someone, on every resource or only under a selected one (Elastic's "all
 * clusters" vs "selected clusters"): the bindings with an unbind button each, and the bind form.
 */
import { useState } from 'preact/hooks';
import { fieldError, problemText } from '../api/client.js';
import { TextField } from '../components/field.js';
import { Alert } from '../components/kit.js';

export interface Binding {
  roleId: string;
  scope?: string;
}

/** How a binding reads: `deployers on every resource`, `deployers only under app:payments`. */
export function bindingText(b: Binding): string {
  return b.scope ? `${b.roleId} only under ${b.scope}` : `${b.roleId} on every resource`;
}

/** The bindings, each with Unbind when `onUnbind` is given (it returns a problem's text). */
export function RoleBindings({
  bindings,
  onUnbind,
}: {
  bindings: Binding[];
  onUnbind?: (roleId: string) => Promise<string | undefined>;
}) {
  const [failure, setFailure] = useState<string>();
  if (bindings.length === 0) return <p>No roles bound.</p>;
  return (
    <>
      <Alert text={failure} />
      <ul class="plain" aria-label="Bound roles">
        {bindings.map((b) => (
          <li key={b.roleId}>
            {bindingText(b)}{' '}
            {onUnbind && (
              <button type="button" onClick={async () => setFailure(await onUnbind(b.roleId))}>
                Unbind<span class="visually-hidden"> role {b.roleId}</span>
              </button>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

/**
 * Bind a role (suggested from the `role-ids` list) on every resource or only under one;
 * `onBind` returns the API's problem, whose field errors show next to the fields.
 */
export function RoleBindingForm({
  idPrefix,
  onBind,
}: {
  idPrefix: string;
  onBind: (roleId: string, scope?: string) => Promise<unknown>;
}) {
  const [roleId, setRoleId] = useState('');
  const [scoped, setScoped] = useState(false);
  const [scope, setScope] = useState('');
  const [problem, setProblem] = useState<unknown>();
  const [local, setLocal] = useState<{ role?: string; scope?: string }>({});
  const scopeId = `${idPrefix}-scope`;

  async function submit(e: Event) {
    e.preventDefault();
    const checks = {
      role: roleId.trim() ? undefined : 'Enter the role to bind.',
      scope: scoped && !scope.trim() ? 'Enter the resource the role applies under.' : undefined,
    };
    setLocal(checks);
    if (checks.role || checks.scope) return;
    const error = await onBind(roleId.trim(), scoped ? scope.trim() : undefined);
    setProblem(error);
    if (!error) {
      setRoleId('');
      setScope('');
    }
  }
  const roleError = local.role ?? fieldError(problem, 'path.roleId');
  const scopeError = local.scope ?? fieldError(problem, 'body.scope');
  const other = problem && !roleError && !scopeError ? problemText(problem) : undefined;

  return (
    <form class="row" aria-label="Bind a role" noValidate onSubmit={submit}>
      <TextField
        id={`${idPrefix}-id`}
        label="Role"
        list="role-ids"
        value={roleId}
        error={roleError}
        onInput={setRoleId}
      />
      <fieldset class="field">
        <legend>Applies to</legend>
        <label class="choice">
          <input
            type="radio"
            name={`${idPrefix}-where`}
            checked={!scoped}
            onChange={() => setScoped(false)}
          />{' '}
          Every resource
        </label>
        <label class="choice">
          <input
            type="radio"
            name={`${idPrefix}-where`}
            checked={scoped}
            onChange={() => setScoped(true)}
          />{' '}
          Only under a resource
        </label>
      </fieldset>
      {scoped && (
        <TextField
          id={scopeId}
          label="Resource"
          hint="The role applies to this resource and everything under it, e.g. app:payments."
          value={scope}
          error={scopeError}
          onInput={setScope}
        />
      )}
      <button type="submit">Bind role</button>
      <Alert text={other} />
    </form>
  );
}
