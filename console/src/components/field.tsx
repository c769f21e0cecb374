/**
 * A labelled form field with its hint and its error right below it (the input is marked invalid
 * and described by both), so every form reads and announces its problems the same way.
 */
import type { ComponentChildren } from 'preact';

interface FieldProps {
  id: string;
  label: ComponentChildren;
  value: string;
  onInput: (value: string) => void;
  error?: string;
  hint?: string;
  /** Suggestions offered as the person types (the id of a `<datalist>`). */
  list?: string;
  type?: 'text' | 'email' | 'number' | 'datetime-local';
  required?: boolean;
  min?: number;
  max?: number;
}

/** What the input is described by: its hint and, when there is one, its error. */
function describedBy(id: string, hint?: string, error?: string): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

/** The hint and the error under a field (the error has the id its input points to). */
export function FieldNotes({ id, hint, error }: { id: string; hint?: string; error?: string }) {
  return (
    <>
      {hint && <small id={`${id}-hint`}>{hint}</small>}
      {error && (
        <p class="error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </>
  );
}

/** A text input with its label, hint and error. */
export function TextField({
  id,
  label,
  value,
  onInput,
  error,
  hint,
  list,
  type,
  required,
  min,
  max,
}: FieldProps) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        // preact's types pair each input type with its own attributes; these share them.
        type={(type ?? 'text') as 'number'}
        min={min}
        max={max}
        value={value}
        list={list}
        required={required}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, hint, error)}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
      <FieldNotes id={id} hint={hint} error={error} />
    </div>
  );
}

/** A select with its label and error; `options` are values shown as they are. */
export function SelectField({
  id,
  label,
  value,
  onInput,
  error,
  options,
}: Omit<FieldProps, 'list' | 'type' | 'hint' | 'required'> & { options: readonly string[] }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select
        id={id}
        value={value}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, undefined, error)}
        onChange={(e) => onInput(e.currentTarget.value)}
      >
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
      <FieldNotes id={id} error={error} />
    </div>
  );
}

/** Suggestions for a field (`<TextField list="...">`): the ids already known. */
export function Suggestions({ id, values }: { id: string; values: readonly string[] }) {
  return (
    <datalist id={id}>
      {values.map((v) => (
        <option key={v} value={v} />
      ))}
    </datalist>
  );
}

/** Ids typed as a list (`a, b c`), as the API's arrays of ids want them. */
export function idList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
