/**
 * Audit log: the tenant's changes newest first, paged through the API's cursor; every filter
 * (actor, target, actions, since and until) is the API's, and "Load older events" keeps them.
 */
import { useEffect, useState } from 'preact/hooks';
import { AUDIT_ACTIONS } from '#shared/audit/audit-actions.js';
import { fieldError } from '../api/client.js';
import { idList, Suggestions, TextField } from '../components/field.js';
import { Alert, usePaged } from '../components/kit.js';
import { useMemberEmails } from '../components/member-emails.js';
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
  /** Action names, separated by commas or spaces. */
  action: string;
  /** `datetime-local` values: the viewer's local time, turned into UTC for the API. */
  since: string;
  until: string;
}

const NO_FILTERS: Filters = { actor: '', target: '', action: '', since: '', until: '' };

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
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [applied, setApplied] = useState<Filters>(draft);
  const [problem, setProblem] = useState<unknown>();
  const events = usePaged(async (cursor) => {
    const since = localToIso(applied.since);
    const until = localToIso(applied.until);
    const action = idList(applied.action).join(',');
    const res = await api.GET('/v1/tenants/{tenantId}/audit', {
      params: {
        path: { tenantId },
        query: {
          limit: 50,
          ...(cursor ? { cursor } : {}),
          ...(applied.actor.trim() ? { actor: applied.actor.trim() } : {}),
          ...(applied.target.trim() ? { target: applied.target.trim() } : {}),
          ...(action ? { action } : {}),
          ...(since ? { since } : {}),
          ...(until ? { until } : {}),
        },
      },
    });
    setProblem(res.error);
    return res;
  }, 'The audit log could not be loaded.');

  useEffect(() => {
    void events.load();
  }, [tenantId, applied]);

  const shown = events.items;
  const errors = {
    actor: fieldError(problem, 'query.actor'),
    target: fieldError(problem, 'query.target'),
    action: fieldError(problem, 'query.action'),
    since: fieldError(problem, 'query.since'),
    until: fieldError(problem, 'query.until'),
  };
  const named = Object.values(errors).some(Boolean);
  // Actors are user ids (or service-account:..., system:...); show members' emails.
  const emails = useMemberEmails(
    api,
    tenantId,
    events.items.map((e) => e.actor),
  );
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
            id="audit-action"
            label="Actions"
            value={draft.action}
            onInput={(action) => setDraft({ ...draft, action })}
            error={errors.action}
            list="audit-actions"
            hint="One or more, separated by commas, e.g. member.role.bind, group.role.bind"
          />
          <Suggestions id="audit-actions" values={AUDIT_ACTIONS} />
        </div>
        <div class="row">
          <TextField
            id="audit-since"
            label="Since"
            type="datetime-local"
            value={draft.since}
            onInput={(since) => setDraft({ ...draft, since })}
            error={errors.since}
            hint="Your local time, included"
          />
          <TextField
            id="audit-until"
            label="Until"
            type="datetime-local"
            value={draft.until}
            onInput={(until) => setDraft({ ...draft, until })}
            error={errors.until}
            hint="Your local time, not included"
          />
          <button type="submit" class="primary">
            Filter
          </button>
          <button
            type="button"
            onClick={() => {
              setDraft(NO_FILTERS);
              setApplied(NO_FILTERS);
            }}
          >
            Clear
          </button>
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
        <p>
          {events.hasMore
            ? 'No events match among the newest ones. Load older events to look further back.'
            : 'No events match.'}
        </p>
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
                  {e.actor === me.userId ? `you (${me.email})` : (emails[e.actor] ?? e.actor)}
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
