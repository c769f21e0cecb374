/**
 * The outbox's delivery bookkeeping, whatever the mail: each attempt claims the item with a
 * lease (so two deliverers never send the same mail), a failure is written on the item with
 * the time of the next attempt (exponential backoff over minutes to hours), and after the last
 * attempt the item is dead: listed, and sent again only when an operator re-drives it. Items
 * past their expiry are deleted, so a raw token or one-time password never stays for good.
 */
import { DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreDeps } from '#shared/app/context.js';
import type { Env } from '#shared/config/env.js';
import type { Mailer } from '#shared/mail/mailer.js';
import { logger } from '#shared/observability/logger.js';
import { keys } from '#shared/store/keys.js';

/** When attempts happen and when an item is given up. */
export interface RetryPolicy {
  /** Delay before the second attempt; it doubles per attempt up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Attempts before the item is dead. */
  maxAttempts: number;
  /** How long a claim holds an item; after it, a crashed deliverer's item is due again. */
  leaseMs: number;
}

/**
 * When a new item becomes due for the re-drive if the stream never delivered it (the stream is
 * the fast path; the re-drive is the safety net).
 */
export const FIRST_REDRIVE_MS = 60_000;

export function retryPolicy(
  env: Pick<Env, 'MAIL_RETRY_BASE_SECONDS' | 'MAIL_RETRY_MAX_SECONDS' | 'MAIL_MAX_ATTEMPTS'>,
): RetryPolicy {
  const base = env.MAIL_RETRY_BASE_SECONDS * 1000;
  return {
    baseDelayMs: base,
    maxDelayMs: Math.max(base, env.MAIL_RETRY_MAX_SECONDS * 1000),
    maxAttempts: env.MAIL_MAX_ATTEMPTS,
    leaseMs: 60_000,
  };
}

