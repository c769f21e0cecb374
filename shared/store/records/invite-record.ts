/** The invite item: its stored shape, the derived status, and the public view (never the token hash). */
import type { DomainError } from '#shared/errors/domain-errors.js';
import { keys } from '#shared/store/keys.js';
import { written } from '#shared/store/records/conditional-write.js';
import type { Condition, Item, Table, TxItem } from '#shared/store/table.js';

export type DeliveryStatus = 'queued' | 'sent' | 'failed';

/** What SES reported about a delivered mail: a hard bounce or a complaint (spam report). */
export const DELIVERY_PROBLEMS = ['bounced', 'complained'] as const;
export type DeliveryProblem = (typeof DELIVERY_PROBLEMS)[number];

/** The delivery status a reader sees: a bounce or complaint wins over the send's own status. */
export const DELIVERY_STATUSES = ['queued', 'sent', 'failed', ...DELIVERY_PROBLEMS] as const;

export const INVITE_STATUSES = [
  'pending',
  'expired',
  'accepted',
  'revoked',
  ...DELIVERY_PROBLEMS,
] as const;
/**
 * The status a reader sees: `expired`, `bounced` and `complained` are derived (from expiresAt
 * and the delivery problem of a pending invite), never stored.
 */
export type InviteStatus = (typeof INVITE_STATUSES)[number];

export interface InviteRecord {
  tenantId: string;
  inviteId: string;
  email: string;
  roles: string[];
  groups: string[];
  message?: string;
  tenantName: string;
  /** The inviter's userId. */
  invitedBy: string;
  /**
   * The inviter's membership incarnation when they invited: the invite carries their authority
   * only while that membership lives (rule 14). '' for invites older than incarnations.
   */
  invitedByIncarnation: string;
  invitedByEmail: string;
  createdAt: string;
  expiresAt: string;
  status: 'pending' | 'accepted' | 'revoked';
  tokenHash: string;
  sendCount: number;
  lastSentAt: string;
  /** Send times within the last hour, for the resend limit. */
  recentSends: string[];
  deliveryStatus: DeliveryStatus;
  /** The sendCount whose mail was delivered, so a redelivered stream record sends nothing twice. */
  sentSendCount?: number;
  /** Failed attempts of the current send, and why the last one failed (until it is sent). */
  deliveryAttempts?: number;
  lastDeliveryError?: string;
  /**
   * A hard bounce or complaint SES reported for a mail of this invite (kept apart from
   * `deliveryStatus`, which a send in flight may still set to `sent`): when and what.
   */
  deliveryProblem?: DeliveryProblem;
  deliveryProblemAt?: string;
  deliveryProblemDetail?: string;
  acceptedAt?: string;
  acceptedBy?: string;
  revokedAt?: string;
  /** Set when an admin added the person directly: accepting activates this pending member. */
  pendingMemberId?: string;
}

const DAY_SECONDS = 86_400;

/** The DynamoDB TTL (epoch seconds): 30 days after expiry, so expired invites stay resendable a while. */
export function inviteTtl(expiresAt: string): number {
  return Math.floor(Date.parse(expiresAt) / 1000) + 30 * DAY_SECONDS;
}

/** Expired at exactly expiresAt: valid only while now < expiresAt. */
export function isExpired(invite: Pick<InviteRecord, 'expiresAt'>, now: Date): boolean {
  return now.toISOString() >= invite.expiresAt;
}

/**
 * The status a reader sees: a pending invite whose mail bounced or was complained about is
 * `bounced` or `complained` (it will not be accepted by mail), else `expired` once past
 * expiresAt; neither is stored.
 */
export function derivedStatus(invite: InviteRecord, now: Date): InviteStatus {
  if (invite.status !== 'pending') return invite.status;
  if (invite.deliveryProblem) return invite.deliveryProblem;
  return isExpired(invite, now) ? 'expired' : 'pending';
}

function inviteItem(invite: InviteRecord) {
  return {
    ...keys.invite(invite.tenantId, invite.inviteId),
    ...keys.inviteByEmail(invite.tenantId, invite.email, invite.inviteId),
    // The CDK stream filter and the mailer key on `type`; the mail itself comes from the outbox item.
    type: 'invite',
    ...invite,
    ttl: inviteTtl(invite.expiresAt),
  };
}

