/**
 * One labelled form field with its hint and its error next to it (tied by aria-describedby), so
 * every form of the console reads the same to a screen reader.
 */
export function TextField({
  id,
  label,
  value,
  onValue,
  error,
  hint,
  type = 'text',
  min,
  max,
}: {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  error?: string;
  hint?: string;
  type?: 'text' | 'number' | 'datetime-local';
  min?: number;
  max?: number;
}) {
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        // preact's types pair each input type with its own attributes; these three share them.
        type={type as 'number'}
        min={min}
        max={max}
        value={value}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy || undefined}
        onInput={(e) => onValue(e.currentTarget.value)}
      />
      {hint && <small id={`${id}-hint`}>{hint}</small>}
      {error && (
        <p class="error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** Ids typed as a list (`a, b c`), as the API's arrays of ids want them. */
export function idList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
