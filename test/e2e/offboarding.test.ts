/**
 * Offboarding (rule 13, issue 20): deleting or disabling a person in the user pool ends every
 * credential of theirs in every tenant. The user is deleted or disabled in cognito-local for
 * real; cognito-local emits no CloudTrail events, so the test feeds the offboarding code the
 * EventBridge event AWS would deliver (the shape of an "AWS API Call via CloudTrail" event).
 */
import {
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { offboardingTarget, offboardUser } from '#shared/sessions/offboarding.js';
import { domainDeps } from '../support/domain-deps.js';
import {
  addUser,
  api,
  cognito,
  createTenantWithOwner,
  join,
  stack,
} from '../support/stack-client.js';

const pool = stack.cognito.userPoolId;

function cloudTrailEvent(eventName: string, detail: Record<string, unknown> = {}) {
  return {
    version: '0',
    source: 'aws.cognito-idp',
    'detail-type': 'AWS API Call via CloudTrail',
    detail: { eventSource: 'cognito-idp.amazonaws.com', eventName, ...detail },
  };
}

/** Feeds one event to the offboarding code exactly as the handler does. */
async function deliver(event: unknown) {
  const target = offboardingTarget(event, pool);
  if (target.kind === 'user') await offboardUser(domainDeps(), target.userId);
  return target;
}

/** An admin in two tenants with every credential kind: session, personal tokens, a minted API token. */
async function adminWithCredentials() {
  const a = await createTenantWithOwner();
  const b = await createTenantWithOwner();
  const admin = await addUser(a.tenantId, a.owner.accessToken, ['admin']);
  await join(b.tenantId, b.owner.accessToken, admin, ['admin']);
  const credentials: [string, string, string][] = [['session', a.tenantId, admin.accessToken]];
  for (const t of [a.tenantId, b.tenantId]) {
    const minted = await api('POST', `/v1/tenants/${t}/members/${admin.userId}/tokens`, {
      token: admin.accessToken,
      body: { name: 'laptop' },
    });
    expect(minted.status).toBe(201);
    credentials.push([`personal token in ${t}`, t, String(minted.body.token)]);
  }
  const sa = `/v1/tenants/${a.tenantId}/service-accounts`;
  await api('POST', sa, {
    token: a.owner.accessToken,
    body: { serviceAccountId: 'ci', name: 'ci' },
  });
  await api('PUT', `${sa}/ci/roles/member`, { token: a.owner.accessToken, body: {} });
  const apiToken = await api('POST', `${sa}/ci/tokens`, {
    token: admin.accessToken,
    body: { name: 'minted by the admin' },
  });
  expect(apiToken.status).toBe(201);
  credentials.push(['API token the admin minted', a.tenantId, String(apiToken.body.token)]);
  for (const [what, t, token] of credentials) {
    expect((await api('GET', `/v1/tenants/${t}`, { token })).status, what).toBe(200);
  }
  return { a, b, admin, credentials };
}

describe('offboarding: the user pool removes a person, every credential of theirs dies', () => {
  for (const [eventName, remove] of [
    ['AdminDeleteUser', AdminDeleteUserCommand],
    ['AdminDisableUser', AdminDisableUserCommand],
  ] as const) {
    it(`${eventName}: sessions, personal tokens in every tenant and minted API tokens get 401`, async () => {
      const { admin, credentials } = await adminWithCredentials();
      await cognito.send(new remove({ UserPoolId: pool, Username: admin.email }));
      // The finding: before the event arrives, the personal token still works.
      const [, t, personal] = credentials[1] ?? [];
      expect((await api('GET', `/v1/tenants/${t}`, { token: personal })).status).toBe(200);
      // CloudTrail hides the username of some calls; the sub comes with the event.
      const target = await deliver(
        cloudTrailEvent(eventName, {
          requestParameters: { userPoolId: pool, username: 'HIDDEN_FOR_SECURITY_REASONS' },
          additionalEventData: { sub: admin.userId },
        }),
      );
      expect(target).toMatchObject({ kind: 'user', userId: admin.userId });
      for (const [what, tenantId, token] of credentials) {
        const res = await api('GET', `/v1/tenants/${tenantId}`, { token });
        expect(res.status, what).toBe(401);
      }
    });
  }

  it('takes the sub from the username when the pool keeps subs as usernames', () => {
    const sub = '0b5f7c2e-6f1a-4d5e-9a0b-2c3d4e5f6a7b';
    expect(
      offboardingTarget(
        cloudTrailEvent('AdminDeleteUser', {
          requestParameters: { userPoolId: pool, username: sub },
        }),
        pool,
      ),
    ).toEqual({ kind: 'user', userId: sub, eventName: 'AdminDeleteUser' });
  });

  it('ignores failed calls, other pools and other events; refuses loudly an event naming nobody', () => {
    const sub = '0b5f7c2e-6f1a-4d5e-9a0b-2c3d4e5f6a7b';
    const ok = { requestParameters: { userPoolId: pool }, additionalEventData: { sub } };
    expect(
      offboardingTarget(
        cloudTrailEvent('AdminDeleteUser', { ...ok, errorCode: 'UserNotFoundException' }),
        pool,
      ).kind,
    ).toBe('ignored');
    expect(
      offboardingTarget(
        cloudTrailEvent('AdminDeleteUser', {
          ...ok,
          requestParameters: { userPoolId: 'eu-west-1_other' },
        }),
        pool,
      ).kind,
    ).toBe('ignored');
    expect(offboardingTarget(cloudTrailEvent('AdminEnableUser', ok), pool).kind).toBe('ignored');
    expect(() =>
      offboardingTarget(
        cloudTrailEvent('AdminDeleteUser', {
          requestParameters: { userPoolId: pool, username: 'HIDDEN_FOR_SECURITY_REASONS' },
        }),
        pool,
      ),
    ).toThrow(/names no user sub/);
  });
});