export function inviteFromItem(item: Record<string, unknown>): InviteRecord {
  return {
    tenantId: String(item.tenantId),
    inviteId: String(item.inviteId),
    email: String(item.email),
    roles: (item.roles as string[] | undefined) ?? [],
    groups: (item.groups as string[] | undefined) ?? [],
    ...(typeof item.message === 'string' ? { message: item.message } : {}),
    tenantName: String(item.tenantName ?? ''),
    invitedBy: String(item.invitedBy),
    invitedByIncarnation:
      typeof item.invitedByIncarnation === 'string' ? item.invitedByIncarnation : '',
    invitedByEmail: String(item.invitedByEmail ?? ''),
    createdAt: String(item.createdAt),
    expiresAt: String(item.expiresAt),
    status: item.status as InviteRecord['status'],
    tokenHash: String(item.tokenHash),
    sendCount: Number(item.sendCount ?? 0),
    lastSentAt: String(item.lastSentAt ?? item.createdAt),
    recentSends: (item.recentSends as string[] | undefined) ?? [],
    deliveryStatus: (item.deliveryStatus as DeliveryStatus | undefined) ?? 'queued',
    ...(item.sentSendCount !== undefined ? { sentSendCount: Number(item.sentSendCount) } : {}),
    ...(item.deliveryAttempts !== undefined
      ? { deliveryAttempts: Number(item.deliveryAttempts) }
      : {}),
    ...(typeof item.lastDeliveryError === 'string'
      ? { lastDeliveryError: item.lastDeliveryError }
      : {}),
    ...(item.deliveryProblem === 'bounced' || item.deliveryProblem === 'complained'
      ? {
          deliveryProblem: item.deliveryProblem,
          deliveryProblemAt: String(item.deliveryProblemAt ?? ''),
          deliveryProblemDetail: String(item.deliveryProblemDetail ?? ''),
        }
      : {}),
    ...(typeof item.acceptedAt === 'string' ? { acceptedAt: item.acceptedAt } : {}),
    ...(typeof item.acceptedBy === 'string' ? { acceptedBy: item.acceptedBy } : {}),
    ...(typeof item.revokedAt === 'string' ? { revokedAt: item.revokedAt } : {}),
    ...(typeof item.pendingMemberId === 'string' ? { pendingMemberId: item.pendingMemberId } : {}),
  };
}

/** The public view of an invite (never its token hash). */
export function inviteView(invite: InviteRecord, now: Date) {
  return {
    inviteId: invite.inviteId,
    tenantId: invite.tenantId,
    email: invite.email,
    status: derivedStatus(invite, now),
    roles: invite.roles,
    groups: invite.groups,
    invitedBy: invite.invitedBy,
    createdAt: invite.createdAt,
    expiresAt: invite.expiresAt,
    sendCount: invite.sendCount,
    lastSentAt: invite.lastSentAt,
    deliveryStatus: invite.deliveryProblem ?? invite.deliveryStatus,
    ...(invite.deliveryAttempts !== undefined ? { deliveryAttempts: invite.deliveryAttempts } : {}),
    ...(invite.lastDeliveryError ? { lastDeliveryError: invite.lastDeliveryError } : {}),
    ...(invite.deliveryProblem
      ? {
          deliveryProblemAt: invite.deliveryProblemAt,
          deliveryProblemDetail: invite.deliveryProblemDetail,
        }
      : {}),
    ...(invite.acceptedAt ? { acceptedAt: invite.acceptedAt } : {}),
    ...(invite.acceptedBy ? { acceptedBy: invite.acceptedBy } : {}),
    ...(invite.revokedAt ? { revokedAt: invite.revokedAt } : {}),
  };
}

export async function findInvite(
  table: Table,
  tenantId: string,
  inviteId: string,
): Promise<InviteRecord | undefined> {
  const item = await table.get(keys.invite(tenantId, inviteId));
  return item ? inviteFromItem(item) : undefined;
}

/** Writing the invite item (with its index keys and TTL). */
export function invitePut(invite: InviteRecord, when?: Condition): TxItem {
  return { put: inviteItem(invite), ...(when ? { when } : {}) };
}

/** The invite is new: no invite with its id exists. */
export function inviteIsNew(): Condition {
  return { if: 'attribute_not_exists(pk)' };
}

/** The invite is still the pending one of send `sendCount` (neither resent, accepted nor revoked). */
export function inviteUnchanged(sendCount: number, orElse: () => DomainError): Condition {
  return {
    if: '#s = :pending AND sendCount = :n',
    names: { '#s': 'status' },
    values: { ':pending': 'pending', ':n': sendCount },
    else: orElse,
  };
}

/** The invite is still pending under `tokenHash` and unexpired at `now` (an accept may use it). */
export function inviteUsable(tokenHash: string, now: string, orElse: () => DomainError): Condition {
  return {
    if: '#s = :pending AND tokenHash = :h AND expiresAt > :now',
    names: { '#s': 'status' },
    values: { ':pending': 'pending', ':h': tokenHash, ':now': now },
    else: orElse,
  };
}

/**
 * The email lock of `invite` (at most one open invite per tenant and email). It is taken when
 * free or held by an expired invite (accepted and revoked invites drop theirs), or, with
 * `ownerMayHold`, when this invite holds it already (a resend).
 */
export function inviteEmailLockPut(
  invite: Pick<InviteRecord, 'tenantId' | 'email' | 'inviteId' | 'expiresAt'>,
  now: string,
  orElse: () => DomainError,
  ownerMayHold = false,
): TxItem {
  return {
    put: {
      ...keys.inviteEmail(invite.tenantId, invite.email),
      type: 'invite-email',
      inviteId: invite.inviteId,
      expiresAt: invite.expiresAt,
      ttl: inviteTtl(invite.expiresAt),
    },
    when: {
      if: ownerMayHold
        ? 'attribute_not_exists(pk) OR inviteId = :id OR expiresAt <= :now'
        : 'attribute_not_exists(pk) OR expiresAt <= :now',
      values: { ':now': now, ...(ownerMayHold ? { ':id': invite.inviteId } : {}) },
      else: orElse,
    },
  };
}

