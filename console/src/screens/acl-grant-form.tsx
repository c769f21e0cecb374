/**
 * The ACL screen's grant form: an action on a resource to a member (found by email) or a group,
 * each offered only when the viewer may grant to it; the API's errors next to their fields.
 */
import { useEffect, useState } from 'preact/hooks';
import { useCan } from '../abilities.js';
import { fieldError, problemText } from '../api/client.js';
import { SelectField, TextField } from '../components/field.js';
import { Alert } from '../components/kit.js';
import { ACTIONS, type Action, findMemberByEmail } from './access-terms.js';
import type { ScreenProps } from './index.js';
import { MemberEmailField } from './member-email-field.js';

export const USER_RULE = '/v1/tenants/{tenantId}/acls/{rid}/users/{userId}/{action}' as const;
export const GROUP_RULE = '/v1/tenants/{tenantId}/acls/{rid}/groups/{groupId}/{action}' as const;

export function GrantForm({
  api,
  tenantId,
  resource: browsed,
  onGranted,
}: ScreenProps & { resource: string; onGranted: (resource: string) => void }) {
  const can = useCan();
  const toUsers = can('PUT', USER_RULE);
  const [form, setForm] = useState({
    resource: browsed,
    action: 'read' as Action,
    to: toUsers ? 'member' : 'group',
    who: '',
  });
  const [errors, setErrors] = useState<{ who?: string; resource?: string; problem?: unknown }>({});
  useEffect(() => setForm((f) => ({ ...f, resource: browsed })), [browsed]);

  async function submit(e: Event) {
    e.preventDefault();
    const rid = form.resource.trim();
    const action = form.action;
    if (!rid) return setErrors({ resource: 'Enter the resource to grant on.' });
    let result: { error?: unknown; response: Response };
    if (form.to === 'member') {
      const found = await findMemberByEmail(api, tenantId, form.who);
      if ('error' in found) return setErrors({ who: found.error });
      result = await api.PUT(USER_RULE, {
        params: { path: { tenantId, rid, userId: found.userId, action } },
      });
    } else {
      const groupId = form.who.trim();
      if (!groupId) return setErrors({ who: 'Enter the group to grant to.' });
      result = await api.PUT(GROUP_RULE, { params: { path: { tenantId, rid, groupId, action } } });
      if (result.response.status === 404)
        return setErrors({ who: `There is no group ${groupId} in this tenant.` });
    }
    if (!result.response.ok) return setErrors({ problem: result.error });
    setErrors({});
    setForm({ ...form, who: '' });
    onGranted(rid);
  }

  const resourceError = errors.resource ?? fieldError(errors.problem, 'path.rid');
  const actionError = fieldError(errors.problem, 'path.action');
  const whoError =
    errors.who ??
    fieldError(errors.problem, 'path.userId') ??
    fieldError(errors.problem, 'path.groupId');
  const other =
    errors.problem && !resourceError && !actionError && !whoError
      ? problemText(errors.problem)
      : undefined;
  const who = {
    id: 'grant-who',
    value: form.who,
    error: whoError,
    onInput: (value: string) => setForm({ ...form, who: value }),
  };
  return (
    <form class="card" aria-label="Grant a rule" noValidate onSubmit={submit}>
      <h2>Grant</h2>
      <div class="row">
        <SelectField
          id="grant-action"
          label="Action"
          value={form.action}
          options={ACTIONS}
          error={actionError}
          onInput={(action) => setForm({ ...form, action: action as Action })}
        />
        <TextField
          id="grant-resource"
          label="On resource"
          value={form.resource}
          error={resourceError}
          onInput={(resource) => setForm({ ...form, resource })}
        />
        <SelectField
          id="grant-to"
          label="To"
          value={form.to}
          options={[...(toUsers ? ['member'] : []), ...(can('PUT', GROUP_RULE) ? ['group'] : [])]}
          onInput={(to) => setForm({ ...form, to, who: '' })}
        />
        {form.to === 'member' ? (
          <MemberEmailField api={api} tenantId={tenantId} label="Member’s email" {...who} />
        ) : (
          <TextField label="Group" list="group-ids" {...who} />
        )}
      </div>
      <Alert text={other} />
      <button type="submit" class="primary">
        Grant
      </button>
    </form>
  );
}
