/**
 * Rule 16, mail and tenant-creation limits: how many invite mails (first sends and resends) a
 * tenant may send per hour and per day, and how many tenants one person may create per day.
 * Counters are conditional ADDs written in the same transaction as the change they count, so
 * concurrent requests cannot overshoot. Only an operator raises a tenant's limits
 * (`npm run tenant-limits`); tenant admins cannot (they are not tenant settings).
 */
import * as z from 'zod/mini';
import '#shared/common/zod-english.js';
import type { StoreDeps } from '#shared/app/context.js';
import { auditPut } from '#shared/audit/audit-event.js';
import { isRaceLost, NotFoundError, TooManyError } from '#shared/errors/domain-errors.js';
import { keys } from '#shared/store/keys.js';
import {
  findTenantCap,
  findTenantLimitFields,
  mailCounterAdd,
  mailCounts,
  operatorLimitsUpdate,
  putTenantCap,
  tenantCounterAdd,
} from '#shared/store/records/limit-record.js';
import type { Key, TxItem } from '#shared/store/table.js';

export interface MailLimits {
  mailsPerHour: number;
  mailsPerDay: number;
}

/** A tenant younger than this has the new-tenant limits (think SES sandbox: tens per day). */
const NEW_TENANT_DAYS = 7;
export const NEW_TENANT_MAIL_LIMITS: MailLimits = { mailsPerHour: 20, mailsPerDay: 50 };
export const ESTABLISHED_MAIL_LIMITS: MailLimits = { mailsPerHour: 200, mailsPerDay: 1000 };
/** Tenants one person may create per UTC day. */
export const DEFAULT_TENANTS_PER_DAY = 5;

/** What an operator may set on a tenant (stored as `operatorLimits` on the tenant item). */
export const OperatorLimitsSchema = z.strictObject({
  mailsPerHour: z.optional(z.number().check(z.int(), z.gte(0), z.lte(100_000))),
  mailsPerDay: z.optional(z.number().check(z.int(), z.gte(0), z.lte(1_000_000))),
});
export type OperatorLimits = z.infer<typeof OperatorLimitsSchema>;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The mail limits of a tenant now: the operator's, else by the tenant's age. */
export function mailLimitsOf(
  tenant: { createdAt?: string; operatorLimits?: OperatorLimits },
  now: Date,
): MailLimits {
  const created = Date.parse(tenant.createdAt ?? '');
  const isNew = !Number.isFinite(created) || now.getTime() - created < NEW_TENANT_DAYS * DAY_MS;
  const base = isNew ? NEW_TENANT_MAIL_LIMITS : ESTABLISHED_MAIL_LIMITS;
  return { ...base, ...tenant.operatorLimits };
}

interface Window {
  name: keyof MailLimits;
  key: string;
  endsAt: number;
  unit: 'hour' | 'day';
}

function windowsAt(now: Date): Window[] {
  const iso = now.toISOString();
  const hourStart = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const dayStart = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return [
    {
      name: 'mailsPerHour',
      key: `H#${iso.slice(0, 13)}`,
      endsAt: hourStart + HOUR_MS,
      unit: 'hour',
    },
    { name: 'mailsPerDay', key: `D#${iso.slice(0, 10)}`, endsAt: dayStart + DAY_MS, unit: 'day' },
  ];
}

function limitReached(w: Window, max: number, now: Date): TooManyError {
  return new TooManyError(
    `This tenant may send at most ${max} invite mails per ${w.unit}; ask an operator to raise the limit`,
    {
      extra: {
        limit: w.name,
        max,
        retryAfterSeconds: secondsUntil(w.endsAt, now.getTime()),
      },
    },
  );
}

/** Seconds until `endsAt` (epoch ms), at least 1: the `retryAfterSeconds` of a 429. */
function secondsUntil(endsAt: number, now: number): number {
  return Math.max(1, Math.ceil((endsAt - now) / 1000));
}

/**
 * 429 naming the limit when `count` more mails would not fit in the current hour or day;
 * read before writing anything, so a batch over the limit writes nothing.
 */
export async function assertMailQuota(
  deps: StoreDeps,
  tenantId: string,
  limits: MailLimits,
  count: number,
): Promise<void> {
  if (count <= 0) return;
  const now = deps.clock.now();
  const windows = windowsAt(now);
  const used = await mailCounts(
    deps.table,
    tenantId,
    windows.map((w) => w.key),
  );
  assertMailRoom(now, limits, used, count);
}

