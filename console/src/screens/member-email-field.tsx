/**
 * A member's email field that suggests the members whose email starts with what was typed, so
 * an admin picks someone from the member list or types the address.
 */
import { useEffect, useState } from 'preact/hooks';
import { useCan } from '../abilities.js';
import type { ApiClient } from '../api/client.js';
import { Suggestions, TextField } from '../components/field.js';

/**
 * Emails of members starting with what was typed (the members list's prefix search), for a
 * field's suggestions; asked a moment after typing stops, and only when the viewer may list.
 */
function useMemberEmails(api: ApiClient, tenantId: string, typed: string): string[] {
  const can = useCan();
  const allowed = can('GET', '/v1/tenants/{tenantId}/members');
  const [emails, setEmails] = useState<string[]>([]);
  useEffect(() => {
    const prefix = typed.trim().toLowerCase();
    if (!allowed || !prefix) return setEmails([]);
    const timer = setTimeout(async () => {
      const { data } = await api.GET('/v1/tenants/{tenantId}/members', {
        params: { path: { tenantId }, query: { email: prefix, limit: 10 } },
      });
      setEmails(data?.items.map((m) => m.email) ?? []);
    }, 250);
    return () => clearTimeout(timer);
  }, [tenantId, typed, allowed]);
  return emails;
}

/** The email field (its error beside it) with member suggestions as the person types. */
export function MemberEmailField({
  api,
  tenantId,
  id,
  label,
  value,
  error,
  onInput,
}: {
  api: ApiClient;
  tenantId: string;
  id: string;
  label: string;
  value: string;
  error?: string;
  onInput: (value: string) => void;
}) {
  const suggested = useMemberEmails(api, tenantId, value);
  return (
    <>
      <TextField
        id={id}
        type="email"
        label={label}
        list={`${id}-suggestions`}
        value={value}
        error={error}
        onInput={onInput}
      />
      <Suggestions id={`${id}-suggestions`} values={suggested} />
    </>
  );
}
