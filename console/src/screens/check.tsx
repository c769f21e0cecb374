/**
 * Check: "may <member> do <action> on <resource>?", answered by the API with its reason (the
 * deciding rule and where it came from: direct, group, role, scope), read out when it arrives.
 */
import { useState } from 'preact/hooks';
import { fieldError, problemText } from '../api/client.js';
import { SelectField, TextField } from '../components/field.js';
import { Alert } from '../components/kit.js';
import { ACTIONS, type Action } from './access-terms.js';
import type { ScreenProps } from './index.js';
import { MemberEmailField } from './member-email-field.js';

interface Answer {
  allowed: boolean;
  reason: string;
  question: string;
}

export function CheckScreen({ api, tenantId }: ScreenProps) {
  const [form, setForm] = useState({ email: '', action: 'read' as Action, resource: '' });
  const [problem, setProblem] = useState<unknown>();
  const [emailMissing, setEmailMissing] = useState<string>();
  const [answer, setAnswer] = useState<Answer>();

  async function submit(e: Event) {
    e.preventDefault();
    setAnswer(undefined);
    const email = form.email.trim().toLowerCase();
    const resource = form.resource.trim();
    const { data, error, response } = await api.POST('/v1/tenants/{tenantId}/check', {
      params: { path: { tenantId } },
      body: { email, resource, action: form.action },
    });
    setProblem(error);
    setEmailMissing(
      response.status === 404
        ? `No active member of this tenant has the email ${email}.`
        : undefined,
    );
    if (!data || !('allowed' in data)) return;
    setAnswer({
      allowed: data.allowed,
      reason: data.reason,
      question: `${email} ${form.action} on ${resource}`,
    });
  }

  const emailError = emailMissing ?? fieldError(problem, 'body.email');
  const resourceError = fieldError(problem, 'body.resource');
  const actionError = fieldError(problem, 'body.action');
  const other =
    problem && !emailError && !resourceError && !actionError ? problemText(problem) : undefined;
  return (
    <section aria-labelledby="check-title">
      <h1 id="check-title">Check</h1>
      <p>Ask whether a member may do an action on a resource, and why.</p>
      <form class="card" aria-label="Check a permission" noValidate onSubmit={submit}>
        <div class="row">
          <MemberEmailField
            api={api}
            tenantId={tenantId}
            id="check-email"
            label="May member (email)"
            value={form.email}
            error={emailError}
            onInput={(email) => setForm({ ...form, email })}
          />
          <SelectField
            id="check-action"
            label="Do action"
            value={form.action}
            options={ACTIONS}
            error={actionError}
            onInput={(action) => setForm({ ...form, action: action as Action })}
          />
          <TextField
            id="check-resource"
            label="On resource"
            value={form.resource}
            error={resourceError}
            onInput={(resource) => setForm({ ...form, resource })}
          />
          <button type="submit" class="primary">
            Check
          </button>
        </div>
        <Alert text={other} />
      </form>
      <div aria-live="polite" aria-atomic="true" class="answer">
        {answer && (
          <p class={answer.allowed ? 'ok' : 'error'}>
            <strong>{answer.allowed ? 'Allowed' : 'Denied'}</strong>: {answer.question}.{' '}
            <span>Reason: {answer.reason}</span>
          </p>
        )}
      </div>
    </section>
  );
}