/** The keys of the tenant's counters at `now` (hour, day), for a caller reading them in its own batch. */
export function mailCounterKeys(now: Date, tenantId: string): Key[] {
  return windowsAt(now).map((w) => keys.mailCounter(tenantId, w.key));
}

/**
 * {@link assertMailQuota} on counts read already: `used` holds the counts of
 * {@link mailCounterKeys}, in that order, read at `now`.
 */
export function assertMailRoom(now: Date, limits: MailLimits, used: number[], count: number) {
  if (count <= 0) return;
  for (const [i, w] of windowsAt(now).entries()) {
    if ((used[i] ?? 0) + count > limits[w.name]) throw limitReached(w, limits[w.name], now);
  }
}

/**
 * The counter updates for `count` more mails (default one), to add to the transaction that
 * queues them; each is conditioned on staying within its limit and raises the 429 naming it
 * otherwise (at once, when `count` exceeds the limit itself).
 */
export function mailCounterWrites(
  deps: StoreDeps,
  tenantId: string,
  limits: MailLimits,
  count = 1,
): TxItem[] {
  const now = deps.clock.now();
  return windowsAt(now).map((w) => {
    const max = limits[w.name];
    if (count > max) throw limitReached(w, max, now);
    return mailCounterAdd(
      tenantId,
      w.key,
      max,
      Math.floor(w.endsAt / 1000) + 24 * 3600,
      () => limitReached(w, max, now),
      count,
    );
  });
}

/** The end of the UTC day of `now` (epoch ms): when the tenant-creation counter starts over. */
function dayEnd(now: number): number {
  return (Math.floor(now / DAY_MS) + 1) * DAY_MS;
}

/**
 * The counter update for one more tenant created by `userId` today, conditioned on the cap
 * (raising the 429 of {@link tenantCreationLimit}).
 */
export function tenantCreationAdd(
  deps: StoreDeps,
  userId: string,
  max = DEFAULT_TENANTS_PER_DAY,
): TxItem {
  const now = deps.clock.now();
  return tenantCounterAdd(
    userId,
    now.toISOString().slice(0, 10),
    max,
    Math.floor(dayEnd(now.getTime()) / 1000) + 3600,
    () => tenantCreationLimit(deps, max),
  );
}

/** How many tenants `userId` may create per day: an operator's cap for them, else the default. */
export async function tenantCapOf(deps: StoreDeps, userId: string): Promise<number> {
  return (await findTenantCap(deps.table, userId)) ?? DEFAULT_TENANTS_PER_DAY;
}

/** The operator's way to let one person create more (or fewer) tenants per day. */
export async function setUserTenantCap(deps: StoreDeps, userId: string, max: number) {
  await putTenantCap(
    deps.table,
    userId,
    z.number().check(z.int(), z.gte(0), z.lte(10_000)).parse(max),
  );
}

/** The 429 when the tenant-creation cap is reached. */
export function tenantCreationLimit(deps: StoreDeps, max = DEFAULT_TENANTS_PER_DAY): TooManyError {
  const now = deps.clock.now().getTime();
  return new TooManyError(`One person may create at most ${max} tenants per day`, {
    extra: { limit: 'tenantsPerDay', max, retryAfterSeconds: secondsUntil(dayEnd(now), now) },
  });
}

/**
 * The operator's way to raise (or lower) a tenant's mail limits: sets `operatorLimits` on the
 * tenant item, audited as `operator`. Not reachable through the HTTP API.
 */
export async function setTenantLimits(
  deps: StoreDeps,
  tenantId: string,
  limits: OperatorLimits,
): Promise<MailLimits> {
  const parsed = OperatorLimitsSchema.parse(limits);
  const notFound = () => new NotFoundError(`Tenant '${tenantId}' not found`);
  const tenant = await findTenantLimitFields(deps.table, tenantId);
  if (!tenant) throw notFound();
  const before: OperatorLimits = tenant.operatorLimits;
  const after = { ...before, ...parsed };
  const now = deps.clock.now();
  const audit = {
    tenantId,
    actor: 'operator',
    action: 'tenant.limits' as const,
    target: `tenant:${tenantId}`,
  };
  await deps.table
    .transact([
      operatorLimitsUpdate(tenantId, after, notFound),
      auditPut({ ...audit, before, after }, now),
    ])
    .catch((error: unknown) => {
      // The tenant changed meanwhile (a concurrent write): as before, answered as not found.
      throw isRaceLost(error) ? notFound() : error;
    });
  return mailLimitsOf({ createdAt: tenant.createdAt, operatorLimits: after }, now);
}