/** The delay before attempt `attempts + 1`, with +-20% jitter so retries of a burst spread out. */
export function backoffMs(policy: RetryPolicy, attempts: number, random = Math.random): number {
  const raw = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

/** The due-list entry every new outbox item carries, so the re-drive finds it if the stream does not. */
export function newOutboxFields(pk: string, now: Date): Record<string, string> {
  return keys.outboxDue(new Date(now.getTime() + FIRST_REDRIVE_MS).toISOString(), pk);
}

export type OutboxItem = Record<string, unknown> & { pk: string; sk: string; type: string };

export interface OutboxDeps extends StoreDeps {
  mailer: Mailer;
  acceptUrl: string;
  policy: RetryPolicy;
}

/** What a failure means for the entity that owns the mail (e.g. the invite's delivery status). */
export interface FailureRecord {
  attempts: number;
  lastError: string;
  dead: boolean;
}

/** One kind of outbox item: how to send it, and what its failures and re-drives mean elsewhere. */
export interface OutboxKind {
  /** Sends the mail of a claimed item and removes the item; `stale` when nothing is to be sent. */
  deliver(deps: OutboxDeps, item: OutboxItem): Promise<'sent' | 'stale'>;
  onFailure?(deps: OutboxDeps, item: OutboxItem, failure: FailureRecord): Promise<void>;
  onRequeue?(deps: StoreDeps, item: OutboxItem): Promise<void>;
}

export type OutboxOutcome = 'sent' | 'stale' | 'retrying' | 'dead' | 'expired' | 'skipped';

function isConditionFailure(error: unknown): boolean {
  return (error as Error | undefined)?.name === 'ConditionalCheckFailedException';
}

/** Leases the item to this deliverer; undefined when it is gone, dead, leased or not yet due. */
async function claim(
  deps: OutboxDeps,
  key: { pk: string; sk: string },
  expectedSendCount: number | undefined,
  now: Date,
): Promise<{ item: OutboxItem; lease: string } | undefined> {
  const lease = new Date(now.getTime() + deps.policy.leaseMs).toISOString();
  const nowIso = now.toISOString();
  try {
    const res = await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: key,
        // If this deliverer dies holding the lease, the item is due again when the lease ends.
        UpdateExpression: 'SET leaseUntil = :lease, gsi1pk = :duePk, gsi1sk = :dueSk',
        ConditionExpression: [
          'attribute_exists(pk)',
          'attribute_not_exists(dead)',
          '(attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
          '(attribute_not_exists(nextAttemptAt) OR nextAttemptAt <= :now)',
          ...(expectedSendCount === undefined ? [] : ['sendCount = :n']),
        ].join(' AND '),
        ExpressionAttributeValues: {
          ':lease': lease,
          ':now': nowIso,
          ':duePk': keys.outboxDuePartition,
          ':dueSk': keys.outboxDue(lease, key.pk).gsi1sk,
          ...(expectedSendCount === undefined ? {} : { ':n': expectedSendCount }),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { item: res.Attributes as OutboxItem, lease };
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

function describeError(error: unknown): string {
  const e = error as Error & { cause?: Error };
  const cause = e.cause?.name && e.cause.name !== 'Error' ? ` (${e.cause.name})` : '';
  return `${e.name ?? 'Error'}: ${e.message ?? String(error)}${cause}`.slice(0, 300);
}

async function recordFailure(
  deps: OutboxDeps,
  kind: OutboxKind,
  item: OutboxItem,
  lease: string,
  error: unknown,
  now: Date,
): Promise<'retrying' | 'dead' | 'skipped'> {
  const attempts = Number(item.attempts ?? 0) + 1;
  const dead = attempts >= deps.policy.maxAttempts;
  const lastError = describeError(error);
  const nowIso = now.toISOString();
  const next = new Date(now.getTime() + backoffMs(deps.policy, attempts)).toISOString();
  const index = dead ? keys.outboxDead(nowIso, item.pk) : keys.outboxDue(next, item.pk);
  const written = await deps.db
    .send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: dead
          ? 'SET attempts = :a, lastError = :e, lastAttemptAt = :now, dead = :true, deadAt = :now, gsi1pk = :gpk, gsi1sk = :gsk REMOVE leaseUntil, nextAttemptAt'
          : 'SET attempts = :a, lastError = :e, lastAttemptAt = :now, nextAttemptAt = :next, gsi1pk = :gpk, gsi1sk = :gsk REMOVE leaseUntil',
        ConditionExpression: 'attribute_exists(pk) AND leaseUntil = :lease',
        ExpressionAttributeValues: {
          ':a': attempts,
          ':e': lastError,
          ':now': nowIso,
          ':lease': lease,
          ':gpk': index.gsi1pk,
          ':gsk': index.gsi1sk,
          ...(dead ? { ':true': true } : { ':next': next }),
        },
      }),
    )
    .then(
      () => true,
      (e: unknown) => {
        // Replaced meanwhile (a resend wrote a fresh item): the new item has its own attempts.
        if (isConditionFailure(e)) return false;
        throw e;
      },
    );
  if (!written) return 'skipped';
  await kind.onFailure?.(deps, item, { attempts, lastError, dead });
  const log = { pk: item.pk, type: item.type, attempts, error: lastError };
  if (dead) logger.error('Outbox mail is dead after its last attempt; re-drive it', log);
  else logger.warn('Outbox mail failed; it will be retried', { ...log, nextAttemptAt: next });
  return dead ? 'dead' : 'retrying';
}

/**
 * One delivery attempt of the outbox item at `key`: claim it, drop it when expired, send it,
 * or record the failure. Throws only when the table itself fails (the caller retries).
 */
export async function attemptOutboxItem(
  deps: OutboxDeps,
  kinds: Record<string, OutboxKind>,
  key: { pk: string; sk: string },
  expectedSendCount?: number,
): Promise<OutboxOutcome> {
  const now = deps.clock.now();
  const claimed = await claim(deps, key, expectedSendCount, now);
  if (!claimed) return 'skipped';
  const { item, lease } = claimed;
  const kind = kinds[item.type];
  if (!kind) {
    logger.error('Outbox item of an unknown type', { pk: item.pk, type: item.type });
    return 'skipped';
  }
  if (typeof item.ttl === 'number' && item.ttl * 1000 <= now.getTime()) {
    await expire(deps, kind, item);
    return 'expired';
  }
  try {
    return await kind.deliver(deps, item);
  } catch (error) {
    return recordFailure(deps, kind, item, lease, error, now);
  }
}

async function expire(deps: OutboxDeps, kind: OutboxKind, item: OutboxItem): Promise<void> {
  await deps.db.send(
    new DeleteCommand({ TableName: deps.tableName, Key: { pk: item.pk, sk: item.sk } }),
  );
  const lastError = 'Expired before it could be delivered; send it again';
  await kind.onFailure?.(deps, item, {
    attempts: Number(item.attempts ?? 0),
    lastError,
    dead: true,
  });
  logger.error('Outbox mail expired undelivered', { pk: item.pk, type: item.type });
}

async function listPartition(
  deps: StoreDeps,
  partition: string,
  upTo: string | undefined,
  limit: number,
): Promise<OutboxItem[]> {
  const res = await deps.db.send(
    new QueryCommand({
      TableName: deps.tableName,
      IndexName: 'byUser',
      KeyConditionExpression: upTo ? 'gsi1pk = :p AND gsi1sk <= :upTo' : 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': partition, ...(upTo ? { ':upTo': upTo } : {}) },
      Limit: limit,
    }),
  );
  return (res.Items ?? []) as OutboxItem[];
}

export type RedriveCounts = Record<OutboxOutcome | 'errors', number>;

/**
 * One pass of the scheduled re-drive: attempts every item whose next attempt is due (at most
 * `limit`), and deletes dead items past their expiry.
 */
export async function redriveOutbox(
  deps: OutboxDeps,
  kinds: Record<string, OutboxKind>,
  limit = 50,
): Promise<RedriveCounts> {
  const counts: RedriveCounts = {
    sent: 0,
    stale: 0,
    retrying: 0,
    dead: 0,
    expired: 0,
    skipped: 0,
    errors: 0,
  };
  const now = deps.clock.now();
  const due = await listPartition(deps, keys.outboxDuePartition, `${now.toISOString()}#~`, limit);
  // A few at a time: a burst of due mail must not exceed SES's send rate or the function's time.
  for (let i = 0; i < due.length; i += 5) {
    await Promise.all(
      due.slice(i, i + 5).map(async (item) => {
        try {
          counts[await attemptOutboxItem(deps, kinds, { pk: item.pk, sk: item.sk })]++;
        } catch (error) {
          counts.errors++;
          logger.error('Outbox re-drive failed for one item', {
            pk: item.pk,
            error: error as Error,
          });
        }
      }),
    );
  }
  for (const item of await listPartition(deps, keys.outboxDeadPartition, undefined, limit)) {
    const kind = kinds[item.type];
    if (kind && typeof item.ttl === 'number' && item.ttl * 1000 <= now.getTime()) {
      await expire(deps, kind, item);
      counts.expired++;
    }
  }
  return counts;
}

/** A dead item as an operator sees it: never the token or password it carries. */
export interface DeadMail {
  pk: string;
  type: string;
  tenantId: string;
  email: string;
  attempts: number;
  lastError: string;
  deadAt: string;
}

export async function listDeadMail(deps: StoreDeps, limit = 100): Promise<DeadMail[]> {
  const items = await listPartition(deps, keys.outboxDeadPartition, undefined, limit);
  return items.map((item) => ({
    pk: item.pk,
    type: item.type,
    tenantId: String(item.tenantId ?? ''),
    email: String(item.email ?? ''),
    attempts: Number(item.attempts ?? 0),
    lastError: String(item.lastError ?? ''),
    deadAt: String(item.deadAt ?? ''),
  }));
}

/**
 * Gives dead items a fresh set of attempts, due now: the next re-drive pass sends them. Returns
 * how many were re-queued.
 */
export async function requeueDeadMail(
  deps: StoreDeps,
  kinds: Record<string, OutboxKind>,
  limit = 100,
): Promise<number> {
  const nowIso = deps.clock.now().toISOString();
  let count = 0;
  for (const item of await listPartition(deps, keys.outboxDeadPartition, undefined, limit)) {
    try {
      await deps.db.send(
        new UpdateCommand({
          TableName: deps.tableName,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression:
            'SET attempts = :zero, nextAttemptAt = :now, gsi1pk = :gpk, gsi1sk = :gsk REMOVE dead, deadAt, leaseUntil',
          ConditionExpression: 'attribute_exists(dead)',
          ExpressionAttributeValues: {
            ':zero': 0,
            ':now': nowIso,
            ':gpk': keys.outboxDuePartition,
            ':gsk': keys.outboxDue(nowIso, item.pk).gsi1sk,
          },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) continue;
      throw error;
    }
    await kinds[item.type]?.onRequeue?.(deps, item);
    count++;
  }
  return count;
}
