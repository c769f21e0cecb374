/**
 * Picking the tenant's roles or groups by id: from the tenant's own list when the viewer may
 * read it (no typing, no typos), else a plain text field and the API says what it refuses.
 */
import { useEffect, useState } from 'preact/hooks';
import { useCan } from '../abilities.js';
import type { ApiClient } from '../api/client.js';

export type IdKind = 'roles' | 'groups';

/**
 * The ids of the tenant's roles or groups (first 100), or undefined when the viewer may not
 * read the list or it could not be read.
 */
export function useTenantIds(api: ApiClient, tenantId: string, kind: IdKind) {
  const can = useCan();
  const path = `/v1/tenants/{tenantId}/${kind}` as const;
  const readable = can('GET', path);
  const [ids, setIds] = useState<string[]>();
  useEffect(() => {
    setIds(undefined);
    if (!readable) return;
    void api
      .GET(path, { params: { path: { tenantId }, query: { limit: 100 } } })
      .then(({ data }) => {
        if (data) setIds(data.items.map((i) => ('roleId' in i ? i.roleId : i.groupId)));
      });
  }, [api, tenantId, path, readable]);
  return ids;
}

/** One role or group: a choice among `options` when known, else a text field. */
export function IdPicker(props: {
  id: string;
  label: string;
  options: string[] | undefined;
  value: string;
  onChange: (value: string) => void;
}) {
  const { id, label, options, value, onChange } = props;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {options ? (
        <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
          <option value="">Choose...</option>
          {options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : (
        <input id={id} value={value} onInput={(e) => onChange(e.currentTarget.value)} />
      )}
    </div>
  );
}

/** Several roles or groups: a checkbox each when `options` are known, else ids in a text field. */
export function IdChecklist(props: {
  id: string;
  label: string;
  options: string[] | undefined;
  value: string[];
  onChange: (value: string[]) => void;
}) {
  const { id, label, options, value, onChange } = props;
  if (!options) return <IdText {...props} />;
  return (
    <fieldset class="id-checklist" id={id}>
      <legend>{label}</legend>
      {options.length === 0 && <small>None that you may hand out.</small>}
      {options.map((o) => (
        <label key={o}>
          <input
            type="checkbox"
            checked={value.includes(o)}
            onChange={(e) =>
              onChange(e.currentTarget.checked ? [...value, o] : value.filter((v) => v !== o))
            }
          />{' '}
          {o}
        </label>
      ))}
    </fieldset>
  );
}

/** Ids typed into one field, kept as typed (the parsed list goes to `onChange`). */
function IdText(props: { id: string; label: string; onChange: (value: string[]) => void }) {
  const { id, label, onChange } = props;
  const [text, setText] = useState('');
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        aria-describedby={`${id}-hint`}
        value={text}
        onInput={(e) => {
          setText(e.currentTarget.value);
          onChange(
            e.currentTarget.value
              .split(/[\s,]+/)
              .map((s) => s.trim())
              .filter(Boolean),
          );
        }}
      />
      <small id={`${id}-hint`}>Ids separated by commas or spaces.</small>
    </div>
  );
}
