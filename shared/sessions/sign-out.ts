/** Signing a user out everywhere: Cognito GlobalSignOut and a forced-logout stamp on every membership. */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { auditPut } from '#shared/audit/audit-event.js';
import { NotFoundError } from '#shared/errors/domain-errors.js';
import type { IdentityProvider } from '#shared/identity/identity-provider.js';
import { raceLost, withOptimisticRetry } from '#shared/members/member-writes.js';
import { logger } from '#shared/observability/logger.js';
import { keys } from '#shared/store/keys.js';
import { transactWrite } from '#shared/store/transact.js';

/**
 * cognito-local answers GlobalSignOut and AdminUserGlobalSignOut with this error; real Cognito
 * implements both. Only this exact gap is tolerated, so a real failure is never swallowed.
 */
export function isEmulatorGlobalSignOutGap(error: unknown): boolean {
  // The emulator answers 500, which the client boundary reports as an outage with this cause.
  const cause = error instanceof Error ? (error.cause ?? error) : undefined;
  return cause instanceof Error && /Unsupported x-amz-target header/i.test(cause.message);
}

/** The tenants the user is a member of (byUser index), every page. */
export async function membershipTenants(deps: StoreDeps, userId: string): Promise<string[]> {
  const tenants: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const res = await deps.db.send(
      new QueryCommand({
        TableName: deps.tableName,
        IndexName: 'byUser',
        KeyConditionExpression: 'gsi1pk = :u',
        ExpressionAttributeValues: { ':u': keys.byUserPartition(userId) },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of res.Items ?? []) {
      if (item.type === 'member') tenants.push(String(item.tenantId));
    }
    startKey = res.LastEvaluatedKey;
  } while (startKey);
  return tenants;
}

/**
 * Stamps `sessionsValidAfter = now` on one membership with its audit event. The version bump
 * makes any concurrent member write (a full-item Put conditioned on version) re-read and keep
 * the stamp. A membership deleted meanwhile is skipped: it has no sessions left to end.
 */
async function stampMembership(
  deps: StoreDeps,
  actor: string,
  tenantId: string,
  userId: string,
  now: Date,
) {
  const at = now.getTime();
  await transactWrite(
    deps.db,
    [
      {
        Update: {
          TableName: deps.tableName,
          Key: keys.member(tenantId, userId),
          UpdateExpression: 'SET sessionsValidAfter = :at ADD version :one',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at, ':one': 1 },
        },
      },
      auditPut(
        deps.tableName,
        {
          tenantId,
          actor,
          action: 'session.logout',
          target: `member:${userId}`,
          after: { sessionsValidAfter: at, scope: 'everywhere' },
        },
        now,
      ),
    ],
    (codes) =>
      codes[0] === 'ConditionalCheckFailed' ? new NotFoundError('Membership gone') : raceLost(),
  ).catch((error: unknown) => {
    if (!(error instanceof NotFoundError)) throw error;
  });
}

/**
 * Signs the caller out everywhere: the user-wide stamp and every membership's
 * `sessionsValidAfter` become now (so the authorizer refuses every token issued before, in every
 * tenant and outside them), then Cognito GlobalSignOut
 * with the caller's access token revokes their refresh tokens. The stamps go first: they are
 * what our authorizer enforces, and a retry after a failed GlobalSignOut repeats them harmlessly.
 */
export async function signOutEverywhere(
  deps: StoreDeps,
  identity: IdentityProvider,
  caller: Caller,
  accessToken: string,
): Promise<{ tenants: string[] }> {
  const now = deps.clock.now();
  // Outside tenants (`/v1/me`, creating a tenant) the user-wide stamp is what the authorizer checks.
  await deps.db.send(
    new PutCommand({
      TableName: deps.tableName,
      Item: {
        ...keys.userSessions(caller.userId),
        type: 'user-sessions',
        userId: caller.userId,
        sessionsValidAfter: now.getTime(),
      },
    }),
  );
  const tenants = await membershipTenants(deps, caller.userId);
  await Promise.all(
    tenants.map((t) =>
      withOptimisticRetry(() => stampMembership(deps, caller.userId, t, caller.userId, now)),
    ),
  );
  try {
    await identity.globalSignOut(accessToken);
  } catch (error) {
    if (!isEmulatorGlobalSignOutGap(error)) throw error;
    logger.warn(
      'GlobalSignOut is not supported by this identity emulator; sessions ended by stamp only',
      {
        userId: caller.userId,
      },
    );
  }
  return { tenants };
}
