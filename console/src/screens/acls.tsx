/**
 * ACLs (DC/OS permissions): browse the rules on a resource and under it, see which resources
 * above it pass their rules down, grant an action on a resource to a member (by email) or a
 * group, and revoke a rule.
 */
import { useEffect, useState } from 'preact/hooks';
import { useCan } from '../abilities.js';
import { type ApiClient, problemText } from '../api/client.js';
import { SelectField, Suggestions, TextField } from '../components/field.js';
import { useTenantIds } from '../components/id-picker.js';
import { Alert, ConfirmButton, usePaged } from '../components/kit.js';
import { useMemberEmails } from '../components/member-emails.js';
import { type Action, findMemberByEmail, inheritedFrom, splitPrincipal } from './access-terms.js';
import { GROUP_RULE, GrantForm, USER_RULE } from './acl-grant-form.js';
import type { ScreenProps } from './index.js';
import { MemberEmailField } from './member-email-field.js';

const LIST = '/v1/tenants/{tenantId}/acls' as const;

interface Rule {
  principal: string;
  resource: string;
  action: Action;
}

/**
 * The rules on each resource above `resource` (they apply to it too), read one listing per
 * level; a level whose listing has more than one page is named in `cut` (its own rules may be
 * on a later page), so the viewer can open it. Only `principal`'s rules when given (`user:<id>`,
 * `group:<id>`). Read again whenever `reload` changes.
 */
function useInherited(
  api: ApiClient,
  tenantId: string,
  resource: string,
  principal: string,
  reload: unknown,
) {
  const [state, setState] = useState<{ rules: Rule[]; cut: string[] }>({ rules: [], cut: [] });
  useEffect(() => {
    let live = true;
    const levels = resource ? inheritedFrom(resource) : [];
    void Promise.all(
      levels.map(async (level) => {
        const { data } = await api.GET(LIST, {
          params: {
            path: { tenantId },
            query: { resource: level, limit: 100, ...(principal ? { principal } : {}) },
          },
        });
        return {
          rules: (data?.items ?? []).filter((r) => r.resource === level),
          cut: data?.nextCursor !== null ? [level] : [],
        };
      }),
    ).then((parts) => {
      if (live)
        setState({ rules: parts.flatMap((p) => p.rules), cut: parts.flatMap((p) => p.cut) });
    });
    return () => {
      live = false;
    };
  }, [tenantId, resource, principal, reload]);
  return state;
}

