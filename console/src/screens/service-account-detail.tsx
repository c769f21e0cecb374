/**
 * One service account opened: its status, roles, groups, direct rules and API tokens (mint with
 * the secret shown once, list, revoke), each change offered only when the viewer may make it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useCan } from '../abilities.js';
import { type ApiClient, problemText } from '../api/client.js';
import type { paths } from '../api/schema.js';
import { TextField } from '../components/field.js';
import { Alert, usePaged } from '../components/kit.js';
import { type MintedToken, MintTokenForm, SecretOnce, TokenTable } from '../components/tokens.js';
import { ServiceAccountRules } from './service-account-rules.js';

export type Account =
  paths['/v1/tenants/{tenantId}/service-accounts/{serviceAccountId}']['get']['responses'][200]['content']['application/json'];

export const roleText = (r: Account['roles'][number]) =>
  r.scope ? `${r.roleId} on ${r.scope}` : r.roleId;

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
export function AccountDetail({
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
