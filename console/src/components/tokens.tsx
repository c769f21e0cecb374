/**
 * API tokens in the console, the same for service accounts and personal tokens: a mint form
 * (name, lifetime), the new secret shown once with a Copy button, and the token table (which
 * never has a secret to show: the API lists none).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { fieldError, problemText } from '../api/client.js';
import { TextField } from './field.js';
import { Alert, ConfirmButton } from './kit.js';
import { LocalTime } from './time.js';

/** A token as the API lists it. */
export interface TokenRow {
  tokenId: string;
  name: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  status: 'active' | 'expired' | 'revoked';
  tenantId?: string;
}

/** The one response that carries the secret. */
export interface MintedToken {
  tokenId: string;
  name: string;
  token: string;
  expiresAt: string;
}

/** Lifetime the API allows (`expiresInDays`), in days. */
const DEFAULT_DAYS = 90;
const MAX_DAYS = 365;

/**
 * Name and lifetime of a new token; `mint` calls the API. On success the secret goes to
 * `onMinted` (to show once); on a problem each field's message shows next to it.
 */
export function MintTokenForm({
  idPrefix,
  mint,
  onMinted,
}: {
  idPrefix: string;
  mint: (body: {
    name: string;
    expiresInDays: number;
  }) => Promise<{ data?: MintedToken; error?: unknown }>;
  onMinted: (token: MintedToken) => void;
}) {
  const [name, setName] = useState('');
  const [days, setDays] = useState(String(DEFAULT_DAYS));
  const [errors, setErrors] = useState<{ name?: string; days?: string; form?: string }>({});
  async function submit(e: Event) {
    e.preventDefault();
    if (!name.trim()) return setErrors({ name: 'Give the token a name.' });
    const { data, error } = await mint({ name: name.trim(), expiresInDays: Number(days) });
    if (!data) {
      const named = {
        name: fieldError(error, 'body.name'),
        days: fieldError(error, 'body.expiresInDays'),
      };
      return setErrors(named.name || named.days ? named : { form: problemText(error) });
    }
    setErrors({});
    setName('');
    setDays(String(DEFAULT_DAYS));
    onMinted(data);
  }
  return (
    <form class="row" onSubmit={submit} noValidate aria-label="New token">
      <TextField
        id={`${idPrefix}-name`}
        label="Token name"
        value={name}
        onInput={setName}
        error={errors.name}
        hint="What it is for, e.g. the script or host that uses it"
      />
      <TextField
        id={`${idPrefix}-days`}
        label="Lifetime (days)"
        type="number"
        min={1}
        max={MAX_DAYS}
        value={days}
        onInput={setDays}
        error={errors.days}
        hint={`1 to ${MAX_DAYS} days`}
      />
      <button type="submit" class="primary">
        Create token
      </button>
      <Alert text={errors.form} />
    </form>
  );
}

/**
 * A new token's secret, shown this once: select it or press Copy (the clipboard API, or a
 * message saying how to copy by hand where the browser refuses), then dismiss it.
 */
export function SecretOnce({ minted, onDone }: { minted: MintedToken; onDone: () => void }) {
  const [copied, setCopied] = useState<string>();
  const field = useRef<HTMLInputElement>(null);
  const inputId = `secret-${minted.tokenId}`;
  // Keyboard and screen-reader users land on the secret (selected, ready to copy).
  useEffect(() => field.current?.focus(), [minted.tokenId]);
  async function copy() {
    try {
      await navigator.clipboard.writeText(minted.token);
      setCopied('Copied to the clipboard.');
    } catch {
      field.current?.select();
      setCopied(
        'Your browser did not let the page copy: the token is selected, press Ctrl+C (⌘C on a Mac).',
      );
    }
  }
  return (
    <section class="card secret" aria-labelledby={`${inputId}-title`}>
      <h3 id={`${inputId}-title`}>Copy the token "{minted.name}" now</h3>
      <p>
        <strong>This is the only time it is shown.</strong> Gatehouse keeps only a hash of it: once
        you leave this page nobody can show it again. Lost it? Revoke it and create another.
      </p>
      <label for={inputId}>Token</label>
      <div class="row">
        <input
          ref={field}
          id={inputId}
          class="secret-value"
          readOnly
          value={minted.token}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" class="primary" onClick={copy}>
          Copy
        </button>
        <button type="button" onClick={onDone}>
          Done, I saved it
        </button>
      </div>
      <p role="status">{copied}</p>
      <p>
        It expires <LocalTime iso={minted.expiresAt} />.
      </p>
    </section>
  );
}

/** The tokens (name, status, dates; never a secret), each revocable while active if allowed. */
export function TokenTable({
  caption,
  rows,
  showTenant = false,
  onRevoke,
}: {
  caption: string;
  rows: TokenRow[];
  showTenant?: boolean;
  /** Revokes one token; absent when the viewer may not revoke. */
  onRevoke?: (row: TokenRow) => unknown;
}) {
  if (rows.length === 0) return <p>No tokens yet.</p>;
  return (
    <table>
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          {showTenant && <th scope="col">Tenant</th>}
          <th scope="col">Status</th>
          <th scope="col">Created</th>
          <th scope="col">Expires</th>
          <th scope="col">Last used</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((t) => (
          <tr key={t.tokenId}>
            <td>{t.name}</td>
            {showTenant && <td>{t.tenantId}</td>}
            <td>{t.status}</td>
            <td>
              <LocalTime iso={t.createdAt} />
            </td>
            <td>
              <LocalTime iso={t.expiresAt} />
            </td>
            <td>
              <LocalTime iso={t.lastUsedAt} />
            </td>
            <td>
              {onRevoke && t.status === 'active' && (
                <ConfirmButton
                  label="Revoke"
                  question={`Revoke the token ${t.name}?`}
                  onConfirm={() => onRevoke(t)}
                />
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
