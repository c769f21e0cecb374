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

const FIELDS = {
  name: 'body.name',
  inviteTtlHours: 'body.settings.inviteTtlHours',
  defaultRoles: 'body.settings.defaultRoles',
  defaultGroups: 'body.settings.defaultGroups',
  maxResendsPerHour: 'body.settings.maxResendsPerHour',
} as const;

/** The bounds of the number fields (the API's, repeated in plain words). */
const RANGES = { inviteTtlHours: [1, 720], maxResendsPerHour: [1, 50] } as const;

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
  /** The API's words for a field; a number out of range is said with the range. */
  const errorOf = (field: keyof Form) => {
    const message = errorUnder(problem, FIELDS[field]);
    const range = field in RANGES ? RANGES[field as keyof typeof RANGES] : undefined;
    return message && range ? `Enter a whole number from ${range[0]} to ${range[1]}.` : message;
  };
  const named = (Object.keys(FIELDS) as (keyof Form)[]).some((f) => errorOf(f));
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <form class="card" onSubmit={save} noValidate aria-label="Tenant settings">
        <fieldset class="plain" disabled={!editable}>
          <TextField
            id="settings-name"
            label="Tenant name"
            value={form.name}
            onValue={set('name')}
            error={errorOf('name')}
          />
          <TextField
            id="settings-ttl"
            label="Invite lifetime (hours)"
            type="number"
            min={RANGES.inviteTtlHours[0]}
            max={RANGES.inviteTtlHours[1]}
            value={form.inviteTtlHours}
            onValue={set('inviteTtlHours')}
            error={errorOf('inviteTtlHours')}
            hint="How long an invite link works: 1 to 720 hours (30 days)."
          />
          <TextField
            id="settings-roles"
            label="Default roles"
            value={form.defaultRoles}
            onValue={set('defaultRoles')}
            error={errorOf('defaultRoles')}
            hint="Role ids every new member gets, separated by commas or spaces."
          />
          <TextField
            id="settings-groups"
            label="Default groups"
            value={form.defaultGroups}
            onValue={set('defaultGroups')}
            error={errorOf('defaultGroups')}
            hint="Group ids every new member joins, separated by commas or spaces."
          />
          <TextField
            id="settings-resends"
            label="Resends per invite per hour"
            type="number"
            min={RANGES.maxResendsPerHour[0]}
            max={RANGES.maxResendsPerHour[1]}
            value={form.maxResendsPerHour}
            onValue={set('maxResendsPerHour')}
            error={errorOf('maxResendsPerHour')}
            hint="How often one invite may be sent again within an hour: 1 to 50."
          />
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
