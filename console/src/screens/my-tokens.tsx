/**
 * My tokens: the signed-in member's personal API tokens. Mint one in this tenant (the secret
 * shown once, with Copy), list yours in every tenant (never a secret), revoke.
 */
import { useEffect, useState } from 'preact/hooks';
import { useCan } from '../abilities.js';
import { problemText } from '../api/client.js';
import { Alert } from '../components/kit.js';
import {
  type MintedToken,
  MintTokenForm,
  SecretOnce,
  type TokenRow,
  TokenTable,
} from '../components/tokens.js';
import type { ScreenProps } from './index.js';

export function MyTokensScreen({ api, tenantId, me }: ScreenProps) {
  const can = useCan();
  const [rows, setRows] = useState<TokenRow[]>([]);
  const [error, setError] = useState<string>();
  const [minted, setMinted] = useState<MintedToken>();

  async function load() {
    // Every tenant's tokens in one list (at most 20 per tenant: the API pages none of it).
    const { data, error: problem } = await api.GET('/v1/me/tokens');
    if (!data) return setError(problemText(problem, 'Your tokens could not be loaded.'));
    setError(undefined);
    setRows(data.items);
  }

  useEffect(() => {
    setMinted(undefined);
    void load();
  }, [tenantId]);

  async function revoke(row: TokenRow) {
    const { response, error: problem } = await api.DELETE('/v1/me/tokens/{tokenId}', {
      params: { path: { tokenId: row.tokenId } },
    });
    setError(response.ok ? undefined : problemText(problem));
    await load();
  }

  const tenantName = me.tenants.find((t) => t.tenantId === tenantId)?.name ?? tenantId;
  return (
    <section aria-labelledby="my-tokens-title">
      <h1 id="my-tokens-title">My tokens</h1>
      <p>
        A personal token lets your own scripts call the API as you, in one tenant, with exactly the
        permissions you hold there. A forced logout or sign-out everywhere ends it.
      </p>
      {can('POST', '/v1/tenants/{tenantId}/members/{userId}/tokens', me.userId) && (
        <div class="card">
          <h2>New token for {tenantName}</h2>
          <MintTokenForm
            idPrefix="my-token"
            mint={(body) =>
              api.POST('/v1/tenants/{tenantId}/members/{userId}/tokens', {
                params: { path: { tenantId, userId: me.userId } },
                body,
              })
            }
            onMinted={(token) => {
              setMinted(token);
              void load();
            }}
          />
        </div>
      )}
      {minted && <SecretOnce minted={minted} onDone={() => setMinted(undefined)} />}
      <h2>Your tokens in every tenant</h2>
      <Alert text={error} />
      <TokenTable
        caption="Your personal tokens"
        rows={rows}
        showTenant
        onRevoke={can('DELETE', '/v1/me/tokens/{tokenId}') ? revoke : undefined}
      />
    </section>
  );
}
