/**
 * A service account's direct rules (DC/OS-style ACL entries held by the account itself, beside
 * its roles and groups): listed, granted as a resource and an action, and revoked after a
 * confirmation. Each is offered only when the viewer may call its route.
 */
import { useState } from 'preact/hooks';
import { useCan } from '../abilities.js';
import { type ApiClient, fieldError, problemText } from '../api/client.js';
import { SelectField, TextField } from '../components/field.js';
import { Alert, ConfirmButton } from '../components/kit.js';
import { ACTIONS, type Action } from './access-terms.js';

const SA_RULE =
  '/v1/tenants/{tenantId}/acls/{rid}/service-accounts/{serviceAccountId}/{action}' as const;

export function ServiceAccountRules({
  api,
  tenantId,
  serviceAccountId,
  rules,
  onChanged,
}: {
  api: ApiClient;
  tenantId: string;
  serviceAccountId: string;
  rules: readonly { resource: string; action: string }[];
  /** After a grant or a revoke: read the account again. */
  onChanged: () => Promise<void>;
}) {
  const can = useCan();
  const [resource, setResource] = useState('');
  const [action, setAction] = useState<Action>('read');
  const [problem, setProblem] = useState<unknown>();
  const path = (rid: string, act: string) => ({
    params: { path: { tenantId, serviceAccountId, rid, action: act } },
  });

  async function grant(e: Event) {
    e.preventDefault();
    const rid = resource.trim();
    if (!rid) {
      return setProblem({
        errors: [{ path: 'path.rid', message: 'Enter the resource to grant on.' }],
      });
    }
    const { response, error } = await api.PUT(SA_RULE, path(rid, action));
    setProblem(response.ok ? undefined : error);
    if (response.ok) setResource('');
    await onChanged();
  }

  async function revoke(rule: { resource: string; action: string }) {
    const { response, error } = await api.DELETE(SA_RULE, path(rule.resource, rule.action));
    setProblem(response.ok ? undefined : error);
    await onChanged();
  }

  const ridError = fieldError(problem, 'path.rid');
  const actionError = fieldError(problem, 'path.action');
  const general = problem && !ridError && !actionError ? problemText(problem) : undefined;
  return (
    <>
      <h3>Direct rules</h3>
      <table>
        <caption class="visually-hidden">Direct rules of {serviceAccountId}</caption>
        <thead>
          <tr>
            <th scope="col">Resource</th>
            <th scope="col">Action</th>
            {can('DELETE', SA_RULE) && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {rules.length === 0 && (
            <tr>
              <td colSpan={3}>none</td>
            </tr>
          )}
          {rules.map((r) => (
            <tr key={`${r.resource} ${r.action}`}>
              <td>{r.resource}</td>
              <td>{r.action}</td>
              {can('DELETE', SA_RULE) && (
                <td>
                  <ConfirmButton
                    label="Revoke"
                    question={`Revoke ${r.action} on ${r.resource} from ${serviceAccountId}?`}
                    onConfirm={() => revoke(r)}
                  />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <Alert text={general} />
      {can('PUT', SA_RULE) && (
        <form class="row" aria-label="Grant a rule" noValidate onSubmit={grant}>
          <TextField
            id="sa-rule-resource"
            label="Resource"
            hint="For example dcos:adminrouter:service:marathon"
            value={resource}
            error={ridError}
            onInput={setResource}
          />
          <SelectField
            id="sa-rule-action"
            label="Action"
            value={action}
            options={ACTIONS}
            error={actionError}
            onInput={(v) => setAction(v as Action)}
          />
          <button type="submit">Grant rule</button>
        </form>
      )}
    </>
  );
}
