/**
 * One row of the members table. Memoised: "Load more" appends 50 rows to hundreds, and only the
 * new rows (or one whose member or selection changed) render again, not the whole table. So its
 * props are values and one stable `handlers` object (see `useRowHandlers`).
 */
import { memo } from 'preact/compat';
import { useMemo, useRef } from 'preact/hooks';
import { ConfirmButton } from '../components/kit.js';

export type MemberRowData = {
  userId: string;
  email: string;
  status: string;
  groups: string[];
  roles: { roleId: string; scope?: string }[];
};

/** What a row may offer; each flag comes from the viewer's abilities. */
export interface RowOffers {
  select: boolean;
  patch: boolean;
  logout: boolean;
  remove: boolean;
}

/** What a row's controls do; the object is the same for every render of the table. */
export interface RowHandlers {
  toggle(userId: string): void;
  setStatus(member: MemberRowData, status: 'active' | 'disabled'): void;
  logout(member: MemberRowData): void;
  remove(member: MemberRowData): void;
}

/** A stable `RowHandlers` that always calls the latest `handlers` given (closures of this render). */
export function useRowHandlers(handlers: RowHandlers): RowHandlers {
  const latest = useRef(handlers);
  latest.current = handlers;
  return useMemo(
    () => ({
      toggle: (userId) => latest.current.toggle(userId),
      setStatus: (member, status) => latest.current.setStatus(member, status),
      logout: (member) => latest.current.logout(member),
      remove: (member) => latest.current.remove(member),
    }),
    [],
  );
}

interface MemberRowProps {
  m: MemberRowData;
  self: boolean;
  selected: boolean;
  /** Whether the email links to the member's effective permissions. */
  linked: boolean;
  offers: RowOffers;
  /** Whether the table has an Actions column. */
  actions: boolean;
  handlers: RowHandlers;
}

export const MemberRow = memo(function MemberRow({
  m,
  self,
  selected,
  linked,
  offers,
  actions,
  handlers,
}: MemberRowProps) {
  return (
    <tr>
      {offers.select && (
        <td>
          <input
            type="checkbox"
            aria-label={`Select ${m.email}`}
            checked={selected}
            onChange={() => handlers.toggle(m.userId)}
          />
        </td>
      )}
      <td>
        {linked ? <a href={`#/members/${encodeURIComponent(m.userId)}`}>{m.email}</a> : m.email}
      </td>
      <td>{m.status}</td>
      <td>{m.roles.map((r) => (r.scope ? `${r.roleId} on ${r.scope}` : r.roleId)).join(', ')}</td>
      <td>{m.groups.join(', ')}</td>
      {actions && (
        <td>
          <div class="actions">
            {offers.patch && !self && m.status !== 'pending' && (
              <button
                type="button"
                onClick={() => handlers.setStatus(m, m.status === 'active' ? 'disabled' : 'active')}
              >
                {m.status === 'active' ? 'Disable' : 'Enable'}
                <span class="visually-hidden"> {m.email}</span>
              </button>
            )}
            {offers.logout && m.status === 'active' && (
              <button type="button" onClick={() => handlers.logout(m)}>
                Force logout<span class="visually-hidden"> {m.email}</span>
              </button>
            )}
            {offers.remove && !self && (
              <ConfirmButton
                label="Delete"
                question={`Delete ${m.email}?`}
                onConfirm={() => handlers.remove(m)}
              />
            )}
          </div>
        </td>
      )}
    </tr>
  );
});
