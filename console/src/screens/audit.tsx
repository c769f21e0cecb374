/**
 * Audit log: the tenant's changes newest first, paged through the API's cursor; filters by
 * actor, target and time (the API's), and by action on the events loaded so far.
 */
import { useEffect, useState } from 'preact/hooks';
import { fieldError } from '../api/client.js';
import { TextField } from '../components/field.js';
import { Alert, usePaged } from '../components/kit.js';
import { LocalTime } from '../components/time.js';
import type { ScreenProps } from './index.js';

const CREDENTIAL: Record<string, string> = {
  session: 'signed in',
  'personal-token': 'personal token',
  'api-token': 'API token',
};

interface Filters {
  actor: string;
  target: string;
  /** `datetime-local` value: the viewer's local time, turned into UTC for the API. */
  since: string;
}

function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? value : at.toISOString();
}

/** Before and after of a change, folded away until asked for. */
function Change({ before, after }: { before?: unknown; after?: unknown }) {
  if (before === undefined && after === undefined) return null;
  return (
    <details>
      <summary>Before and after</summary>
      {before !== undefined && (
        <>
          <h4>Before</h4>
          <pre>{JSON.stringify(before, null, 2)}</pre>
        </>
      )}
      {after !== undefined && (
        <>
          <h4>After</h4>
          <pre>{JSON.stringify(after, null, 2)}</pre>
        </>
      )}
    </details>
  );
}

export function AuditScreen({ api, tenantId, me }: ScreenProps) {
  const [draft, setDraft] = useState<Filters>({ actor: '', target: '', since: '' });
  const [applied, setApplied] = useState<Filters>(draft);
  const [action, setAction] = useState('');
  const [problem, setProblem] = useState<unknown>();
  const events = usePaged(async (cursor) => {
    const since = localToIso(applied.since);
    const res = await api.GET('/v1/tenants/{tenantId}/audit', {
      params: {
        path: { tenantId },
        query: {
          limit: 50,
          ...(cursor ? { cursor } : {}),
          ...(applied.actor.trim() ? { actor: applied.actor.trim() } : {}),
          ...(applied.target.trim() ? { target: applied.target.trim() } : {}),
          ...(since ? { since } : {}),
        },
      },
    });
    setProblem(res.error);
    return res;
  }, 'The audit log could not be loaded.');

  useEffect(() => {
    void events.load();
  }, [tenantId, applied]);

  const shown = events.items.filter((e) => !action.trim() || e.action.includes(action.trim()));
  const errors = {
    actor: fieldError(problem, 'query.actor'),
    target: fieldError(problem, 'query.target'),
    since: fieldError(problem, 'query.since'),
  };
  const named = Boolean(errors.actor || errors.target || errors.since);
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <form
        aria-label="Filter the audit log"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setApplied({ ...draft });
        }}
      >
        <div class="row">
          <TextField
            id="audit-actor"
            label="Actor"
            value={draft.actor}
            onInput={(actor) => setDraft({ ...draft, actor })}
            error={errors.actor}
            hint="A user id, or service-account:<id>"
          />
          <TextField
            id="audit-target"
            label="Target"
            value={draft.target}
            onInput={(target) => setDraft({ ...draft, target })}
            error={errors.target}
            hint="e.g. member:<user id>, service-account:<id>"
          />
          <TextField
            id="audit-since"
            label="Since"
            type="datetime-local"
            value={draft.since}
            onInput={(since) => setDraft({ ...draft, since })}
            error={errors.since}
            hint="Your local time"
          />
          <button type="submit" class="primary">
            Filter
          </button>
          <button
            type="button"
            onClick={() => {
              const none = { actor: '', target: '', since: '' };
              setDraft(none);
              setApplied(none);
              setAction('');
            }}
          >
            Clear
          </button>
        </div>
        <div class="row">
          <TextField
            id="audit-action"
            label="Action contains"
            value={action}
            onInput={setAction}
            hint="e.g. api-token, member.delete (filters the events loaded below)"
          />
          <button
            type="button"
            onClick={() => {
              const mine = { ...draft, actor: me.userId };
              setDraft(mine);
              setApplied(mine);
            }}
          >
            Only my changes
          </button>
        </div>
      </form>
      {!named && <Alert text={events.error} />}
      {shown.length === 0 ? (
        <p>No events match.</p>
      ) : (
        <table>
          <caption class="visually-hidden">Audit events of {tenantId}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((e) => (
              <tr key={e.eventId}>
                <td>
                  <LocalTime iso={e.at} />
                </td>
                <td>
                  {e.actor === me.userId ? `you (${me.email})` : e.actor}
                  {e.credential && <small> via {CREDENTIAL[e.credential] ?? e.credential}</small>}
                </td>
                <td>{e.action}</td>
                <td>{e.target}</td>
                <td>
                  <Change before={e.before} after={e.after} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {events.hasMore && (
        <button type="button" onClick={events.more}>
          Load older events
        </button>
      )}
    </section>
  );
}
