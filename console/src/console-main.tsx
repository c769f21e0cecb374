/** The admin console: sign in, pick a tenant, then the screens in screens/index.ts. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { CAN_NOTHING, CanContext, GrantableContext, useAbilities } from './abilities.js';
import { type ApiClient, apiClient, problemText } from './api/client.js';
import {
  accessToken,
  beginSignIn,
  completeSignIn,
  currentSession,
  signOut,
} from './auth/session.js';
import { Alert } from './components/kit.js';
import { type ConsoleConfig, loadConfig } from './config.js';
import type { Me } from './me.js';
import { useRoute } from './router.js';
import { SCREENS } from './screens/index.js';
import './styles.css';

const consoleUrl = () => `${location.origin}/console/`;
const TENANT_KEY = 'gatehouse.tenant';

function SignInScreen({ config, error }: { config: ConsoleConfig; error?: string }) {
  return (
    <main class="narrow">
      <h1>Gatehouse console</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <p>Sign in to manage your organization's members and invites.</p>
      <button
        type="button"
        class="primary"
        onClick={() => beginSignIn(config, consoleUrl(), location.hash)}
      >
        Sign in
      </button>
    </main>
  );
}

function Layout({ config, api, me }: { config: ConsoleConfig; api: ApiClient; me: Me }) {
  const route = useRoute();
  const active = me.tenants.filter((t) => t.status === 'active');
  const saved = localStorage.getItem(TENANT_KEY);
  const [tenantId, setTenantId] = useState(
    active.find((t) => t.tenantId === saved)?.tenantId ?? active[0]?.tenantId ?? '',
  );
  const [notice, setNotice] = useState<string>();
  const abilities = useAbilities(api, tenantId, me.userId);
  const offered = abilities ? SCREENS.filter((s) => abilities.can(...s.reads)) : [];
  const screen = offered.find((s) => s.route === route) ?? offered[0];
  async function everywhere() {
    const { response, error } = await api.POST('/v1/me/logout');
    if (!response.ok) return setNotice(problemText(error));
    signOut(config, consoleUrl());
  }
  return (
    <>
      <header class="bar">
        <span class="brand">Gatehouse</span>
        <label>
          Tenant
          <select
            value={tenantId}
            onChange={(e) => {
              setTenantId(e.currentTarget.value);
              localStorage.setItem(TENANT_KEY, e.currentTarget.value);
            }}
          >
            {active.map((t) => (
              <option key={t.tenantId} value={t.tenantId}>
                {t.name} ({t.tenantId})
              </option>
            ))}
          </select>
        </label>
        <span>{me.email}</span>
        <button type="button" onClick={() => signOut(config, consoleUrl())}>
          Sign out
        </button>
        <button type="button" onClick={everywhere}>
          Sign out everywhere
        </button>
      </header>
      <CanContext.Provider value={abilities?.can ?? CAN_NOTHING}>
        <nav class="tabs" aria-label="Sections">
          {offered.map((s) => (
            <a key={s.route} href={`#/${s.route}`} aria-current={s === screen ? 'page' : undefined}>
              {s.label}
            </a>
          ))}
        </nav>
        <main>
          <Alert text={notice ?? abilities?.error} />
          {!tenantId ? (
            <p>You are not an active member of any tenant yet.</p>
          ) : !abilities ? (
            <p>Loading...</p>
          ) : screen ? (
            <GrantableContext.Provider value={abilities.grantable}>
              <screen.component key={tenantId} api={api} tenantId={tenantId} me={me} />
            </GrantableContext.Provider>
          ) : (
            <p>Your roles in this tenant give you nothing to manage here.</p>
          )}
        </main>
      </CanContext.Provider>
    </>
  );
}

function App() {
  const [state, setState] = useState<
    | { kind: 'loading' }
    | { kind: 'signed-out'; config: ConsoleConfig; error?: string }
    | { kind: 'ready'; config: ConsoleConfig; api: ApiClient; me: Me }
    | { kind: 'broken'; error: string }
  >({ kind: 'loading' });
  useEffect(() => {
    (async () => {
      const config = await loadConfig();
      try {
        const returned = await completeSignIn(config);
        if (returned?.resume) location.hash = returned.resume;
      } catch (error) {
        return setState({ kind: 'signed-out', config, error: (error as Error).message });
      }
      if (!currentSession()) return setState({ kind: 'signed-out', config });
      const api = apiClient(() => accessToken(config));
      const { data } = await api.GET('/v1/me');
      if (!data) return setState({ kind: 'signed-out', config });
      setState({ kind: 'ready', config, api, me: data });
    })().catch((error: Error) => setState({ kind: 'broken', error: error.message }));
  }, []);
  if (state.kind === 'loading') return <p class="narrow">Loading...</p>;
  if (state.kind === 'broken')
    return (
      <main class="narrow">
        <h1>Gatehouse console</h1>
        <p class="error">{state.error}</p>
      </main>
    );
  if (state.kind === 'signed-out')
    return <SignInScreen config={state.config} error={state.error} />;
  return <Layout config={state.config} api={state.api} me={state.me} />;
}

const root = document.getElementById('app');
if (root) render(<App />, root);
