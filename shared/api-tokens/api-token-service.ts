/**
 * API tokens of service accounts: mint (the secret is returned once and only its SHA-256 is
 * stored), list (never the secret) and revoke (effective on the next request). The token item
 * pieces here are shared with members' personal tokens (personal-token-service.ts).
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { assertOutranks } from '#shared/acl/hierarchy.js';
import { formatApiToken } from '#shared/api-tokens/api-token-format.js';
import type { Caller, StoreDeps } from '#shared/app/context.js';
import { auditPut } from '#shared/audit/audit-event.js';
import { raceLost, withOptimisticRetry } from '#shared/common/optimistic-retry.js';
import { ConflictError, ForbiddenError, NotFoundError } from '#shared/errors/domain-errors.js';
import { hashSecret } from '#shared/platform/secret-tokens.js';
import { loadTenantState } from '#shared/policy/tenant-state.js';
import {
  type CreateTokenInput,
  TOKEN_DEFAULT_DAYS,
} from '#shared/service-accounts/service-account-schemas.js';
import {
  actingMember,
  loadServiceAccount,
  permissionsOf,
} from '#shared/service-accounts/service-account-service.js';
import { keys } from '#shared/store/keys.js';
import { decodeCursor, encodeCursor, type Page } from '#shared/store/pagination.js';
import { serviceAccountPrincipal } from '#shared/store/records/service-account-record.js';
import { TTL_ATTRIBUTE } from '#shared/store/table-definition.js';
import { type TransactItem, transactWrite } from '#shared/store/transact.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Token items (revoked or expired) vanish this long after they stop working. */
const KEEP_AFTER_END_MS = 30 * DAY_MS;
/** Token items per account, revoked and expired ones included until TTL removes them. */
export const MAX_TOKENS_PER_ACCOUNT = 50;

/** What a listing shows of a token item: never the secret or its hash. */
export function tokenView(item: Record<string, unknown>, now: Date) {
  const expiresAt = String(item.expiresAt);
  const status =
    item.revoked === true
      ? 'revoked'
      : Date.parse(expiresAt) <= now.getTime()
        ? 'expired'
        : 'active';
  return {
    tokenId: String(item.tokenId),
    name: String(item.name),
    createdAt: String(item.createdAt),
    expiresAt,
    lastUsedAt: typeof item.lastUsedAt === 'string' ? item.lastUsedAt : null,
    status,
  };
}

/** How many token items (any status) a partition holds under `prefix`, strongly consistent. */
export async function countTokens(deps: StoreDeps, tenantId: string, prefix: string) {
  const res = await deps.db.send(
    new QueryCommand({
      TableName: deps.tableName,
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
      ExpressionAttributeValues: { ':p': keys.tenantPartition(tenantId), ':s': prefix },
      Select: 'COUNT',
      ConsistentRead: true,
    }),
  );
  return res.Count ?? 0;
}

/**
 * A new token: its public record, the secret (to hand out once) and the attributes its item
 * stores (the secret's hash, never the secret; TTL 30 days after expiry).
 */
export function newToken(deps: StoreDeps, input: CreateTokenInput) {
  const now = deps.clock.now();
  const tokenId = ulid(now.getTime());
  const secret = deps.tokens.newSecret();
  const expires = new Date(now.getTime() + (input.expiresInDays ?? TOKEN_DEFAULT_DAYS) * DAY_MS);
  const record = {
    tokenId,
    name: input.name,
    createdAt: now.toISOString(),
    expiresAt: expires.toISOString(),
  };
  const stored = {
    ...record,
    secretHash: hashSecret(secret),
    revoked: false,
    [TTL_ATTRIBUTE]: Math.floor((expires.getTime() + KEEP_AFTER_END_MS) / 1000),
  };
  return { now, tokenId, secret, record, stored };
}

/**
 * Rule 13: credentials do not breed. Only a person signed in with a session mints a token (an
 * API token or a personal token cannot, and so cannot make one that outlives itself).
 */
export const MINT_NEEDS_SESSION =
  'Minting a token needs a signed-in person: API tokens and personal tokens cannot mint tokens';

/** The conditional update that revokes a token item (idempotence is the caller's read). */
export function revokeTokenUpdate(
  deps: StoreDeps,
  key: { pk: string; sk: string },
  now: Date,
): TransactItem {
  return {
    Update: {
      TableName: deps.tableName,
      Key: key,
      UpdateExpression: 'SET revoked = :t, revokedAt = :at, #ttl = :ttl',
      ConditionExpression: 'revoked = :f',
      ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
      ExpressionAttributeValues: {
        ':t': true,
        ':f': false,
        ':at': now.toISOString(),
        ':ttl': Math.floor((now.getTime() + KEEP_AFTER_END_MS) / 1000),
      },
    },
  };
}

/**
 * Mints a token for a service account: `ghs_<accountId>.<tokenId>_<secret>`, with 32 random
 * bytes of secret. Returned here once; the item stores only the secret's SHA-256. The account's
 * version is bumped in the same transaction so a concurrent delete cannot leave it orphaned.
 */
