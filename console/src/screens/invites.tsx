/**
 * Invites: paste addresses (commas, spaces, newlines, `Name <a@b.c>`),
 * add roles and groups, see a result per address; list by status, resend, revoke.
 */
import { useEffect, useState } from 'preact/hooks';
import { splitAddressList } from '#shared/invites/address-list.js';
import { type ApiClient, fieldError, problemText } from '../api/client.js';
import { ResultList } from '../components/kit.js';

type InviteStatus = 'pending' | 'expired' | 'accepted' | 'revoked' | 'bounced';
interface InviteRow {
  inviteId: string;
  email: string;
  status: string;
  expiresAt?: string;
}

const ids = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

export function InvitesScreen({ api, tenantId }: { api: ApiClient; tenantId: string }) {
  const [emails, setEmails] = useState('');
  const [roles, setRoles] = useState('');
  const [groups, setGroups] = useState('');
  const [errors, setErrors] = useState<{ emails?: string; form?: string }>({});
  const [results, setResults] = useState<{ email: string; status: string }[]>([]);
  const [status, setStatus] = useState<InviteStatus | ''>('');
  const [invites, setInvites] = useState<InviteRow[]>([]);
  const [listError, setListError] = useState<string>();

  async function loadInvites(filter = status) {
    const { data, error } = await api.GET('/v1/tenants/{tenantId}/invites', {
      params: { path: { tenantId }, query: { limit: 50, ...(filter ? { status: filter } : {}) } },
    });
    if (!data) return setListError(problemText(error, 'The invites could not be loaded.'));
    setListError(undefined);
    setInvites(data.items as InviteRow[]);
  }

  useEffect(() => {
    void loadInvites();
  }, [tenantId]);

  async function invite(e: Event) {
    e.preventDefault();
    const addresses = splitAddressList(emails);
    if (!addresses.length) return setErrors({ emails: 'Enter at least one email address.' });
    const { data, error } = await api.POST('/v1/tenants/{tenantId}/invites', {
      params: { path: { tenantId } },
      body: {
        emails: addresses,
        ...(ids(roles).length ? { roles: ids(roles) } : {}),
        ...(ids(groups).length ? { groups: ids(groups) } : {}),
      },
    });
    if (!data) {
      const emailsError = fieldError(error, 'body.emails');
      return setErrors(emailsError ? { emails: emailsError } : { form: problemText(error) });
    }
    setErrors({});
    setResults(data.results);
    setEmails('');
    await loadInvites();
  }

  async function act(row: InviteRow, action: 'resend' | 'revoke') {
    const path = { tenantId, inviteId: row.inviteId };
    const { error, response } =
      action === 'resend'
        ? await api.POST('/v1/tenants/{tenantId}/invites/{inviteId}/resend', {
            params: { path },
          })
        : await api.DELETE('/v1/tenants/{tenantId}/invites/{inviteId}', { params: { path } });
    setListError(response.ok ? undefined : problemText(error));
    await loadInvites();
  }

  return (
    <section aria-labelledby="invites-title">
      <h1 id="invites-title">Invites</h1>
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
          <div class="field">
            <label for="invite-roles">Roles (optional)</label>
            <input
              id="invite-roles"
              value={roles}
              onInput={(e) => setRoles(e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="invite-groups">Groups (optional)</label>
            <input
              id="invite-groups"
              value={groups}
              onInput={(e) => setGroups(e.currentTarget.value)}
            />
          </div>
        </div>
        {errors.form && (
          <p class="error" role="alert">
            {errors.form}
          </p>
        )}
        <button type="submit" class="primary">
          Send invites
        </button>
      </form>
      <ResultList
        title="Invite results"
        results={results.map((r) => ({
          label: r.email,
          ok: r.status === 'invited',
          text: r.status.replace('_', ' '),
        }))}
      />
      <div class="row">
        <div class="field">
          <label for="invite-status">Status</label>
          <select
            id="invite-status"
            value={status}
            onChange={(e) => {
              const next = e.currentTarget.value as InviteStatus | '';
              setStatus(next);
              void loadInvites(next);
            }}
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
      {listError && (
        <p class="error" role="alert">
          {listError}
        </p>
      )}
      <table>
        <caption class="visually-hidden">Invites of {tenantId}</caption>
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Status</th>
            <th scope="col">Expires</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {invites.map((row) => (
            <tr key={row.inviteId}>
              <td>{row.email}</td>
              <td>{row.status}</td>
              <td>{row.expiresAt ? new Date(row.expiresAt).toLocaleString() : ''}</td>
              <td>
                {(row.status === 'pending' || row.status === 'expired') && (
                  <>
                    <button type="button" onClick={() => act(row, 'resend')}>
                      Resend<span class="visually-hidden"> to {row.email}</span>
                    </button>{' '}
                    <button type="button" onClick={() => act(row, 'revoke')}>
                      Revoke<span class="visually-hidden"> invite of {row.email}</span>
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
