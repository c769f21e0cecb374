/**
 * Using an invite's link: looking it up (no auth) and accepting it, with the caller's session
 * or by choosing a password (which creates the account). Joining is one transaction, conditioned
 * on the invite and on the inviter still holding the authority it carries (rule 14).
 */
import { isAllowed } from '#shared/acl/engine.js';
import { MANAGED } from '#shared/acl/management-permissions.js';
import type { StoreDeps } from '#shared/app/context.js';
import { withOptimisticRetry } from '#shared/common/optimistic-retry.js';
import {
  ConflictError,
  ForbiddenError,
  GoneError,
  InvalidError,
  NotFoundError,
} from '#shared/errors/domain-errors.js';
import type { IdentityProvider } from '#shared/identity/identity-provider.js';
import { normalizeEmail } from '#shared/identity/identity-provider.js';
import { planActivation, planNewMember } from '#shared/members/member-service.js';
import { memberStillActive } from '#shared/members/member-writes.js';
import { hashSecret } from '#shared/platform/secret-tokens.js';
import { assertCanGrant } from '#shared/policy/grant-guard.js';
import { loadTenantState, type TenantState } from '#shared/policy/tenant-state.js';
import {
  derivedStatus,
  findInvite,
  findInviteRef,
  type InviteRecord,
  inviteEmailLockDelete,
  invitePut,
  inviteUsable,
} from '#shared/store/records/invite-record.js';
import type { TxItem } from '#shared/store/table.js';

/** One detail for every unusable token, so the answer leaks nothing about which case it was. */
const UNUSABLE = 'This invite link is not valid: it is unknown, used, revoked or expired';

/** Who is accepting: a verified bearer's user, or a new account to create with a password. */
export type Accepter =
  | { kind: 'bearer'; userId: string; email: string }
  | { kind: 'password'; password: string };

type Invitee = { userId: string; email: string };

/** Resolves a raw token to its invite if it is usable now; 404 unknown, 410 used/revoked/expired/replaced. */
async function usableInvite(deps: StoreDeps, token: string): Promise<InviteRecord> {
  const tokenHash = hashSecret(token);
  const ref = await findInviteRef(deps.table, tokenHash);
  if (!ref) throw new NotFoundError(UNUSABLE);
  const invite = await findInvite(deps.table, ref.tenantId, ref.inviteId);
  if (!invite) throw new GoneError(UNUSABLE);
  if (invite.tokenHash !== tokenHash || derivedStatus(invite, deps.clock.now()) !== 'pending') {
    throw new GoneError(UNUSABLE);
  }
  return invite;
}

/** What the accept page shows about a token (no auth): the tenant, the invited email, the inviter, the expiry. */
export async function lookupInvite(deps: StoreDeps, token: string) {
  const invite = await usableInvite(deps, token);
  return {
    tenantId: invite.tenantId,
    tenantName: invite.tenantName,
    email: invite.email,
    invitedBy: invite.invitedByEmail,
    expiresAt: invite.expiresAt,
  };
}

/**
 * Accepts an invite. With a verified bearer the caller's email must equal the invite's (403
 * otherwise, invite untouched); with a password a new Cognito user is created for the invited
 * email (409 if one exists: sign in and accept with the token). Joining is one transaction:
 * the invite pending -> accepted conditioned on status, hash and expiry, the membership and its
 * audit event, so concurrent accepts produce exactly one membership.
 */
export async function acceptInvite(
  deps: StoreDeps,
  identity: IdentityProvider,
  token: string,
  accepter: Accepter,
): Promise<{ status: 200 | 201; body: { tenantId: string; userId: string } }> {
  const invite = await usableInvite(deps, token);
  const user = await inviteeOf(deps, identity, invite, accepter);
  await withOptimisticRetry(() => joinOnce(deps, invite, user));
  return {
    status: accepter.kind === 'bearer' ? 200 : 201,
    body: { tenantId: invite.tenantId, userId: user.userId },
  };
}