/** Rules as a table: each resource opens its own rules; Revoke when `revoke` is given and allowed. */
function RuleTable({
  caption,
  rules,
  empty,
  who,
  browse,
  revoke,
}: {
  caption: string;
  rules: Rule[];
  empty: string;
  who: (principal: string) => string;
  browse: (resource: string) => void;
  revoke?: (rule: Rule) => Promise<void>;
}) {
  const can = useCan();
  const revocable = (r: Rule) =>
    revoke !== undefined &&
    can('DELETE', splitPrincipal(r.principal).kind === 'group' ? GROUP_RULE : USER_RULE);
  const columns = revoke ? 4 : 3;
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Resource</th>
          <th scope="col">Action</th>
          <th scope="col">Granted to</th>
          {revoke && <th scope="col">Actions</th>}
        </tr>
      </thead>
      <tbody>
        {rules.map((r) => (
          <tr key={`${r.principal} ${r.resource} ${r.action}`}>
            <td>
              <button type="button" class="link" onClick={() => browse(r.resource)}>
                {r.resource}
              </button>
            </td>
            <td>{r.action}</td>
            <td>{who(r.principal)}</td>
            {revoke && (
              <td>
                {revocable(r) && (
                  <ConfirmButton
                    label="Revoke"
                    question={`Revoke ${r.action} on ${r.resource} from ${who(r.principal)}?`}
                    onConfirm={() => revoke(r)}
                  />
                )}
              </td>
            )}
          </tr>
        ))}
        {rules.length === 0 && empty && (
          <tr>
            <td colSpan={columns}>{empty}</td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

export function AclsScreen(props: ScreenProps) {
  const { api, tenantId } = props;
  const can = useCan();
  const [typed, setTyped] = useState('');
  const [browsed, setBrowsed] = useState('');
  const [grantee, setGrantee] = useState({ to: 'anyone', who: '' });
  const [granteeError, setGranteeError] = useState<string>();
  /** Whose rules are shown: '' for everyone's, else `user:<id>` or `group:<id>`, and in words. */
  const [principal, setPrincipal] = useState({ id: '', words: '' });
  const groupIds = useTenantIds(api, tenantId, 'groups') ?? [];
  const [failure, setFailure] = useState<string>();
  const rules = usePaged<Rule>(
    (cursor) =>
      api.GET(LIST, {
        params: {
          path: { tenantId },
          query: {
            limit: 50,
            ...(browsed ? { resource: browsed } : {}),
            ...(principal.id ? { principal: principal.id } : {}),
            ...(cursor ? { cursor } : {}),
          },
        },
      }),
    'The rules could not be loaded.',
  );

  useEffect(() => {
    void rules.load();
  }, [tenantId, browsed, principal]);
  const inherited = useInherited(api, tenantId, browsed, principal.id, rules.items);
  // Rules name members by userId; show their emails.
  const emails = useMemberEmails(
    api,
    tenantId,
    [...rules.items, ...inherited.rules]
      .map((r) => splitPrincipal(r.principal))
      .filter((p) => p.kind === 'user')
      .map((p) => p.id),
  );

  function browse(resource: string) {
    setTyped(resource);
    setBrowsed(resource);
  }

  /** Shows the typed resource's rules, only those of the member or group named if one is. */
  async function show(e: Event) {
    e.preventDefault();
    let next = { id: '', words: '' };
    if (grantee.to === 'member') {
      const found = await findMemberByEmail(api, tenantId, grantee.who);
      if ('error' in found) return setGranteeError(found.error);
      next = { id: `user:${found.userId}`, words: found.email };
    } else if (grantee.to === 'group') {
      const groupId = grantee.who.trim();
      if (!groupId) return setGranteeError('Enter the group whose rules to show.');
      next = { id: `group:${groupId}`, words: `group ${groupId}` };
    }
    setGranteeError(undefined);
    setPrincipal(next);
    browse(typed.trim());
  }

  async function revoke(rule: Rule) {
    const { kind, id } = splitPrincipal(rule.principal);
    const path = { tenantId, rid: rule.resource, action: rule.action };
    const { response, error } =
      kind === 'group'
        ? await api.DELETE(GROUP_RULE, { params: { path: { ...path, groupId: id } } })
        : await api.DELETE(USER_RULE, { params: { path: { ...path, userId: id } } });
    setFailure(response.ok ? undefined : problemText(error));
    await rules.load();
  }

  const who = (principal: string) => {
    const { kind, id } = splitPrincipal(principal);
    return kind === 'group' ? `group ${id}` : (emails[id] ?? id);
  };
  const above = browsed ? inheritedFrom(browsed) : [];

  return (
    <section aria-labelledby="acls-title">
      <h1 id="acls-title">ACLs</h1>
      <form class="row" aria-label="Browse rules by resource" noValidate onSubmit={show}>
        <TextField
          id="acl-resource"
          label="Resource"
          hint="Rules on this resource and under it; empty shows every rule."
          value={typed}
          onInput={setTyped}
        />
        <SelectField
          id="acl-grantee"
          label="Granted to"
          value={grantee.to}
          options={['anyone', 'member', 'group']}
          onInput={(to) => setGrantee({ to, who: '' })}
        />
        {grantee.to === 'member' && (
          <MemberEmailField
            api={api}
            tenantId={tenantId}
            id="acl-grantee-who"
            label="Whose email"
            value={grantee.who}
            error={granteeError}
            onInput={(who) => setGrantee({ ...grantee, who })}
          />
        )}
        {grantee.to === 'group' && (
          <TextField
            id="acl-grantee-who"
            label="Which group"
            list="group-ids"
            value={grantee.who}
            error={granteeError}
            onInput={(who) => setGrantee({ ...grantee, who })}
          />
        )}
        <button type="submit">Show rules</button>
      </form>
      {browsed && (
        <nav aria-label="Resources above" class="crumbs">
          {above.length === 0 ? (
            <p>Nothing is above {browsed}: only its own rules and those under it apply.</p>
          ) : (
            <p>
              Rules on these also apply to {browsed}:{' '}
              {above.map((r) => (
                <button type="button" class="link" key={r} onClick={() => browse(r)}>
                  {r}
                </button>
              ))}{' '}
              <button type="button" class="link" onClick={() => browse('')}>
                every rule
              </button>
            </p>
          )}
        </nav>
      )}
      <Alert text={rules.error ?? failure} />
      <Suggestions id="group-ids" values={groupIds} />
      <RuleTable
        caption={
          (browsed ? `Rules on ${browsed} and under it` : 'Every rule') +
          (principal.words ? `, granted to ${principal.words}` : '')
        }
        rules={rules.items}
        empty={rules.error ? '' : 'No rules here.'}
        who={who}
        browse={browse}
        revoke={revoke}
      />
      {rules.hasMore && (
        <button type="button" onClick={rules.more}>
          Load more rules
        </button>
      )}
      {browsed && above.length > 0 && (
        <RuleTable
          caption={`Inherited: rules on the resources above ${browsed}`}
          rules={inherited.rules}
          empty="No rules on the resources above."
          who={who}
          browse={browse}
        />
      )}
      {inherited.cut.length > 0 && (
        <p>
          Only the first 100 rules under {inherited.cut.join(', ')} were looked at; open{' '}
          {inherited.cut.length === 1 ? 'it' : 'them'} to see every rule there.
        </p>
      )}
      {(can('PUT', USER_RULE) || can('PUT', GROUP_RULE)) && (
        <GrantForm
          {...props}
          resource={browsed}
          onGranted={(resource) => (resource === browsed ? void rules.load() : browse(resource))}
        />
      )}
    </section>
  );
}
