/**
 * The outbox's delivery bookkeeping, whatever the mail: each attempt claims the item with a
 * lease (so two deliverers never send the same mail), a failure is written on the item with
 * the time of the next attempt (exponential backoff over minutes to hours), and after the last
 * attempt the item is dead: listed, and sent again only when an operator re-drives it. Items
 * past their expiry are deleted, so a raw token or one-time password never stays for good.
 */
import type { StoreDeps } from '#shared/app/context.js';
import type { Env } from '#shared/config/env.js';
import type { Mailer } from '#shared/mail/mailer.js';
import { logger } from '#shared/observability/logger.js';
import {
  claimOutbox,
  deleteOutbox,
  listOutbox,
  type OutboxItem,
  recordOutboxFailure,
  requeueOutbox,
} from '#shared/store/records/outbox-record.js';

export type { OutboxItem };

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

/** Leases the item to this deliverer; undefined when it is gone, dead, leased or not yet due. */
async function claim(
  deps: OutboxDeps,
  key: { pk: string; sk: string },
  expectedSendCount: number | undefined,
  now: Date,
): Promise<{ item: OutboxItem; lease: string } | undefined> {
  const lease = new Date(now.getTime() + deps.policy.leaseMs).toISOString();
  const item = await claimOutbox(deps.table, key, {
    now: now.toISOString(),
    lease,
    sendCount: expectedSendCount,
  });
  return item ? { item, lease } : undefined;
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
  const failure = { attempts, lastError, now: nowIso, lease };
  const written = await recordOutboxFailure(
    deps.table,
    item,
    dead ? { ...failure, dead } : { ...failure, dead, nextAt: next },
  );
  // Not written: replaced meanwhile (a resend wrote a fresh item), which has its own attempts.
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
  await deleteOutbox(deps.table, item);
  const lastError = 'Expired before it could be delivered; send it again';
  await kind.onFailure?.(deps, item, {
    attempts: Number(item.attempts ?? 0),
    lastError,
    dead: true,
  });
  logger.error('Outbox mail expired undelivered', { pk: item.pk, type: item.type });
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
  const due = await listOutbox(deps.table, 'due', limit, `${now.toISOString()}#~`);
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
  for (const item of await listOutbox(deps.table, 'dead', limit)) {
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
  const items = await listOutbox(deps.table, 'dead', limit);
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
  for (const item of await listOutbox(deps.table, 'dead', limit)) {
    if (!(await requeueOutbox(deps.table, item, nowIso))) continue;
    await kinds[item.type]?.onRequeue?.(deps, item);
    count++;
  }
  return count;
}
