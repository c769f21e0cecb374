/**
 * Outbox items: mail waiting to be sent (an invite's, with its raw token; a one-time password
 * mail of a person added directly), their delivery bookkeeping (lease, attempts, next attempt)
 * and the due and dead lists the re-drive reads.
 */

import { keys } from '#shared/store/keys.js';
import { written } from '#shared/store/records/conditional-write.js';
import type { Key, Table, TxItem } from '#shared/store/table.js';
import { TTL_ATTRIBUTE } from '#shared/store/table-definition.js';

/**
 * When a new item becomes due for the re-drive if the stream never delivered it (the stream is
 * the fast path; the re-drive is the safety net).
 */
export const FIRST_REDRIVE_MS = 60_000;
const DAY_SECONDS = 86_400;

export const INVITE_MAIL_TYPE = 'invite-mail';
export const ACCOUNT_MAIL_TYPE = 'account-mail';

export type OutboxItem = Record<string, unknown> & { pk: string; sk: string; type: string };

/** What the outbox item carries to the mailer: everything the mail needs, including the raw token. */
export interface InviteOutbox {
  tenantId: string;
  inviteId: string;
  sendCount: number;
  email: string;
  token: string;
  tenantName: string;
  invitedByEmail: string;
  expiresAt: string;
  message?: string;
}

/** The one-time password mail of a person an operator added directly (items of earlier versions). */
export interface AccountOutbox {
  tenantId: string;
  tenantName: string;
  userId: string;
  email: string;
  addedByEmail: string;
  temporaryPassword: string;
}

/** The due-list entry every new outbox item carries, so the re-drive finds it if the stream does not. */
function newOutboxFields(pk: string, now: Date): Record<string, string> {
  return keys.outboxDue(new Date(now.getTime() + FIRST_REDRIVE_MS).toISOString(), pk);
}

/** The outbox item of one invite send: the only place the raw token lives, for at most a day. */
export function inviteOutboxPut(outbox: InviteOutbox, now: Date): TxItem {
  const key = keys.inviteOutbox(outbox.inviteId);
  return {
    put: {
      ...key,
      ...newOutboxFields(key.pk, now),
      type: INVITE_MAIL_TYPE,
      ...outbox,
      [TTL_ATTRIBUTE]: Math.floor(now.getTime() / 1000) + DAY_SECONDS,
    },
  };
}

export function inviteOutboxFromItem(item: Record<string, unknown>): InviteOutbox {
  return {
    tenantId: String(item.tenantId),
    inviteId: String(item.inviteId),
    sendCount: Number(item.sendCount),
    email: String(item.email),
    token: String(item.token),
    tenantName: String(item.tenantName ?? ''),
    invitedByEmail: String(item.invitedByEmail ?? ''),
    expiresAt: String(item.expiresAt),
    ...(typeof item.message === 'string' ? { message: item.message } : {}),
  };
}

/** Deleting an invite's outbox item; with `sendCount`, only while it is that send's. */
export function inviteOutboxDelete(inviteId: string, sendCount?: number): TxItem {
  return {
    delete: keys.inviteOutbox(inviteId),
    ...(sendCount === undefined
      ? {}
      : { when: { if: 'sendCount = :n', values: { ':n': sendCount } } }),
  };
}

/** Deletes an invite's outbox item of send `sendCount`; false when it holds another send or is gone. */
export function deleteInviteOutbox(table: Table, inviteId: string, sendCount: number) {
  return written(
    table.delete(keys.inviteOutbox(inviteId), {
      if: 'sendCount = :n',
      values: { ':n': sendCount },
    }),
  );
}

export function accountOutboxFromItem(item: Record<string, unknown>): AccountOutbox {
  return {
    tenantId: String(item.tenantId),
    tenantName: String(item.tenantName),
    userId: String(item.userId),
    email: String(item.email),
    addedByEmail: String(item.addedByEmail ?? ''),
    temporaryPassword: String(item.temporaryPassword),
  };
}

export function accountOutboxKey(outbox: Pick<AccountOutbox, 'tenantId' | 'userId'>): Key {
  return keys.accountOutbox(outbox.tenantId, outbox.userId);
}

/**
 * Leases the item at `key` until `lease`; undefined when it is gone, dead, leased, not yet due
 * or (with `sendCount`) of another send. If the deliverer dies holding the lease, the item is
 * due again when the lease ends.
 */
