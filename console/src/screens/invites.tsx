/**
 * Invites: paste addresses (commas, spaces, newlines, `Name <a@b.c>`), pick roles and groups
 * from the tenant's lists, see a result per address; list by status a page at a time, resend
 * (expired invites too) and revoke. Each action is offered only when the viewer may take it.
 */
import { useEffect, useState } from 'preact/hooks';
import { splitAddressList } from '#shared/invites/address-list.js';
import { useCan, useGrantable } from '../abilities.js';
import { type ApiClient, fieldError, problemText } from '../api/client.js';
import { IdChecklist } from '../components/id-picker.js';
import { Alert, ConfirmButton, type ItemResult, ResultList, usePaged } from '../components/kit.js';

type InviteStatus = 'pending' | 'expired' | 'accepted' | 'revoked' | 'bounced';
interface InviteRow {
  inviteId: string;
  email: string;
  status: string;
  expiresAt?: string;
}

const INVITES = '/v1/tenants/{tenantId}/invites' as const;
const INVITE = '/v1/tenants/{tenantId}/invites/{inviteId}' as const;
const RESEND = '/v1/tenants/{tenantId}/invites/{inviteId}/resend' as const;

/** The form that sends invites, with a result per address. */
function InviteForm({
  api,
  tenantId,
  onSent,
}: {
  api: ApiClient;
  tenantId: string;
  onSent: () => unknown;
}) {
  const [emails, setEmails] = useState('');
  const [roles, setRoles] = useState<string[]>([]);
  const [groups, setGroups] = useState<string[]>([]);
  const [errors, setErrors] = useState<{ emails?: string; form?: string }>({});
  const [results, setResults] = useState<ItemResult[]>([]);
  // Only what the viewer may hand out (the API refuses the rest per address), all of it.
  const roleIds = useGrantable('roles');
  const groupIds = useGrantable('groups');

  async function invite(e: Event) {
    e.preventDefault();
    const addresses = splitAddressList(emails);
    if (!addresses.length) return setErrors({ emails: 'Enter at least one email address.' });
    const { data, error } = await api.POST(INVITES, {
      params: { path: { tenantId } },
      body: {
        emails: addresses,
        ...(roles.length ? { roles } : {}),
        ...(groups.length ? { groups } : {}),
      },
    });
    if (!data) {
      const emailsError = fieldError(error, 'body.emails');
      return setErrors(emailsError ? { emails: emailsError } : { form: problemText(error) });
    }
    setErrors({});
    setResults(
      data.results.map((r) => ({
        label: r.email,
        ok: r.status === 'invited',
        text: r.status.replace('_', ' '),
      })),
    );
    setEmails('');
    await onSent();
  }

  return (
    <>
      <form onSubmit={invite} class="card" noValidate>
        <h2>Invite people</h2>
        <div class="field">
          <label for="invite-emails">Email addresses</label>
          <textarea
            id="invite-emails"
            rows={4}
            value={emails}
            aria-describedby={errors.emails ? 'invite-emails-error' : 'invite-emails-hint'}
            aria-invalid={errors.emails ? 'true' : undefined}
            onInput={(e) => setEmails(e.currentTarget.value)}
          />
          <small id="invite-emails-hint">
            Separate addresses with commas, spaces or new lines; "Name &lt;a@b.c&gt;" works too.
          </small>
          {errors.emails && (
            <p class="error" id="invite-emails-error">
              {errors.emails}
            </p>
          )}
        </div>
        <div class="row">
          <IdChecklist
            id="invite-roles"
            label="Roles (optional)"
            options={roleIds}
            value={roles}
            onChange={setRoles}
          />
          <IdChecklist
            id="invite-groups"
            label="Groups (optional)"
            options={groupIds}
            value={groups}
            onChange={setGroups}
          />
        </div>
        <Alert text={errors.form} />
        <button type="submit" class="primary">
          Send invites
        </button>
      </form>
      <ResultList title="Invite results" results={results} />
    </>
  );
}

export function InvitesScreen({ api, tenantId }: { api: ApiClient; tenantId: string }) {
  const can = useCan();
  const [status, setStatus] = useState<InviteStatus | ''>('');
  const [outcome, setOutcome] = useState<ItemResult[]>([]);
  const invites = usePaged<InviteRow>(
    (cursor) =>
      api.GET(INVITES, {
        params: {
          path: { tenantId },
          query: { limit: 50, ...(cursor ? { cursor } : {}), ...(status ? { status } : {}) },
        },
      }),
    'The invites could not be loaded.',
  );

  useEffect(() => {
    void invites.load();
  }, [tenantId, status]);

  async function act(row: InviteRow, action: 'resend' | 'revoke') {
    const path = { tenantId, inviteId: row.inviteId };
    const { error, response } =
      action === 'resend'
        ? await api.POST(RESEND, { params: { path } })
        : await api.DELETE(INVITE, { params: { path } });
    const done = action === 'resend' ? 'sent again' : 'revoked';
    setOutcome([
      { label: row.email, ok: response.ok, text: response.ok ? done : problemText(error) },
    ]);
    await invites.load();
  }

  const mayResend = can('POST', RESEND);
  const mayRevoke = can('DELETE', INVITE);
  return (
    <section aria-labelledby="invites-title">
      <h1 id="invites-title">Invites</h1>
      {can('POST', INVITES) && (
        <InviteForm api={api} tenantId={tenantId} onSent={() => invites.load()} />
      )}
      <div class="row">
        <div class="field">
          <label for="invite-status">Status</label>
          <select
            id="invite-status"
            value={status}
            onChange={(e) => setStatus(e.currentTarget.value as InviteStatus | '')}
          >
            <option value="">Any</option>
            {(['pending', 'expired', 'accepted', 'revoked', 'bounced'] as const).map((s) => (
              <option key={s} value={s}>
                {s[0]?.toUpperCase() + s.slice(1)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <Alert text={invites.error} />
      <ResultList title="Invite actions" results={outcome} />
      <table>
        <caption class="visually-hidden">Invites of {tenantId}</caption>
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Status</th>
            <th scope="col">Expires</th>
            {(mayResend || mayRevoke) && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {invites.items.map((row) => {
            const open = row.status === 'pending' || row.status === 'expired';
            return (
              <tr key={row.inviteId}>
                <td>{row.email}</td>
                <td>{row.status}</td>
                <td>{row.expiresAt ? new Date(row.expiresAt).toLocaleString() : ''}</td>
                {(mayResend || mayRevoke) && (
                  <td>
                    <div class="actions">
                      {open && mayResend && (
                        <button type="button" onClick={() => act(row, 'resend')}>
                          Resend<span class="visually-hidden"> to {row.email}</span>
                        </button>
                      )}
                      {open && mayRevoke && (
                        <ConfirmButton
                          label="Revoke"
                          question={`Revoke the invite of ${row.email}?`}
                          onConfirm={() => act(row, 'revoke')}
                        />
                      )}
                    </div>
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
      {invites.hasMore && (
        <button type="button" onClick={() => invites.more()}>
          Load more invites
        </button>
      )}
    </section>
  );
}
