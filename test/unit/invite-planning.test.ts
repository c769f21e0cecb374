/** What planning an invite, its mail limits and its retries decide, before anything is written (pure). */
import { describe, expect, it } from 'vitest';
import type { StoreDeps } from '#shared/app/context.js';
import { alreadyInvited, planInvite } from '#shared/invites/invite-create.js';
import {
  ESTABLISHED_MAIL_LIMITS,
  mailCounterWrites,
  mailLimitsOf,
  NEW_TENANT_MAIL_LIMITS,
  tenantCreationLimit,
} from '#shared/limits/mail-limits.js';
import { backoffMs, type RetryPolicy } from '#shared/mail/outbox.js';
import { fixedClock } from '#shared/platform/clock.js';
import { hashSecret } from '#shared/platform/secret-tokens.js';
import type { TenantState } from '#shared/policy/tenant-state.js';
import type { TxItem } from '#shared/store/table.js';

const NOW = new Date('2030-05-01T10:15:00.000Z');
const deps = {
  clock: fixedClock(NOW),
  tokens: { newSecret: () => 'raw-secret-token' },
  table: { name: 'unit' },
} as unknown as StoreDeps;

const state = {
  tenantId: 't1',
  name: 'Acme',
  actor: { incarnation: 'inc-1', email: 'admin@acme.test' },
  settings: { inviteTtlHours: 48 },
  mailLimits: { mailsPerHour: 3, mailsPerDay: 10 },
} as unknown as TenantState;

const caller = { userId: 'admin', email: 'admin@acme.test' };
const grants = { roles: ['viewer'], groups: [], message: 'Welcome' };

const putOf = (item: TxItem | undefined) =>
  item && 'put' in item ? (item.put as Record<string, unknown>) : undefined;

describe('planning an invite', () => {
  it('expires after the tenant setting, stores only the hash and mails the raw token', () => {
    const { invite, writes } = planInvite(deps, state, caller, 'new@acme.test', grants);
    expect(invite.expiresAt).toBe('2030-05-03T10:15:00.000Z');
    expect(invite).toMatchObject({
      status: 'pending',
      sendCount: 1,
      invitedByIncarnation: 'inc-1',
    });
    expect(invite.tokenHash).toBe(hashSecret('raw-secret-token'));
    const stored = writes.map(putOf).filter(Boolean);
    const withToken = stored.filter((item) => JSON.stringify(item).includes('raw-secret-token'));
    expect(withToken).toHaveLength(1);
    expect(withToken[0]).toMatchObject({ type: 'invite-mail', email: 'new@acme.test' });
    expect(stored.find((i) => i?.type === 'invite')).not.toHaveProperty('token');
  });

  it('answers an address with an open invite as already invited, and a direct add its own way', () => {
    const plain = planInvite(deps, state, caller, 'new@acme.test', grants);
    expect(plain.writes[0]?.when?.else?.()).toEqual(alreadyInvited());
    const direct = planInvite(deps, state, caller, 'new@acme.test', grants, {
      pendingMemberId: 'pending-1',
      openInvite: () => new Error('open invite') as never,
    });
    expect(direct.invite.pendingMemberId).toBe('pending-1');
    expect(direct.writes[0]?.when?.else?.().message).toBe('open invite');
  });

  it('counts the mail in the hour and the day, each refusing with a 429 naming its limit', () => {
    const { counters } = planInvite(deps, state, caller, 'new@acme.test', grants);
    expect(counters).toHaveLength(2);
    const [hour, day] = counters.map((c) => c.when?.else?.());
    expect(hour).toMatchObject({ status: 429, extra: { limit: 'mailsPerHour', max: 3 } });
    expect(hour?.extra.retryAfterSeconds).toBe(45 * 60);
    expect(day).toMatchObject({ status: 429, extra: { limit: 'mailsPerDay', max: 10 } });
    expect(mailCounterWrites(deps, 't1', state.mailLimits)).toHaveLength(2);
  });
});

describe('mail and tenant limits', () => {
  it('gives a new tenant the sandbox limits, an older one more, and an operator the last word', () => {
    const created = (daysAgo: number) => new Date(NOW.getTime() - daysAgo * 86_400_000);
    expect(mailLimitsOf({ createdAt: created(1).toISOString() }, NOW)).toEqual(
      NEW_TENANT_MAIL_LIMITS,
    );
    expect(mailLimitsOf({ createdAt: created(30).toISOString() }, NOW)).toEqual(
      ESTABLISHED_MAIL_LIMITS,
    );
    expect(
      mailLimitsOf(
        { createdAt: created(1).toISOString(), operatorLimits: { mailsPerDay: 5 } },
        NOW,
      ),
    ).toEqual({ ...NEW_TENANT_MAIL_LIMITS, mailsPerDay: 5 });
  });

  it('tells a person who created too many tenants to come back at midnight UTC', () => {
    const error = tenantCreationLimit(deps, 5);
    expect(error).toMatchObject({ status: 429, extra: { limit: 'tenantsPerDay', max: 5 } });
    expect(error.extra.retryAfterSeconds).toBe((13 * 60 + 45) * 60);
  });
});

describe('outbox retries', () => {
  const policy: RetryPolicy = { baseDelayMs: 1000, maxDelayMs: 8000, maxAttempts: 5, leaseMs: 1 };

  it('doubles the delay per failed attempt up to the maximum', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffMs(policy, a, mid))).toEqual([
      1000, 2000, 4000, 8000, 8000, 8000,
    ]);
  });

  it('spreads retries of a burst within 20% either way', () => {
    expect(backoffMs(policy, 2, () => 0)).toBe(1600);
    expect(backoffMs(policy, 2, () => 1)).toBe(2400);
  });
});