export async function claimOutbox(
  table: Table,
  key: Key,
  at: { now: string; lease: string; sendCount: number | undefined },
): Promise<OutboxItem | undefined> {
  const bySend = at.sendCount !== undefined;
  let item: OutboxItem | undefined;
  const claimed = await written(
    table
      .update(key, 'SET leaseUntil = :lease, gsi1pk = :duePk, gsi1sk = :dueSk', {
        values: {
          ':lease': at.lease,
          ':duePk': keys.outboxDuePartition,
          ':dueSk': keys.outboxDue(at.lease, key.pk).gsi1sk,
        },
        when: {
          if: [
            'attribute_exists(pk)',
            'attribute_not_exists(dead)',
            '(attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
            '(attribute_not_exists(nextAttemptAt) OR nextAttemptAt <= :now)',
            ...(bySend ? ['sendCount = :n'] : []),
          ].join(' AND '),
          values: { ':now': at.now, ...(bySend ? { ':n': at.sendCount } : {}) },
        },
        returnNew: true,
      })
      .then((attributes) => {
        item = attributes as OutboxItem;
      }),
  );
  return claimed ? item : undefined;
}

/** A failed attempt: the next one is due at `nextAt`, or the item is dead (listed for operators). */
export type OutboxFailure = {
  attempts: number;
  lastError: string;
  now: string;
  lease: string;
} & ({ dead: true } | { dead: false; nextAt: string });

/** Records a failed attempt on the item this deliverer leased; false when it was replaced meanwhile. */
export function recordOutboxFailure(
  table: Table,
  item: Pick<OutboxItem, 'pk' | 'sk'>,
  failure: OutboxFailure,
): Promise<boolean> {
  const index = failure.dead
    ? keys.outboxDead(failure.now, item.pk)
    : keys.outboxDue(failure.nextAt, item.pk);
  const set = failure.dead
    ? 'SET attempts = :a, lastError = :e, lastAttemptAt = :now, dead = :true, deadAt = :now, gsi1pk = :gpk, gsi1sk = :gsk REMOVE leaseUntil, nextAttemptAt'
    : 'SET attempts = :a, lastError = :e, lastAttemptAt = :now, nextAttemptAt = :next, gsi1pk = :gpk, gsi1sk = :gsk REMOVE leaseUntil';
  return written(
    table.update({ pk: item.pk, sk: item.sk }, set, {
      values: {
        ':a': failure.attempts,
        ':e': failure.lastError,
        ':now': failure.now,
        ':gpk': index.gsi1pk,
        ':gsk': index.gsi1sk,
        ...(failure.dead ? { ':true': true } : { ':next': failure.nextAt }),
      },
      when: {
        if: 'attribute_exists(pk) AND leaseUntil = :lease',
        values: { ':lease': failure.lease },
      },
    }),
  );
}

/** Gives a dead item a fresh set of attempts, due at `now`; false when it is no longer dead. */
export function requeueOutbox(table: Table, item: Pick<OutboxItem, 'pk' | 'sk'>, now: string) {
  return written(
    table.update(
      { pk: item.pk, sk: item.sk },
      'SET attempts = :zero, nextAttemptAt = :now, gsi1pk = :gpk, gsi1sk = :gsk REMOVE dead, deadAt, leaseUntil',
      {
        values: {
          ':zero': 0,
          ':now': now,
          ':gpk': keys.outboxDuePartition,
          ':gsk': keys.outboxDue(now, item.pk).gsi1sk,
        },
        when: { if: 'attribute_exists(dead)' },
      },
    ),
  );
}

export function deleteOutbox(table: Table, item: Pick<OutboxItem, 'pk' | 'sk'>): Promise<void> {
  return table.delete({ pk: item.pk, sk: item.sk });
}

/** Up to `limit` items of the due list (due at or before `upTo`) or of the dead list, oldest first. */
export async function listOutbox(
  table: Table,
  list: 'due' | 'dead',
  limit: number,
  upTo?: string,
): Promise<OutboxItem[]> {
  const page = await table.query({
    index: 'byUser',
    partition: list === 'due' ? keys.outboxDuePartition : keys.outboxDeadPartition,
    ...(upTo ? { to: upTo } : {}),
    limit,
  });
  return page.items as OutboxItem[];
}
