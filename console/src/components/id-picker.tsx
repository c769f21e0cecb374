/**
 * Picking the tenant's roles or groups by id: from the tenant's own list when the viewer may
 * read it (no typing, no typos), else a plain text field and the API says what it refuses.
 */
import { useEffect, useState } from 'preact/hooks';
import { useCan } from '../abilities.js';
import type { ApiClient } from '../api/client.js';
import type { paths } from '../api/schema.js';

export type IdKind = 'roles' | 'groups';

type ListOf<P extends keyof paths> = paths[P] extends {
  get: { responses: { 200: { content: { 'application/json': { items: (infer I)[] } } } } };
}
  ? I
  : never;
/** A role or a group as the tenant's list gives it. */
export type RoleItem = ListOf<'/v1/tenants/{tenantId}/roles'>;
export type GroupItem = ListOf<'/v1/tenants/{tenantId}/groups'>;

/** The most a picker reads (the tenant limits keep real tenants far below it). */
const MOST_LISTED = 5000;

/**
 * Every role or group of the tenant, following the list's pages (100 at a time) to its end, or
 * undefined when the viewer may not read the list or a page could not be read. Removal must
 * offer every id a member may hold, not only the first page.
 */
export function useTenantList<K extends IdKind>(
  api: ApiClient,
  tenantId: string,
  kind: K,
): (K extends 'roles' ? RoleItem : GroupItem)[] | undefined {
  const can = useCan();
  const path = `/v1/tenants/{tenantId}/${kind as IdKind}` as const;
  const readable = can('GET', path);
  const [items, setItems] = useState<(RoleItem | GroupItem)[]>();
  useEffect(() => {
    setItems(undefined);
    if (!readable) return;
    let current = true;
    void (async () => {
      const all: (RoleItem | GroupItem)[] = [];
      let cursor: string | undefined;
      do {
        const { data } = await api.GET(path, {
          params: { path: { tenantId }, query: { limit: 100, ...(cursor ? { cursor } : {}) } },
        });
        if (!data) return;
        all.push(...data.items);
        cursor = data.nextCursor ?? undefined;
      } while (cursor && all.length < MOST_LISTED);
      if (current) setItems(all);
    })();
    return () => {
      current = false;
    };
  }, [api, tenantId, path, readable]);
  return items as (K extends 'roles' ? RoleItem : GroupItem)[] | undefined;
}

/** The ids of every role or group of the tenant (see `useTenantList`). */
export function useTenantIds(api: ApiClient, tenantId: string, kind: IdKind) {
  const items = useTenantList(api, tenantId, kind);
  return items?.map((i) => ('roleId' in i ? i.roleId : i.groupId));
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