/** The invite holding the email lock of (tenant, email), if any. */
export async function findInviteEmailLock(
  table: Table,
  tenantId: string,
  email: string,
): Promise<{ inviteId: string; expiresAt: string } | undefined> {
  const lock = await table.get(keys.inviteEmail(tenantId, email));
  return lock ? { inviteId: String(lock.inviteId), expiresAt: String(lock.expiresAt) } : undefined;
}

/**
 * The open invite an email lock item (as read) names: undefined when there is no lock or its
 * invite expired by `now` (a new invite may then take it, see {@link inviteEmailLockPut}).
 */
export function openInviteOf(
  lock: Item | undefined,
  now: string,
): { inviteId: string; expiresAt: string } | undefined {
  if (!lock || String(lock.expiresAt) <= now) return undefined;
  return { inviteId: String(lock.inviteId), expiresAt: String(lock.expiresAt) };
}

/** Releasing the email lock while `invite` holds it (or, with `orAbsent`, while nobody does). */
export function inviteEmailLockDelete(
  invite: Pick<InviteRecord, 'tenantId' | 'email' | 'inviteId'>,
  orElse?: () => DomainError,
  orAbsent = false,
): TxItem {
  return {
    delete: keys.inviteEmail(invite.tenantId, invite.email),
    when: {
      if: orAbsent ? 'attribute_not_exists(pk) OR inviteId = :id' : 'inviteId = :id',
      values: { ':id': invite.inviteId },
      ...(orElse ? { else: orElse } : {}),
    },
  };
}

/** The token item: token hash -> invite, for lookup and accept. */
export function inviteTokenPut(invite: InviteRecord): TxItem {
  return {
    put: {
      ...keys.inviteToken(invite.tokenHash),
      type: 'invite-token',
      tenantId: invite.tenantId,
      inviteId: invite.inviteId,
      ttl: inviteTtl(invite.expiresAt),
    },
  };
}

/** The invite a token hash points at (read strongly consistent), if the token item exists. */
export async function findInviteRef(
  table: Table,
  tokenHash: string,
): Promise<{ tenantId: string; inviteId: string } | undefined> {
  const ref = await table.get(keys.inviteToken(tokenHash));
  return ref ? { tenantId: String(ref.tenantId), inviteId: String(ref.inviteId) } : undefined;
}

/** Deleting a pending invite and its token item (the outbox and email lock go separately). */
export function pendingInviteDelete(
  tenantId: string,
  invite: { inviteId: string; tokenHash: string },
): TxItem[] {
  return [
    {
      delete: keys.invite(tenantId, invite.inviteId),
      when: { if: '#s = :pending', names: { '#s': 'status' }, values: { ':pending': 'pending' } },
    },
    { delete: keys.inviteToken(invite.tokenHash) },
  ];
}

/** Deleting the email lock of (tenant, email) whoever holds it. */
export function inviteEmailLockDrop(tenantId: string, email: string): TxItem {
  return { delete: keys.inviteEmail(tenantId, email) };
}

/**
 * Sets delivery fields of the invite for send `sendCount`, unless a resend or a delivery moved
 * on (then nothing is written).
 */
export async function markInviteDelivery(
  table: Table,
  invite: { tenantId: string; inviteId: string; sendCount: number },
  set: string,
  values: Record<string, unknown>,
): Promise<void> {
  await written(
    table.update(keys.invite(invite.tenantId, invite.inviteId), set, {
      values,
      when: {
        if: 'attribute_exists(pk) AND sendCount = :n AND deliveryStatus <> :sent',
        values: { ':n': invite.sendCount, ':sent': 'sent' },
      },
    }),
  );
}

/** Marks send `sendCount` of the invite delivered (only while it is still that send). */
export function inviteSentUpdate(
  invite: { tenantId: string; inviteId: string; sendCount: number },
  at: string,
): TxItem {
  return {
    update: keys.invite(invite.tenantId, invite.inviteId),
    set: 'SET deliveryStatus = :sent, sentSendCount = :n, deliveredAt = :at REMOVE lastDeliveryError',
    values: { ':sent': 'sent', ':at': at },
    when: { if: 'sendCount = :n', values: { ':n': invite.sendCount } },
  };
}

/**
 * Records the first hard bounce or complaint of the invite's mail; a later one (or the same
 * event again) fails the condition and changes nothing.
 */
export function inviteProblemUpdate(
  invite: Pick<InviteRecord, 'tenantId' | 'inviteId'>,
  problem: { kind: DeliveryProblem; at: string; detail: string },
): TxItem {
  return {
    update: keys.invite(invite.tenantId, invite.inviteId),
    set: 'SET deliveryProblem = :p, deliveryProblemAt = :at, deliveryProblemDetail = :d',
    values: { ':p': problem.kind, ':at': problem.at, ':d': problem.detail },
    when: { if: 'attribute_exists(pk) AND attribute_not_exists(deliveryProblem)' },
  };
}
