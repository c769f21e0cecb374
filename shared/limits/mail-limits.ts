/**
 * Rule 16, mail and tenant-creation limits: how many invite mails (first sends and resends) a
 * tenant may send per hour and per day, and how many tenants one person may create per day.
 * Counters are conditional ADDs written in the same transaction as the change they count, so
 * concurrent requests cannot overshoot. Only an operator raises a tenant's limits
 * (`npm run tenant-limits`); tenant admins cannot (they are not tenant settings).
 */
import { BatchGetCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { StoreDeps } from '#shared/app/context.js';
import { auditPut } from '#shared/audit/audit-event.js';
import { NotFoundError, TooManyError } from '#shared/errors/domain-errors.js';
import { keys } from '#shared/store/keys.js';
import { TTL_ATTRIBUTE } from '#shared/store/table-definition.js';
import { type TransactItem, transactWrite } from '#shared/store/transact.js';

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
  mailsPerHour: z.number().int().min(0).max(100_000).optional(),
  mailsPerDay: z.number().int().min(0).max(1_000_000).optional(),
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
        retryAfterSeconds: Math.max(1, Math.ceil((w.endsAt - now.getTime()) / 1000)),
      },
    },
  );
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
  const res = await deps.db.send(
    new BatchGetCommand({
      RequestItems: {
        [deps.tableName]: {
          Keys: windows.map((w) => keys.mailCounter(tenantId, w.key)),
          ConsistentRead: true,
        },
      },
    }),
  );
  const rows = res.Responses?.[deps.tableName] ?? [];
  for (const w of windows) {
    const used = Number(rows.find((r) => r.sk === `MAILS#${w.key}`)?.sent ?? 0);
    if (used + count > limits[w.name]) throw limitReached(w, limits[w.name], now);
  }
}

/**
 * The counter updates for one more mail, to add to the transaction that queues it; each is
 * conditioned on staying within its limit. `mailLimitError` maps their cancellation to the 429.
 */
export function mailCounterWrites(
  deps: StoreDeps,
  tenantId: string,
  limits: MailLimits,
): TransactItem[] {
  const now = deps.clock.now();
  return windowsAt(now).map((w) => ({
    Update: {
      TableName: deps.tableName,
      Key: keys.mailCounter(tenantId, w.key),
      UpdateExpression: 'ADD sent :one SET #ttl = :ttl',
      ConditionExpression: 'attribute_not_exists(sent) OR sent < :max',
      ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
      ExpressionAttributeValues: {
        ':one': 1,
        ':max': limits[w.name],
        ':ttl': Math.floor(w.endsAt / 1000) + 24 * 3600,
      },
    },
  }));
}

/** The 429 for a cancelled transaction whose counter items start at `first`, if one failed. */
export function mailLimitError(
  codes: string[],
  first: number,
  limits: MailLimits,
  now: Date,
): TooManyError | undefined {
  const windows = windowsAt(now);
  for (const [i, w] of windows.entries()) {
    if (codes[first + i] === 'ConditionalCheckFailed') return limitReached(w, limits[w.name], now);
  }
  return undefined;
}

/** The counter update for one more tenant created by `userId` today, conditioned on the cap. */
export function tenantCreationWrite(
  deps: StoreDeps,
  userId: string,
  max = DEFAULT_TENANTS_PER_DAY,
): TransactItem {
  const now = deps.clock.now();
  const day = now.toISOString().slice(0, 10);
  const endsAt = (Math.floor(now.getTime() / DAY_MS) + 1) * DAY_MS;
  return {
    Update: {
      TableName: deps.tableName,
      Key: keys.tenantCounter(userId, day),
      UpdateExpression: 'ADD created :one SET #ttl = :ttl',
      ConditionExpression: 'attribute_not_exists(created) OR created < :max',
      ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
      ExpressionAttributeValues: {
        ':one': 1,
        ':max': max,
        ':ttl': Math.floor(endsAt / 1000) + 3600,
      },
    },
  };
}

/** How many tenants `userId` may create per day: an operator's cap for them, else the default. */
export async function tenantCapOf(deps: StoreDeps, userId: string): Promise<number> {
  const res = await deps.db.send(
    new GetCommand({
      TableName: deps.tableName,
      Key: keys.tenantCap(userId),
      ConsistentRead: true,
    }),
  );
  const max = Number(res.Item?.max);
  return Number.isInteger(max) && max >= 0 ? max : DEFAULT_TENANTS_PER_DAY;
}

/** The operator's way to let one person create more (or fewer) tenants per day. */
export async function setUserTenantCap(deps: StoreDeps, userId: string, max: number) {
  const parsed = z.number().int().min(0).max(10_000).parse(max);
  await deps.db.send(
    new PutCommand({
      TableName: deps.tableName,
      Item: { ...keys.tenantCap(userId), type: 'tenant-cap', userId, max: parsed },
    }),
  );
}

/** The 429 when the tenant-creation cap is reached. */
export function tenantCreationLimit(deps: StoreDeps, max = DEFAULT_TENANTS_PER_DAY): TooManyError {
  const now = deps.clock.now().getTime();
  const endsAt = (Math.floor(now / DAY_MS) + 1) * DAY_MS;
  return new TooManyError(`One person may create at most ${max} tenants per day`, {
    extra: {
      limit: 'tenantsPerDay',
      max,
      retryAfterSeconds: Math.max(1, Math.ceil((endsAt - now) / 1000)),
    },
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
  const res = await deps.db.send(
    new BatchGetCommand({
      RequestItems: { [deps.tableName]: { Keys: [keys.tenant(tenantId)], ConsistentRead: true } },
    }),
  );
  const tenant = res.Responses?.[deps.tableName]?.[0];
  if (!tenant) throw new NotFoundError(`Tenant '${tenantId}' not found`);
  const before = (tenant.operatorLimits as OperatorLimits | undefined) ?? {};
  const after = { ...before, ...parsed };
  const now = deps.clock.now();
  await transactWrite(
    deps.db,
    [
      {
        Update: {
          TableName: deps.tableName,
          Key: keys.tenant(tenantId),
          UpdateExpression: 'SET operatorLimits = :l',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':l': after },
        },
      },
      auditPut(
        deps.tableName,
        {
          tenantId,
          actor: 'operator',
          action: 'tenant.limits',
          target: `tenant:${tenantId}`,
          before,
          after,
        },
        now,
      ),
    ],
    () => new NotFoundError(`Tenant '${tenantId}' not found`),
  );
  return mailLimitsOf({ createdAt: String(tenant.createdAt), operatorLimits: after }, now);
}