/** The person accepting: the bearer (403 unless invited), or a new account for the invited email. */
async function inviteeOf(
  deps: StoreDeps,
  identity: IdentityProvider,
  invite: InviteRecord,
  accepter: Accepter,
): Promise<Invitee> {
  if (accepter.kind === 'bearer') {
    if (normalizeEmail(accepter.email) !== invite.email) {
      throw new ForbiddenError('This invite was sent to another email address');
    }
    return { userId: accepter.userId, email: invite.email };
  }
  // Checked before an account is created for the invitee (and again when joining).
  inviterStillAuthorizes(deps, await loadInviterState(deps, invite), invite);
  if (await identity.findUser(invite.email)) throw accountExists();
  const created = await identity.ensureUser(invite.email, accepter.password);
  if (!created.created) throw accountExists();
  return { userId: created.userId, email: invite.email };
}

/**
 * One attempt to join: the invite becomes accepted (410 if it no longer may), the membership is
 * created or the pending member activated (409 if the email has a member), the email lock goes
 * and the inviter must be unchanged.
 */
async function joinOnce(deps: StoreDeps, invite: InviteRecord, user: Invitee): Promise<void> {
  const state = await loadInviterState(deps, invite);
  const inviterCheck = inviterStillAuthorizes(deps, state, invite);
  const now = deps.clock.now();
  const isMember = () => new ConflictError(`${invite.email} is already a member`);
  const change = invite.pendingMemberId
    ? await planActivation(deps, state, invite.pendingMemberId, user, isMember)
    : await planNewMember(
        deps,
        state,
        user,
        { roles: invite.roles, groups: invite.groups },
        user.userId,
        'invite.accept',
        { taken: isMember },
      );
  const accepted: InviteRecord = {
    ...invite,
    status: 'accepted',
    acceptedAt: now.toISOString(),
    acceptedBy: user.userId,
  };
  // The invite first: when it is no longer usable, that is the answer (410).
  await deps.table.transact([
    invitePut(accepted, inviteUsable(invite.tokenHash, now.toISOString(), gone)),
    // The member item and the email's uniqueness item: 409 when taken.
    ...change.items,
    inviteEmailLockDelete(invite, undefined, true),
    inviterCheck,
  ]);
}

function gone(): GoneError {
  return new GoneError(UNUSABLE);
}

/** The tenant with the inviter as the acting member (their authority decides the accept). */
function loadInviterState(deps: StoreDeps, invite: InviteRecord): Promise<TenantState> {
  return loadTenantState(deps, invite.tenantId, { userId: invite.invitedBy, email: '' });
}

/**
 * Rule 14: an invite carries its inviter's authority only while the inviter has it. The inviter
 * must still be the same active membership (not deleted, re-created or disabled), still allowed
 * to invite, and still hold every role and group the invite grants (rule 4, at this moment).
 * Otherwise the invite is gone (410). Returns the check that the inviter is unchanged when the
 * accept commits.
 */
function inviterStillAuthorizes(deps: StoreDeps, state: TenantState, invite: InviteRecord): TxItem {
  const inviter = state.actor;
  const inviterGone = (why: string) => new GoneError(`This invite is no longer valid: ${why}`);
  if (!inviter || inviter.incarnation !== invite.invitedByIncarnation) {
    throw inviterGone('the person who sent it is no longer a member');
  }
  if (inviter.status !== 'active') throw inviterGone('the person who sent it is disabled');
  const rights = state.actorPermissions;
  if (!rights || !isAllowed(rights, MANAGED.invites, 'create')) {
    throw inviterGone('the person who sent it may no longer invite');
  }
  try {
    assertCanGrant(rights, state.compiled, state.policy, {
      roles: invite.roles.map((roleId) => ({ roleId })),
      groups: invite.groups,
    });
  } catch (error) {
    if (error instanceof ForbiddenError) {
      throw inviterGone('the person who sent it no longer holds what it grants');
    }
    throw error;
  }
  return memberStillActive(deps, invite.tenantId, inviter);
}

function accountExists(): ConflictError {
  return new ConflictError(
    'An account with this email exists: sign in and accept the invite with your access token',
  );
}

/** The validation error of an accept without a bearer token and without a password. */
export function passwordRequired(): InvalidError {
  return new InvalidError(
    'Give a password to create your account, or sign in and send your access token',
    [{ path: 'body.password', message: 'required without a bearer token' }],
  );
}
