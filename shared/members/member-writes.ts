/**
 * Transaction items for changing a member while keeping "at least one active superuser":
 * the member update (conditioned on its version), a check that the policy is the one the
 * superuser flag was computed with, and the tenant's superuser counter, conditioned on staying >= 1.
 */
import { compilePrincipal, isSuperuser } from '#shared/acl/engine.js';
import type { StoreDeps } from '#shared/app/context.js';
import { type AuditInput, auditPut } from '#shared/audit/audit-event.js';
import { ConflictError } from '#shared/errors/domain-errors.js';
import { grantsOf, type MemberRecord, memberItem } from '#shared/members/member-record.js';
import { remainingMs } from '#shared/platform/deadline.js';
import { keys } from '#shared/store/keys.js';
import type { TransactItem } from '#shared/store/transact.js';
import type { TenantState } from '#shared/tenants/tenant-state.js';

export const LAST_SUPERUSER =
  'This would leave the tenant without an active superuser; make someone else a superuser first';

/** Whether this member counts towards the tenant's superusers under the state's policy. */
export function countsAsSuperuser(
  state: TenantState,
  m: Pick<MemberRecord, 'status' | 'groups' | 'roles' | 'rules'>,
): boolean {
  return m.status === 'active' && isSuperuser(compilePrincipal(state.compiled, grantsOf(m)));
}

/** The policy must still be the version the decision was computed from. */
export function policyUnchanged(deps: StoreDeps, state: TenantState): TransactItem {
  return {
    ConditionCheck: {
      TableName: deps.tableName,
      Key: keys.policy(state.tenantId),
      ConditionExpression: 'policyVersion = :v',
      ExpressionAttributeValues: { ':v': state.policy.version },
    },
  };
}

/** Adjusts the superuser counter by `delta`, refusing to go below one. */
export function superuserCounter(
  deps: StoreDeps,
  state: TenantState,
  delta: number,
): TransactItem | undefined {
  if (delta === 0) return undefined;
  if (state.superuserCount + delta < 1) throw new ConflictError(LAST_SUPERUSER);
  return {
    Update: {
      TableName: deps.tableName,
      Key: keys.tenant(state.tenantId),
      UpdateExpression: 'ADD superuserCount :d',
      ConditionExpression: 'superuserCount >= :min',
      ExpressionAttributeValues: { ':d': delta, ':min': 1 - delta },
    },
  };
}

export interface MemberChange {
  items: TransactItem[];
  after: MemberRecord | undefined;
}

/**
 * Plans replacing `before` by `next` (or deleting it when `next` is undefined, or creating it
 * when `before` is undefined), with the counter, the policy check and the audit event.
 */
export function planMemberChange(
  deps: StoreDeps,
  state: TenantState,
  before: MemberRecord | undefined,
  next: Omit<MemberRecord, 'superuser' | 'version'> | undefined,
  audit: Omit<AuditInput, 'tenantId' | 'before' | 'after'> & { before?: unknown; after?: unknown },
): MemberChange {
  const T = deps.tableName;
  const after: MemberRecord | undefined = next
    ? { ...next, superuser: countsAsSuperuser(state, next), version: (before?.version ?? 0) + 1 }
    : undefined;
  const delta = (after?.superuser ? 1 : 0) - (before?.superuser ? 1 : 0);
  const items: TransactItem[] = [];
  if (after) {
    items.push({
      Put: {
        TableName: T,
        Item: memberItem(after),
        ConditionExpression: before ? 'version = :v' : 'attribute_not_exists(pk)',
        ...(before ? { ExpressionAttributeValues: { ':v': before.version } } : {}),
      },
    });
  } else if (before) {
    items.push({
      Delete: {
        TableName: T,
        Key: keys.member(state.tenantId, before.userId),
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': before.version },
      },
    });
  }
  items.push(policyUnchanged(deps, state));
  const counter = superuserCounter(deps, state, delta);
  if (counter) items.push(counter);
  items.push(
    auditPut(
      T,
      {
        tenantId: state.tenantId,
        ...audit,
        before: audit.before ?? (before ? auditView(before) : undefined),
        after: audit.after ?? (after ? auditView(after) : undefined),
      },
      deps.clock.now(),
    ),
  );
  return { items, after };
}

function auditView(m: MemberRecord) {
  return {
    userId: m.userId,
    email: m.email,
    status: m.status,
    groups: m.groups,
    roles: m.roles,
    rules: m.rules,
    superuser: m.superuser,
  };
}

/** How long an optimistic write keeps retrying outside of a request deadline. */
const RETRY_BUDGET_MS = 5000;
/** Time kept back from the request deadline for the answer (and a last attempt). */
const RETRY_MARGIN_MS = 1000;

/** The writes in flight in this process per item key, chained so they run one after another. */
const inFlight = new Map<string, Promise<unknown>>();

/** Runs `fn` after every earlier call with the same key in this process has settled. */
async function oneAtATime<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = inFlight.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.catch(() => undefined);
  inFlight.set(key, tail);
  try {
    return await run;
  } finally {
    if (inFlight.get(key) === tail) inFlight.delete(key);
  }
}

/**
 * Retries an optimistic operation (fresh reads each time) while a concurrent change keeps
 * winning the race, with exponential backoff and full jitter so parallel writers to one item
 * spread out, until the request's deadline (or `budgetMs` outside of one). Then the conflict
 * propagates: 409, and the client may retry. With `serializeOn`, writers of that key in this
 * process take turns instead of racing (a lost race costs a whole transaction).
 */
export async function withOptimisticRetry<T>(
  attempt: () => Promise<T>,
  options: { budgetMs?: number; serializeOn?: string } = {},
): Promise<T> {
  const retry = async () => {
    const left = remainingMs();
    const budget = options.budgetMs ?? RETRY_BUDGET_MS;
    const until = Date.now() + (left === undefined ? budget : Math.max(0, left - RETRY_MARGIN_MS));
    for (let i = 1; ; i++) {
      try {
        return await attempt();
      } catch (error) {
        const retryable = error instanceof ConflictError && error.retryable;
        const wait = Math.random() * Math.min(500, 10 * 2 ** i);
        if (!retryable || Date.now() + wait >= until) throw error;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  };
  return options.serializeOn ? oneAtATime(options.serializeOn, retry) : retry();
}

/** The conflict to raise when a planned transaction lost a race; re-planning may succeed. */
export function raceLost(): ConflictError {
  return new ConflictError('A concurrent change won; retry', { retryable: true });
}
