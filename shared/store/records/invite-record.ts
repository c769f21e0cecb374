/** The invite item: its stored shape, the derived status, and the public view (never the token hash). */
import type { InviteStatus, InviteView } from '#shared/invites/invite-schemas.js';
import { newOutboxFields } from '#shared/mail/outbox.js';
import { keys } from '#shared/store/keys.js';

export type DeliveryStatus = 'queued' | 'sent' | 'failed';

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

/** The status a reader sees: `expired` is derived from expiresAt, never stored. */
export function derivedStatus(invite: InviteRecord, now: Date): InviteStatus {
  return invite.status === 'pending' && isExpired(invite, now) ? 'expired' : invite.status;
}

export function inviteItem(invite: InviteRecord) {
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
    ...(typeof item.acceptedAt === 'string' ? { acceptedAt: item.acceptedAt } : {}),
    ...(typeof item.acceptedBy === 'string' ? { acceptedBy: item.acceptedBy } : {}),
    ...(typeof item.revokedAt === 'string' ? { revokedAt: item.revokedAt } : {}),
    ...(typeof item.pendingMemberId === 'string' ? { pendingMemberId: item.pendingMemberId } : {}),
  };
}

export function inviteView(invite: InviteRecord, now: Date): InviteView {
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
    deliveryStatus: invite.deliveryStatus,
    ...(invite.deliveryAttempts !== undefined ? { deliveryAttempts: invite.deliveryAttempts } : {}),
    ...(invite.lastDeliveryError ? { lastDeliveryError: invite.lastDeliveryError } : {}),
    ...(invite.acceptedAt ? { acceptedAt: invite.acceptedAt } : {}),
    ...(invite.acceptedBy ? { acceptedBy: invite.acceptedBy } : {}),
    ...(invite.revokedAt ? { revokedAt: invite.revokedAt } : {}),
  };
}

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

/** The outbox item: the only place the raw token lives, for at most a day, until sent. */
export function outboxItem(outbox: InviteOutbox, now: Date) {
  const key = keys.inviteOutbox(outbox.inviteId);
  return {
    ...key,
    ...newOutboxFields(key.pk, now),
    type: 'invite-mail',
    ...outbox,
    ttl: Math.floor(now.getTime() / 1000) + DAY_SECONDS,
  };
}

export function outboxFromItem(item: Record<string, unknown>): InviteOutbox {
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
