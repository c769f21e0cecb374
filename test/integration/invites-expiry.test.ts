/** Invite expiry driven by an injected clock against DynamoDB Local: TTL lag, the exact boundary, resend after expiry. */
import { describe, expect, it } from 'vitest';
import { GoneError } from '#shared/errors/domain-errors.js';
import { cognitoIdentity, createCognitoClient } from '#shared/identity/cognito-identity.js';
import {
  acceptInvite,
  createInvites,
  listInvites,
  lookupInvite,
  resendInvite,
} from '#shared/invites/invite-service.js';
import { fixedClock } from '#shared/platform/clock.js';
import type { TokenGenerator } from '#shared/platform/secret-tokens.js';
import { randomTokens } from '#shared/platform/secret-tokens.js';
import { domainDeps } from '../support/domain-deps.js';
import { createTenantWithOwner, createUser, stack, uniqueEmail } from '../support/stack-client.js';

const identity = cognitoIdentity(
  createCognitoClient({ region: stack.cognito.region, endpoint: stack.cognito.endpoint }),
  stack.cognito.userPoolId,
);
const HOUR = 3_600_000;

/** A token generator that remembers what it handed out, so the test holds the raw token the mail would carry. */
function recordingTokens(): TokenGenerator & { last(): string } {
  let last = '';
  return {
    newSecret: () => {
      last = randomTokens.newSecret();
      return last;
    },
    last: () => last,
  };
}

async function setup() {
  const { tenantId, owner } = await createTenantWithOwner();
  const invitee = await createUser(uniqueEmail('exp'));
  const clock = fixedClock(new Date());
  const tokens = recordingTokens();
  const deps = { ...domainDeps(clock), tokens };
  const caller = { userId: owner.userId, email: owner.email };
  const { results } = await createInvites(deps, caller, tenantId, { emails: [invitee.email] });
  const result = results[0];
  if (result?.status !== 'invited' || !result.expiresAt || !result.inviteId)
    throw new Error('not invited');
  const accepter = { kind: 'bearer' as const, userId: invitee.userId, email: invitee.email };
  return { tenantId, caller, clock, deps, tokens, token: tokens.last(), accepter, result };
}

describe('invite expiry', () => {
  it('expires after inviteTtlHours (72 by default)', async () => {
    const { clock, result } = await setup();
    expect(Date.parse(result.expiresAt ?? '') - clock.now().getTime()).toBe(72 * HOUR);
  });

  it('refuses an accept at exactly expiresAt with 410', async () => {
    const { clock, deps, token, accepter, result } = await setup();
    clock.set(new Date(result.expiresAt ?? ''));
    await expect(acceptInvite(deps, identity, token, accepter)).rejects.toBeInstanceOf(GoneError);
    clock.advance(-1);
    await expect(acceptInvite(deps, identity, token, accepter)).resolves.toMatchObject({
      status: 200,
    });
  });

  it('refuses an accept after expiry while the item is still stored (TTL lag), and lists it as expired', async () => {
    const { tenantId, clock, deps, token, accepter, result } = await setup();
    clock.advance(73 * HOUR);
    await expect(lookupInvite(deps, token)).rejects.toBeInstanceOf(GoneError);
    await expect(acceptInvite(deps, identity, token, accepter)).rejects.toBeInstanceOf(GoneError);
    const expired = await listInvites(deps, tenantId, { limit: 25, status: 'expired' });
    expect(expired.items.map((i) => i.inviteId)).toEqual([result.inviteId]);
    const pending = await listInvites(deps, tenantId, { limit: 25, status: 'pending' });
    expect(pending.items).toEqual([]);
  });

  it('resends an expired invite with a fresh expiry and a token that works', async () => {
    const {
      tenantId,
      caller,
      clock,
      deps,
      tokens,
      token: oldToken,
      accepter,
      result,
    } = await setup();
    clock.advance(100 * HOUR);
    const resent = await resendInvite(deps, caller, tenantId, result.inviteId ?? '');
    expect(Date.parse(resent.expiresAt)).toBe(clock.now().getTime() + 72 * HOUR);
    await expect(acceptInvite(deps, identity, oldToken, accepter)).rejects.toBeInstanceOf(
      GoneError,
    );
    await expect(acceptInvite(deps, identity, tokens.last(), accepter)).resolves.toMatchObject({
      body: { tenantId, userId: accepter.userId },
    });
  });
});
