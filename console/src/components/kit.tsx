/**
 * The console's shared pieces, so every screen looks and behaves alike: a result per item of a
 * bulk action, an alert, a destructive button that asks first, and cursor paging of a list.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { problemText } from '../api/client.js';

export interface ItemResult {
  /** What the result is about (an address, a member's email, a token's name). */
  label: string;
  ok: boolean;
  text: string;
}

/** One line per item of a bulk action, green or red, read out when it appears. */
export function ResultList({ title, results }: { title: string; results: ItemResult[] }) {
  if (results.length === 0) return null;
  return (
    <ul aria-label={title} class="results" aria-live="polite">
      {results.map((r) => (
        <li key={r.label} class={r.ok ? 'ok' : 'error'}>
          {r.label}: {r.text}
        </li>
      ))}
    </ul>
  );
}

/** A message that belongs to no single field (announced to screen readers). */
export function Alert({ text }: { text?: string }) {
  if (!text) return null;
  return (
    <p class="error" role="alert">
      {text}
    </p>
  );
}

/**
 * A destructive action that asks first: the button turns into "Delete x? Yes / Cancel", keyboard
 * focus moving to the confirmation.
 */
export function ConfirmButton({
  label,
  question,
  onConfirm,
}: {
  /** The button's text (`Delete`), with the target for screen readers in `question`. */
  label: ComponentChildren;
  /** The question asked (`Delete ann@example.com?`). */
  question: string;
  onConfirm: () => unknown;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button
        type="button"
        aria-label={question.replace(/\?$/, '')}
        onClick={() => setAsking(true)}
      >
        {label}
      </button>
    );
  return (
    <fieldset class="confirm">
      <legend>{question}</legend>
      <button
        type="button"
        class="danger"
        ref={(el) => el?.focus()}
        onClick={async () => {
          setAsking(false);
          await onConfirm();
        }}
      >
        Yes
      </button>{' '}
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </fieldset>
  );
}

/** A page of a list as the API returns it. */
export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

/**
 * Cursor paging of one list: `load()` fetches the first page again, `more()` appends the next.
 * `fetchPage` returns the page, or a problem whose text becomes `error`.
 */
export function usePaged<T>(
  fetchPage: (cursor?: string) => Promise<{ data?: Page<T>; error?: unknown }>,
  failure = 'The list could not be loaded.',
) {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  async function fetchInto(after?: string) {
    const { data, error: problem } = await fetchPage(after);
    if (!data) return setError(problemText(problem, failure));
    setError(undefined);
    setItems((previous) => [...(after ? previous : []), ...data.items]);
    setCursor(data.nextCursor ?? null);
  }
  return {
    items,
    error,
    hasMore: cursor !== null,
    load: () => fetchInto(),
    more: () => (cursor ? fetchInto(cursor) : Promise.resolve()),
  };
}