export async function createApiToken(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  serviceAccountId: string,
  input: CreateTokenInput,
) {
  if (caller.credential !== 'session') throw new ForbiddenError(MINT_NEEDS_SESSION);
  return withOptimisticRetry(async () => {
    const state = await loadTenantState(deps, tenantId, caller);
    const actorCheck = actingMember(deps, state, caller);
    const minter = state.actor;
    if (!minter) throw new ForbiddenError(MINT_NEEDS_SESSION);
    const sa = await loadServiceAccount(deps, tenantId, serviceAccountId);
    if (
      (await countTokens(deps, tenantId, keys.apiTokenPrefix(serviceAccountId))) >=
      MAX_TOKENS_PER_ACCOUNT
    ) {
      throw new ConflictError(
        `A service account holds at most ${MAX_TOKENS_PER_ACCOUNT} tokens; revoke unused ones`,
      );
    }
    const { now, tokenId, secret, record, stored } = newToken(deps, input);
    await transactWrite(
      deps.db,
      [
        {
          Put: {
            TableName: deps.tableName,
            Item: {
              ...keys.apiToken(tenantId, serviceAccountId, tokenId),
              type: 'api-token',
              tenantId,
              serviceAccountId,
              accountIncarnation: sa.incarnation,
              mintedBy: minter.userId,
              minterIncarnation: minter.incarnation,
              ...stored,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Update: {
            TableName: deps.tableName,
            Key: keys.serviceAccount(tenantId, serviceAccountId),
            UpdateExpression: 'SET version = :next',
            ConditionExpression: 'version = :v',
            ExpressionAttributeValues: { ':v': sa.version, ':next': sa.version + 1 },
          },
        },
        actorCheck,
        auditPut(
          deps.tableName,
          {
            tenantId,
            actor: caller.userId,
            action: 'api-token.create',
            target: serviceAccountPrincipal(serviceAccountId),
            after: record,
          },
          now,
        ),
      ],
      () => raceLost(),
    );
    return {
      ...record,
      mintedBy: minter.userId,
      token: formatApiToken({ serviceAccountId, tokenId, mintedBy: minter.userId, secret }),
    };
  });
}

/** One page of the token items under `prefix` in a tenant's partition, as listings show them. */
export async function listTokenItems(
  deps: StoreDeps,
  tenantId: string,
  prefix: string,
  query: { limit: number; cursor?: string },
): Promise<Page<ReturnType<typeof tokenView>>> {
  const partition = { pk: keys.tenantPartition(tenantId) };
  const res = await deps.db.send(
    new QueryCommand({
      TableName: deps.tableName,
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
      ExpressionAttributeValues: { ':p': partition.pk, ':s': prefix },
      Limit: query.limit,
      ExclusiveStartKey: decodeCursor(query.cursor, partition, { sk: prefix }),
    }),
  );
  const now = deps.clock.now();
  return {
    items: (res.Items ?? []).map((i) => tokenView(i, now)),
    nextCursor: encodeCursor(res.LastEvaluatedKey),
  };
}

/** Lists a service account's tokens: id, name, times and status; never the secret or its hash. */
export async function listApiTokens(
  deps: StoreDeps,
  tenantId: string,
  serviceAccountId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<ReturnType<typeof tokenView>>> {
  await loadServiceAccount(deps, tenantId, serviceAccountId);
  return listTokenItems(deps, tenantId, keys.apiTokenPrefix(serviceAccountId), query);
}

/** Revokes a token: the authorizer refuses it from the next request on. Idempotent. */
export async function revokeApiToken(
  deps: StoreDeps,
  caller: Caller,
  tenantId: string,
  serviceAccountId: string,
  tokenId: string,
) {
  await withOptimisticRetry(async () => {
    const state = await loadTenantState(deps, tenantId, caller);
    const actorCheck = actingMember(deps, state, caller);
    const account = await loadServiceAccount(deps, tenantId, serviceAccountId);
    assertOutranks(state.actorPermissions, permissionsOf(state, account), 'revoke the tokens of');
    const key = keys.apiToken(tenantId, serviceAccountId, tokenId);
    const res = await deps.db.send(
      new GetCommand({ TableName: deps.tableName, Key: key, ConsistentRead: true }),
    );
    if (!res.Item) throw new NotFoundError(`Token '${tokenId}' not found`);
    if (res.Item.revoked === true) return;
    const now = deps.clock.now();
    await transactWrite(
      deps.db,
      [
        revokeTokenUpdate(deps, key, now),
        actorCheck,
        auditPut(
          deps.tableName,
          {
            tenantId,
            actor: caller.userId,
            action: 'api-token.revoke',
            target: serviceAccountPrincipal(serviceAccountId),
            before: tokenView(res.Item, now),
            after: { ...tokenView(res.Item, now), status: 'revoked' },
          },
          now,
        ),
      ],
      () => raceLost(),
    );
  });
}
