/**
 * Settings: the tenant's name, invite lifetime, what a new member receives (default roles and
 * groups) and how often an invite may be resent; each problem next to its field, and a saved
 * confirmation.
 */
import { useEffect, useState } from 'preact/hooks';
import { useCan } from '../abilities.js';
import { type Problem, problemText } from '../api/client.js';
import { idList, TextField } from '../components/field.js';
import { Alert } from '../components/kit.js';
import type { ScreenProps } from './index.js';

interface Form {
  name: string;
  inviteTtlHours: string;
  defaultRoles: string;
  defaultGroups: string;
  maxResendsPerHour: string;
}

/** The first message the problem has for this field or any part of it (`...defaultRoles.1`). */
function errorUnder(problem: unknown, path: string): string | undefined {
  const hit = (problem as Problem | undefined)?.errors?.find(
    (e) => e.path === path || e.path?.startsWith(`${path}.`),
  );
  return hit?.message;
}

/** The form's fields, in order: where the API names each (`errors[].path`), and a number's bounds. */
const FIELDS: {
  key: keyof Form;
  id: string;
  label: string;
  path: string;
  hint?: string;
  range?: readonly [number, number];
}[] = [
  { key: 'name', id: 'settings-name', label: 'Tenant name', path: 'body.name' },
  {
    key: 'inviteTtlHours',
    id: 'settings-ttl',
    label: 'Invite lifetime (hours)',
    path: 'body.settings.inviteTtlHours',
    hint: 'How long an invite link works: 1 to 720 hours (30 days).',
    range: [1, 720],
  },
  {
    key: 'defaultRoles',
    id: 'settings-roles',
    label: 'Default roles',
    path: 'body.settings.defaultRoles',
    hint: 'Role ids every new member gets, separated by commas or spaces.',
  },
  {
    key: 'defaultGroups',
    id: 'settings-groups',
    label: 'Default groups',
    path: 'body.settings.defaultGroups',
    hint: 'Group ids every new member joins, separated by commas or spaces.',
  },
  {
    key: 'maxResendsPerHour',
    id: 'settings-resends',
    label: 'Resends per invite per hour',
    path: 'body.settings.maxResendsPerHour',
    hint: 'How often one invite may be sent again within an hour: 1 to 50.',
    range: [1, 50],
  },
];

/** The API's words for a field; a number out of range is said with the range. */
function errorOf(problem: unknown, field: (typeof FIELDS)[number]): string | undefined {
  const message = errorUnder(problem, field.path);
  return message && field.range
    ? `Enter a whole number from ${field.range[0]} to ${field.range[1]}.`
    : message;
}

/** A number field's text as the API wants it (not a number stays one, for the API to name). */
const asNumber = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

export function SettingsScreen({ api, tenantId }: ScreenProps) {
  const can = useCan();
  const editable = can('PATCH', '/v1/tenants/{tenantId}');
  const [form, setForm] = useState<Form>();
  const [problem, setProblem] = useState<unknown>();
  const [saved, setSaved] = useState(false);

  async function load() {
    const { data, error } = await api.GET('/v1/tenants/{tenantId}', {
      params: { path: { tenantId } },
    });
    if (!data) return setProblem(error ?? {});
    setProblem(undefined);
    setForm({
      name: data.name,
      inviteTtlHours: String(data.settings.inviteTtlHours),
      defaultRoles: data.settings.defaultRoles.join(', '),
      defaultGroups: data.settings.defaultGroups.join(', '),
      maxResendsPerHour: String(data.settings.maxResendsPerHour),
    });
  }

  useEffect(() => {
    setSaved(false);
    void load();
  }, [tenantId]);

  if (!form)
    return (
      <section aria-labelledby="settings-title">
        <h1 id="settings-title">Settings</h1>
        {problem ? (
          <Alert text={problemText(problem, 'The settings could not be loaded.')} />
        ) : null}
      </section>
    );

  async function save(e: Event) {
    e.preventDefault();
    if (!form) return;
    setSaved(false);
    const { data, error } = await api.PATCH('/v1/tenants/{tenantId}', {
      params: { path: { tenantId } },
      body: {
        name: form.name.trim(),
        settings: {
          inviteTtlHours: asNumber(form.inviteTtlHours),
          defaultRoles: idList(form.defaultRoles),
          defaultGroups: idList(form.defaultGroups),
          maxResendsPerHour: asNumber(form.maxResendsPerHour),
        },
      },
    });
    if (!data) return setProblem(error ?? {});
    setProblem(undefined);
    setSaved(true);
  }

  const set = (field: keyof Form) => (value: string) => {
    setSaved(false);
    setForm({ ...form, [field]: value });
  };
  const named = FIELDS.some((f) => errorOf(problem, f));
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <form class="card" onSubmit={save} noValidate aria-label="Tenant settings">
        <fieldset class="plain" disabled={!editable}>
          {FIELDS.map((f) => (
            <TextField
              key={f.key}
              id={f.id}
              label={f.label}
              type={f.range ? 'number' : 'text'}
              min={f.range?.[0]}
              max={f.range?.[1]}
              value={form[f.key]}
              onInput={set(f.key)}
              error={errorOf(problem, f)}
              hint={f.hint}
            />
          ))}
        </fieldset>
        {problem !== undefined && !named && <Alert text={problemText(problem)} />}
        <p class="ok" role="status">
          {saved ? 'Saved. New invites use these settings from now on.' : ''}
        </p>
        {editable ? (
          <button type="submit" class="primary">
            Save settings
          </button>
        ) : (
          <p>You may read these settings but not change them.</p>
        )}
      </form>
    </section>
  );
}
