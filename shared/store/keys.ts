/** Key composition for every item in the table; the only place that knows key formats. */

export const keys = {
  tenant: (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: 'META' }),
  /** The tenant's group/role/namespace policy, one versioned item read beside each member snapshot. */
  policy: (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: 'POLICY' }),
  /**
   * One of the tenant's policy-version shards (`shard` in 0..POLICY_VERSION_SHARDS-1): a tiny
   * item holding the policy version, written in the same transaction as every policy change.
   * Each decision reads one of them, at random, instead of the policy item: distinct partition
   * keys, so a tenant's decisions spread over several partitions and never pay for the policy's
   * size (docs/data-model.md, capacity model).
   */
  policyVersionShard: (tenantId: string, shard: number) => ({
    pk: `POLICYVERSION#${tenantId}#${shard}`,
    sk: 'V',
  }),
  member: (tenantId: string, userId: string) => ({
    pk: `TENANT#${tenantId}`,
    sk: `MEMBER#${userId}`,
  }),
  memberPrefix: 'MEMBER#',
  /**
   * The tenant's session floor for a user: written when a membership is deleted (its time, and
   * never lowered), read with every decision, so no credential from before the deletion works
   * for a later membership of the same person (rule 11). It outlives the membership on purpose.
   */
  memberSessionFloor: (tenantId: string, userId: string) => ({
    pk: `TENANT#${tenantId}`,
    sk: `SESSIONFLOOR#${userId}`,
  }),
  /**
   * Uniqueness of a member's email in a tenant (pending or active): written and deleted in the
   * same transaction as the member item; holds the member's userId.
   */
  memberEmail: (tenantId: string, email: string) => ({
    pk: `TENANT#${tenantId}`,
    sk: `MEMBEREMAIL#${email}`,
  }),
  group: (tenantId: string, groupId: string) => ({
    pk: `TENANT#${tenantId}`,
    sk: `GROUP#${groupId}`,
  }),
  groupPrefix: 'GROUP#',
  role: (tenantId: string, roleId: string) => ({ pk: `TENANT#${tenantId}`, sk: `ROLE#${roleId}` }),
  rolePrefix: 'ROLE#',
  invite: (tenantId: string, inviteId: string) => ({
    pk: `TENANT#${tenantId}`,
    sk: `INVITE#${inviteId}`,
  }),
  invitePrefix: 'INVITE#',
  /** Uniqueness lock: at most one open invite per (tenant, email). */
  inviteEmail: (tenantId: string, email: string) => ({
    pk: `TENANT#${tenantId}`,
    sk: `INVITEEMAIL#${email}`,
  }),
  /**
   * A tenant's suppressed address: a hard bounce or a complaint of a mail to it stops every
   * further mail from the tenant to it (invites, resends, direct adds, queued sends).
   */
  mailSuppression: (tenantId: string, email: string) => ({
    pk: `TENANT#${tenantId}`,
    sk: `MAILSUPPRESS#${email}`,
  }),
  /** Token hash -> invite, read strongly consistent on lookup and accept. */
  inviteToken: (tokenHash: string) => ({ pk: `INVITETOKEN#${tokenHash}`, sk: 'INVITETOKEN' }),
  /** Outbox of one invite's pending mail: holds the raw token until the mailer has sent it. */
  inviteOutbox: (inviteId: string) => ({ pk: `OUTBOX#${inviteId}`, sk: 'OUTBOX' }),
  /** Outbox of the one-time password mail of a person added directly: deleted once sent. */
  accountOutbox: (tenantId: string, userId: string) => ({
    pk: `OUTBOX#ACCOUNT#${tenantId}#${userId}`,
    sk: 'OUTBOX',
  }),
  /**
   * Outbox items by when their next attempt is due (`<ISO time>#<pk>`), in the byUser index
   * under a partition of their own: the re-drive reads what is due, in order, without a scan.
   */
  outboxDue: (at: string, pk: string) => ({ gsi1pk: 'OUTBOX#DUE', gsi1sk: `${at}#${pk}` }),
  outboxDuePartition: 'OUTBOX#DUE',
  /** Dead outbox items (attempts used up) by when they died: listed and re-driven by an operator. */
  outboxDead: (at: string, pk: string) => ({ gsi1pk: 'OUTBOX#DEAD', gsi1sk: `${at}#${pk}` }),
  outboxDeadPartition: 'OUTBOX#DEAD',
  /** byEmail index: the invites of a tenant for one email (`<email>#<inviteId>`). */
  inviteByEmail: (tenantId: string, email: string, inviteId: string) => ({
    gsi2pk: `TENANT#${tenantId}#INVITE`,
    gsi2sk: `${email}#${inviteId}`,
  }),
  inviteByEmailPartition: (tenantId: string) => `TENANT#${tenantId}#INVITE`,
  /** A service account: a non-human principal of the tenant (status, groups, roles, rules). */
  serviceAccount: (tenantId: string, serviceAccountId: string) => ({
    pk: `TENANT#${tenantId}`,
    sk: `SA#${serviceAccountId}`,
  }),
  serviceAccountPrefix: 'SA#',
  /**
   * One API token of a service account, keyed by (tenant, account, tokenId): the token string
   * carries the account and token ids, so the authorizer reads it beside the account in one batch.
   */
  apiToken: (tenantId: string, serviceAccountId: string, tokenId: string) => ({
    pk: `TENANT#${tenantId}`,
    sk: `SATOKEN#${serviceAccountId}#${tokenId}`,
  }),
  apiTokenPrefix: (serviceAccountId: string) => `SATOKEN#${serviceAccountId}#`,
  /**
   * One personal token of a member, in the tenant it is bound to: read beside the member item
   * in one batch, and deleted with the membership.
   */
  personalToken: (tenantId: string, userId: string, tokenId: string) => ({
    pk: `TENANT#${tenantId}`,
    sk: `UTOKEN#${userId}#${tokenId}`,
  }),
  personalTokenPrefix: (userId: string) => `UTOKEN#${userId}#`,
  /**
   * A counter of mails (invites, resends) a tenant sent in one hour or day window; kept apart
   * from the tenant partition so tenant snapshots and listings do not see it.
   */
  mailCounter: (tenantId: string, window: string) => ({
    pk: `LIMIT#TENANT#${tenantId}`,
    sk: `MAILS#${window}`,
  }),
  /** An operator's raised cap on the tenants one person may create per day (`max`). */
  tenantCap: (userId: string) => ({ pk: `LIMIT#USER#${userId}`, sk: 'TENANTS#MAX' }),
  /** A counter of tenants one person created in one day. */
  tenantCounter: (userId: string, day: string) => ({
    pk: `LIMIT#USER#${userId}`,
    sk: `TENANTS#${day}`,
  }),
  idempotency: (tenantId: string, scope: string, key: string) => ({
    pk: `TENANT#${tenantId}`,
    sk: `IDEMPOTENCY#${scope}#${key}`,
  }),
  user: (userId: string) => ({ pk: `USER#${userId}`, sk: 'PROFILE' }),
  /**
   * When the user last signed out everywhere: tokens signed in before it fail outside tenants
   * too. Also holds `tenants`, the set of tenants the user joined since memberships fold the
   * stamps (added in the joining transaction, removed with the membership), so a sign-out learns
   * every membership it must stamp atomically with raising the stamp.
   */
  userSessions: (userId: string) => ({ pk: `USER#${userId}`, sk: 'SESSIONS' }),
  audit: (tenantId: string, sortKey: string) => ({ pk: `AUDIT#${tenantId}`, sk: sortKey }),
  auditPartition: (tenantId: string) => `AUDIT#${tenantId}`,
  tenantPartition: (tenantId: string) => `TENANT#${tenantId}`,
  /** byUser index: a membership row points from the user to the tenant. */
  byUser: (userId: string, tenantId: string) => ({
    gsi1pk: `USER#${userId}`,
    gsi1sk: `TENANT#${tenantId}`,
  }),
  byUserPartition: (userId: string) => `USER#${userId}`,
  /** byEmail index: members (`M#`) and invites (`I#`) of a tenant by email. */
  memberByEmail: (tenantId: string, email: string) => ({
    gsi2pk: `TENANT#${tenantId}#MEMBER`,
    gsi2sk: email,
  }),
  memberByEmailPartition: (tenantId: string) => `TENANT#${tenantId}#MEMBER`,
} as const;
