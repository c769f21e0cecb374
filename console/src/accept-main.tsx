/**
 * The hosted accept page (the link in the invite mail): shows the tenant, then either a new
 * person chooses a password (the pool's policy shown and checked as they type), or someone
 * with an account signs in through the OAuth flow and joins with that session.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { apiClient, fieldError, problemText } from './api/client.js';
import { accessToken, beginSignIn, completeSignIn } from './auth/session.js';
import { type ConsoleConfig, loadConfig } from './config.js';
import './styles.css';

interface Invite {
  tenantId: string;
  tenantName: string;
  email: string;
  invitedBy: string;
  expiresAt: string;
}

type State =
  | { kind: 'loading' }
  | { kind: 'unusable'; message: string }
  | { kind: 'open'; config: ConsoleConfig; token: string; invite: Invite; error?: string }
  | { kind: 'joined'; tenantName: string };

const RESEND =
  'This invitation link can no longer be used: it was used already, revoked, or it expired. Ask the person who invited you to send a new invitation.';

function policyChecks(policy: ConsoleConfig['passwordPolicy'], password: string) {
  return [
    { text: `At least ${policy.minLength} characters`, met: password.length >= policy.minLength },
    ...(policy.requireLowercase
      ? [{ text: 'A lowercase letter', met: /[a-z]/.test(password) }]
      : []),
    ...(policy.requireUppercase
      ? [{ text: 'An uppercase letter', met: /[A-Z]/.test(password) }]
      : []),
    ...(policy.requireDigits ? [{ text: 'A digit', met: /[0-9]/.test(password) }] : []),
    ...(policy.requireSymbols ? [{ text: 'A symbol', met: /[^A-Za-z0-9]/.test(password) }] : []),
  ];
}

function NewAccount({
  config,
  onSubmit,
}: {
  config: ConsoleConfig;
  onSubmit: (password: string) => Promise<string | undefined>;
}) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const checks = policyChecks(config.passwordPolicy, password);
  return (
    <form
      class="card"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        if (!checks.every((c) => c.met))
          return setError('This password does not meet every rule in the list.');
        setError(await onSubmit(password));
      }}
    >
      <h2>New here? Choose a password</h2>
      <div class="field">
        <label for="new-password">Password</label>
        <input
          id="new-password"
          type="password"
          autocomplete="new-password"
          value={password}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={`password-rules${error ? ' password-error' : ''}`}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <ul id="password-rules" class="checklist" aria-label="Password rules" aria-live="polite">
          {checks.map((c) => (
            <li key={c.text} class={c.met ? 'met' : ''}>
              {c.text}
              <span class="visually-hidden">{c.met ? ' (met)' : ' (not met yet)'}</span>
            </li>
          ))}
        </ul>
        {error && (
          <p class="error" id="password-error">
            {error}
          </p>
        )}
      </div>
      <button type="submit" class="primary">
        Create my account and join
      </button>
    </form>
  );
}

function AcceptPage() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const api = (config: ConsoleConfig) => apiClient(() => accessToken(config));

  async function accept(config: ConsoleConfig, token: string, invite: Invite, password?: string) {
    const { data, error, response } = await api(config).POST('/v1/invites/accept', {
      body: { token, ...(password ? { password } : {}) },
    });
    if (data) {
      sessionStorage.removeItem('gatehouse.invite');
      setState({ kind: 'joined', tenantName: invite.tenantName });
      return undefined;
    }
    if (response.status === 410 || response.status === 404)
      return void setState({ kind: 'unusable', message: RESEND });
    const passwordError = fieldError(error, 'body.password');
    if (passwordError) return `This password cannot be used: it ${passwordError}.`;
    return problemText(error, 'Joining failed; try again.');
  }

  useEffect(() => {
    (async () => {
      const config = await loadConfig();
      const returned = await completeSignIn(config).catch((error: Error) => {
        setState({ kind: 'unusable', message: `Signing in failed: ${error.message}` });
        return null;
      });
      if (returned === null) return;
      const token = returned?.resume ?? new URLSearchParams(location.search).get('token') ?? '';
      if (!token)
        return setState({
          kind: 'unusable',
          message:
            'This page needs the link from your invitation email. Open the link from the mail.',
        });
      const { data, response } = await apiClient(async () => undefined).POST('/v1/invites/lookup', {
        body: { token },
      });
      if (!data)
        return setState({
          kind: 'unusable',
          message: response.status >= 500 ? 'Gatehouse is not answering; try again soon.' : RESEND,
        });
      if (returned) {
        const error = await accept(config, token, data);
        if (error) setState({ kind: 'open', config, token, invite: data, error });
        return;
      }
      setState({ kind: 'open', config, token, invite: data });
    })().catch((error: Error) => setState({ kind: 'unusable', message: error.message }));
  }, []);

  if (state.kind === 'loading') return <p class="narrow">Looking up your invitation...</p>;
  return (
    <main class="narrow">
      <h1>Accept your invitation</h1>
      {state.kind === 'unusable' && (
        <p class="error" role="alert">
          {state.message}
        </p>
      )}
      {state.kind === 'joined' && (
        <div role="status">
          <p class="ok">You joined {state.tenantName}.</p>
          <p>
            Next: sign in to the app that invited you with your email address. Administrators can
            open the <a href="/console/">Gatehouse console</a>.
          </p>
        </div>
      )}
      {state.kind === 'open' && (
        <>
          <p>
            <strong>{state.invite.invitedBy}</strong> invited <strong>{state.invite.email}</strong>{' '}
            to join <strong>{state.invite.tenantName}</strong>. The invitation expires on{' '}
            {new Date(state.invite.expiresAt).toLocaleString()}.
          </p>
          {state.error && (
            <p class="error" role="alert">
              {state.error}
            </p>
          )}
          <NewAccount
            config={state.config}
            onSubmit={(password) => accept(state.config, state.token, state.invite, password)}
          />
          <div class="card">
            <h2>Already have an account?</h2>
            <p>Sign in with your email and password, then you join {state.invite.tenantName}.</p>
            <button
              type="button"
              class="primary"
              onClick={() => beginSignIn(state.config, `${location.origin}/accept`, state.token)}
            >
              Sign in and join
            </button>
          </div>
        </>
      )}
    </main>
  );
}

const root = document.getElementById('app');
if (root) render(<AcceptPage />, root);
