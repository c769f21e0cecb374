/**
 * What the authorizer reads for one decision: a member's snapshot, an API token or a personal
 * token with what decides it, and the reader that loads them (see snapshot-reader.ts).
 */
import type { PermissionSet } from '#shared/acl/engine.js';

export interface MemberSnapshot {
  userId: string;
  email: string;
  status: 'active' | 'disabled';
  /**
   * Epoch ms: credentials from before it are dead. The latest of the membership's forced-logout
   * stamp, the tenant's session floor for this user (set when a membership is deleted, so it
   * outlives the membership: rule 11) and the user's sign-out-everywhere stamp.
   */
  sessionsValidAfter: number;
  /** Random id of this membership's life: a deleted and re-created member gets a new one. */
  incarnation: string;
  permissions: PermissionSet;
  /** The tenant policy version the permissions were compiled under (passed on to handlers). */
  policyVersion?: number;
}

/** What the authorizer needs to decide for an API token: the token item and its account. */
export interface ApiTokenSnapshot {
  tenantId: string;
  serviceAccountId: string;
  secretHash: string;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms. */
  expiresAt: number;
  revoked: boolean;
  /** Epoch ms of the last recorded use, 0 when never used. */
  lastUsedAt: number;
  accountStatus: 'active' | 'disabled';
  /** The account's incarnation now, and the one the token was minted for. */
  accountIncarnation: string;
  tokenAccountIncarnation: string;
  /** Who minted the token (a member's userId) and the membership's incarnation then. */
  mintedBy: string;
  minterIncarnation: string;
  /** The minter's membership now; undefined when it is gone (the token dies with it). */
  minter: MemberSnapshot | undefined;
  permissions: PermissionSet;
}

/** A member's personal token with the member's snapshot, read together. */
export interface PersonalTokenSnapshot {
  tenantId: string;
  userId: string;
  secretHash: string;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms. */
  expiresAt: number;
  revoked: boolean;
  /** Epoch ms of the last recorded use, 0 when never used. */
  lastUsedAt: number;
  /** The membership incarnation the token was minted under. */
  memberIncarnation: string;
  member: MemberSnapshot;
}

/** Where a token item lives and when it was last used, for the once-a-minute last-used write. */
export interface TokenUse {
  key: { pk: string; sk: string };
  lastUsedAt: number;
}

export interface SnapshotReader {
  /**
   * The member's snapshot, or undefined when the tenant or the membership does not exist, or the
   * membership is not (yet) an active or disabled one (a pending member is not a member).
   */
  read(tenantId: string, userId: string): Promise<MemberSnapshot | undefined>;
  /**
   * The token item with its service account's permissions and its minter's membership, in one
   * BatchGetItem (plus one GetItem of the policy right after a policy change); undefined when
   * the token, the account or the tenant does not exist in this tenant.
   */
  readApiToken(
    tenantId: string,
    serviceAccountId: string,
    tokenId: string,
    minterUserId: string,
  ): Promise<ApiTokenSnapshot | undefined>;
  /**
   * A member's personal token with the member's snapshot, in one BatchGetItem (plus one GetItem
   * of the policy right after a policy change); undefined when the token, the membership or the
   * tenant does not exist in this tenant.
   */
  readPersonalToken(
    tenantId: string,
    userId: string,
    tokenId: string,
  ): Promise<PersonalTokenSnapshot | undefined>;
  /**
   * When the user last signed out everywhere (epoch ms, 0 if never): decides routes outside a
   * tenant (`/v1/me`, creating a tenant), where no membership stamp applies. One GetItem.
   */
  userSessionsValidAfter(userId: string): Promise<number>;
  /**
   * Records a token's last use at most once a minute, without waiting: a conditional
   * UpdateItem sent after the decision, skipped when the read showed a use within the minute.
   */
  touchToken(use: TokenUse, now: Date): void;
}
